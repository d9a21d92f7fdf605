"""The production URLconf plus the benchmark's reference views (selected by tests.bench.settings).

`bench/floor/` is the floor: a trivial JSON view through the same middleware, so the gap between
it and an endpoint is what the endpoint itself costs. `bench/raw-dashboard/` (HTML) and
`bench/raw-dashboard.json` return the committee dashboard's first page from one raw SQL query.
"""

from django.urls import path

from config.urls import urlpatterns as production_urlpatterns
from tests.bench.views import floor, raw_dashboard_json, raw_dashboard_page

urlpatterns = [
    path("bench/floor/", floor, name="bench-floor"),
    path("bench/raw-dashboard/", raw_dashboard_page, name="bench-raw-dashboard"),
    path("bench/raw-dashboard.json", raw_dashboard_json, name="bench-raw-dashboard-json"),
    *production_urlpatterns,
]
