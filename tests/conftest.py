"""Shared fixtures, and the rule for tests that need a real service.

A test marked `postgres`, `redis` or `browser` runs when that service is there and is skipped, with
the reason, when it is not (a newcomer's `make test`). Under CI (CI=true) there are no skips: a
missing service, or any other skip, fails the test, so CI always runs everything.
"""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Callable, Generator
from functools import cache
from typing import Any
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.db import connection
from rest_framework.test import APIClient

from tests.factories import UserFactory

UNDER_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
CHROMIUM = "/usr/bin/chromium"


@cache
def _redis_missing() -> str | None:
    url = settings.CELERY_BROKER_URL
    if not url.startswith("redis"):
        return "CELERY_BROKER_URL does not point at Redis"
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), 2):
            return None
    except OSError as exc:
        return f"Redis at {parsed.hostname}:{parsed.port} is not reachable ({exc})"


def _postgres_missing() -> str | None:
    if connection.vendor != "postgresql":
        return "the suite runs on SQLite; set DATABASE_URL to a PostgreSQL database"
    return None


@cache
def _browser_missing() -> str | None:
    if not os.path.exists(CHROMIUM):
        return f"Debian's chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed"
    if shutil.which("node") is None and not os.path.exists(CHROMIUM):
        return "no browser runtime"
    return None


SERVICE_CHECKS: dict[str, Callable[[], str | None]] = {
    "postgres": _postgres_missing,
    "redis": _redis_missing,
    "browser": _browser_missing,
}


def pytest_runtest_setup(item: pytest.Item) -> None:
    for marker, missing in SERVICE_CHECKS.items():
        if item.get_closest_marker(marker) is None:
            continue
        reason = missing()
        if reason is None:
            continue
        if UNDER_CI:
            pytest.fail(f"CI must run this test but {reason}", pytrace=False)
        pytest.skip(reason)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Any:
    report = yield
    if UNDER_CI and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped under CI, where every test must run: {report.longrepr}"
    return report


@pytest.fixture
def user(db: Any) -> Any:
    return UserFactory()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def user_api_client(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def signed_in_client(client: Any, user: Any) -> Generator[Any, None, None]:
    client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """Real hashing is deliberately slow; tests only need it to round-trip."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
