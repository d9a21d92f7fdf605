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
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.db import connection
from rest_framework.test import APIClient

from rubrics.models import Competency, Level, RoleProfile
from tests.factories import (
    CompetencyFactory,
    ExpectationFactory,
    InterviewKindFactory,
    LadderFactory,
    LevelFactory,
    QuestionFactory,
    RoleProfileFactory,
    UserFactory,
)

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


def roles_present() -> None:
    """The role groups come from a data migration; a transactional test's flush removes them,
    so tests that need them put them back the way the migration does."""
    from django.apps import apps
    from django.contrib.auth.models import Group

    from hiring.roles import ROLES, roles_ensure

    if Group.objects.filter(name__in=ROLES).count() < len(ROLES):
        roles_ensure(apps)


@pytest.fixture
def user_in_role(db: Any) -> Callable[[str], Any]:
    """A user in one of the roles the migrations create (admin means a superuser)."""
    from django.contrib.auth.models import Group

    roles_present()

    def make(role: str) -> Any:
        name = role.replace(" ", "-")
        if role == "admin":
            return UserFactory(username=f"{name}-user", is_staff=True, is_superuser=True)
        user = UserFactory(username=f"{name}-user")
        user.groups.add(Group.objects.get(name=role))
        return user

    return make


@dataclass
class SmallRubric:
    profile: RoleProfile
    ic1: Level
    ic3: Level
    ml: Competency
    design: Competency
    comm: Competency


@pytest.fixture
def small_rubric(db):
    """A plannable rubric: at IC3, ML fluency and ML design are musts and communication a
    should; three interview kinds and three questions per competency."""
    ladder = LadderFactory(key="mle")
    ic1 = LevelFactory(ladder=ladder, code="IC1", rank=1, loop_minutes=240)
    ic3 = LevelFactory(ladder=ladder, code="IC3", rank=3, loop_minutes=300)
    ml = CompetencyFactory(key="ml-fluency", name="ML Fluency")
    design = CompetencyFactory(key="ml-design", name="ML Design")
    comm = CompetencyFactory(key="communication", name="Communication", family="culture")
    profile = RoleProfileFactory(key="mle", name="MLE", ladder=ladder)
    for competency, priority in ((ml, "must"), (design, "must"), (comm, "should")):
        ExpectationFactory(
            role_profile=profile, level=ic3, competency=competency, priority=priority
        )
    ExpectationFactory(role_profile=profile, level=ic1, competency=ml, priority="must")
    InterviewKindFactory(
        key="deep-dive",
        name="ML deep dive",
        ladder=ladder,
        minutes=60,
        levels=[ic1, ic3],
        competencies=[ml, comm],
    )
    InterviewKindFactory(
        key="system-design",
        name="ML system design",
        ladder=ladder,
        minutes=60,
        levels=[ic3],
        competencies=[design, ml],
    )
    InterviewKindFactory(
        key="behavioural",
        name="Behavioural",
        ladder=ladder,
        minutes=45,
        levels=[ic1, ic3],
        competencies=[comm, design],
    )
    for competency in (ml, design, comm):
        for n in range(3):
            QuestionFactory(
                key=f"{competency.key}-{n}",
                competency=competency,
                min_level=ic1,
                max_level=ic3,
                minutes=15,
            )
    return SmallRubric(profile=profile, ic1=ic1, ic3=ic3, ml=ml, design=design, comm=comm)
