"""Project middleware: failed authorisations go to the audit log."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponseBase

from hiring.audit import audit_record
from hiring.models import AuditAction

logger = logging.getLogger(__name__)


class AuditMiddleware:
    """Records a `permission_denied` event for every 403, whoever asked: a page's
    PermissionDenied or PermissionRequiredMixin, DRF's refusals (including an anonymous API
    call), and CSRF failures. Only the method, path and status are kept, never the body. A 404 is
    not a refusal and is not recorded."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if response.status_code == 403:
            try:
                audit_record(
                    action=AuditAction.PERMISSION_DENIED,
                    request=request,
                    detail={"method": request.method, "status": response.status_code},
                )
            except DatabaseError:
                # The refusal stands; a database too broken to log it will show elsewhere.
                logger.exception("Could not record a refused request in the audit log")
        return response
