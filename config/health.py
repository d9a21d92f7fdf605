"""/healthz: is this instance able to serve? For load balancers, orchestrators and monitoring.

No sign-in, no HTML, no redirect to HTTPS (settings.SECURE_REDIRECT_EXEMPT), and nothing about
the failure beyond its kind: the details go to the log, where operators look, not to whoever
probes the endpoint. Answers 200 when the database and the configured broker both answer, 503
otherwise, within about the broker's connect timeout (CELERY_BROKER_CONNECTION_TIMEOUT, 2 s).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

OK = "ok"
EMBEDDED = "not configured (embedded)"

logger = logging.getLogger(__name__)


def database_status() -> str:
    """`SELECT 1` on the default database."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means the database cannot serve
        logger.warning("Health check: the database did not answer", exc_info=True)
        return f"error: {type(exc).__name__}"
    return OK


def broker_status() -> str:
    """One connection attempt to the Celery broker, bounded by its connect and socket timeouts;
    embedded mode (no broker, tasks in-process) has nothing to check."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return EMBEDDED
    from config.celery import app

    try:
        with app.connection_for_write() as conn:
            # One attempt, no sleeping between retries: a probe must answer quickly.
            conn.ensure_connection(max_retries=0)
    except Exception as exc:  # refused, timed out, bad credentials: the broker cannot serve
        logger.warning("Health check: the broker did not answer", exc_info=True)
        return f"error: {type(exc).__name__}"
    return OK


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    database = database_status()
    broker = broker_status()
    healthy = database == OK and broker in {OK, EMBEDDED}
    status = "ok" if healthy else "error"
    return JsonResponse(
        {"status": status, "database": database, "broker": broker},
        status=200 if healthy else 503,
    )
