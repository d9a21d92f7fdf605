"""The API's paging, set for every list view in REST_FRAMEWORK (a module of its own: settings
import it while DRF is still loading, so it must not import DRF's views)."""

from rest_framework.pagination import LimitOffsetPagination


class Pagination(LimitOffsetPagination):
    """`limit` and `offset` paging with a ceiling on `limit`: without one, a limit past the
    database's integer range reached SQL and failed as a 500."""

    max_limit = 1000
