"""/healthz: 200 when the database and the configured broker answer, 503 when one does not; open
to a load balancer's plain-HTTP probe without signing in."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import OperationalError, connection

from hiring.models import AuditEvent
from tests.worker import broker_at, closed_port

pytestmark = pytest.mark.django_db


def test_embedded_mode_is_healthy_with_the_database_answering(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # no broker configured

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "broker": "not configured (embedded)",
    }
    assert response["Cache-Control"].startswith("max-age=0")


def test_a_stopped_broker_makes_it_unhealthy(client, settings):
    with broker_at(f"redis://127.0.0.1:{closed_port()}/0", settings):
        response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["database"] == "ok"
    assert body["broker"].startswith("error: ")
    assert "127.0.0.1" not in body["broker"]  # where the broker lives is for the log only


def test_a_database_that_does_not_answer_makes_it_unhealthy(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True

    with mock.patch.object(connection, "cursor", side_effect=OperationalError("server gone")):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "database": "error: OperationalError",
        "broker": "not configured (embedded)",
    }


@pytest.mark.redis
def test_a_reachable_broker_is_healthy(client, settings):
    with broker_at(settings.CELERY_BROKER_URL, settings):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_the_probe_needs_no_sign_in_no_https_and_leaves_no_audit_noise(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.SECURE_SSL_REDIRECT = True  # production

    probe = client.get("/healthz")
    page = client.get("/accounts/login/")

    assert probe.status_code == 200  # answered over plain HTTP, not redirected
    assert page.status_code == 301
    assert page["Location"].startswith("https://")
    assert not AuditEvent.objects.exists()


def test_only_reading_methods_are_allowed(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True

    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405
