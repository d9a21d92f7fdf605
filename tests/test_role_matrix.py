"""Who may open what: every role against every page and endpoint, one cell at a time.

Roles: `anon` (not signed in), `admin`, `recruiter`, `iv` (an interviewer on this loop), `iv2` (an
interviewer on no loop here), `cm` (on this requisition's committee), `cm2` (on another committee).
A page answers 302 (to sign-in) for anon; the API answers 403. 404 means "not yours to know about".
"""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from rest_framework.test import APIClient

from hiring.services import requisition_create, scorecard_start
from tests.factories import UserFactory
from tests.hiring.builders import open_application

pytestmark = pytest.mark.django_db

ROLES = ["anon", "admin", "recruiter", "iv", "iv2", "cm", "cm2"]

# method, url template, body, then the expected status per role in ROLES order.
MATRIX = [
    ("GET", "/", None, [302, 200, 200, 200, 200, 200, 200]),
    ("GET", "/rubrics/", None, [302, 200, 200, 200, 200, 200, 200]),
    ("GET", "/loops/", None, [302, 200, 200, 403, 403, 200, 200]),
    ("GET", "/loops/new/", None, [302, 200, 200, 403, 403, 403, 403]),
    ("GET", "/loops/{loop}/", None, [302, 200, 200, 403, 403, 200, 200]),
    ("GET", "/loops/{loop}/interviews/1/", None, [302, 200, 200, 200, 404, 200, 200]),
    ("GET", "/interviews/", None, [302, 200, 200, 200, 200, 200, 200]),
    ("GET", "/interviews/{interview}/", None, [302, 200, 200, 200, 404, 404, 404]),
    ("GET", "/interviews/{interview}/scorecard/", None, [302, 404, 404, 200, 404, 404, 404]),
    ("GET", "/admin/", None, [302, 200, 200, 302, 302, 302, 302]),
    ("GET", "/api/rubrics/role-profiles/", None, [403, 200, 200, 200, 200, 200, 200]),
    ("GET", "/api/loops/", None, [403, 200, 200, 403, 403, 200, 200]),
    (
        "POST",
        "/api/loops/plan/",
        {"role_profile": "mle", "level": "IC3"},
        [403, 200, 200, 403, 403, 403, 403],
    ),
    ("GET", "/api/loops/{loop}/calendar.ics", None, [403, 200, 200, 403, 403, 200, 200]),
    ("GET", "/api/me/interviews/", None, [403, 200, 200, 200, 200, 200, 200]),
    ("GET", "/api/candidates/", None, [403, 200, 200, 403, 403, 200, 200]),
    ("GET", "/api/candidates/{candidate}/", None, [403, 200, 200, 403, 403, 200, 404]),
    (
        "POST",
        "/api/candidates/",
        {"name": "New Person", "email": "new@example.com"},
        [403, 201, 201, 403, 403, 403, 403],
    ),
    ("GET", "/api/requisitions/", None, [403, 200, 200, 403, 403, 200, 200]),
    ("GET", "/api/requisitions/{requisition}/", None, [403, 200, 200, 403, 403, 200, 404]),
    ("GET", "/api/applications/{application}/", None, [403, 200, 200, 403, 403, 200, 404]),
    (
        "POST",
        "/api/applications/{application}/move/",
        {"status": "debrief"},
        [403, 200, 200, 403, 403, 403, 403],
    ),
    ("GET", "/api/scorecards/{scorecard}/", None, [403, 200, 404, 200, 404, 404, 404]),
    (
        "PUT",
        "/api/scorecards/{scorecard}/draft/",
        {"version": 1},
        [403, 403, 404, 200, 404, 404, 404],
    ),
    ("POST", "/api/interviews/{interview}/scorecard/", None, [403, 403, 403, 200, 404, 404, 404]),
]


@pytest.fixture
def world(small_rubric):
    committee = UserFactory(username="cm")
    committee.groups.add(Group.objects.get(name="committee member"))
    setup = open_application(small_rubric, committee=[committee])
    other_committee = UserFactory(username="cm2")
    other_committee.groups.add(Group.objects.get(name="committee member"))
    requisition_create(
        title="Another team",
        role_profile=small_rubric.profile,
        level=small_rubric.ic3,
        hiring_manager=UserFactory(),
        recruiter=UserFactory(),
        committee_members=[other_committee],
    )
    lone_interviewer = UserFactory(username="iv2")
    lone_interviewer.groups.add(Group.objects.get(name="interviewer"))
    recruiter = UserFactory(username="recruiter", is_staff=True)
    recruiter.groups.add(Group.objects.get(name="recruiter"))
    interview = setup.interviews[0]
    scorecard = scorecard_start(interview=interview, user=setup.interviewer_user(1))
    users = {
        "anon": None,
        "admin": UserFactory(username="admin", is_staff=True, is_superuser=True),
        "recruiter": recruiter,
        "iv": setup.interviewer_user(1),
        "iv2": lone_interviewer,
        "cm": committee,
        "cm2": other_committee,
    }
    ids = {
        "loop": setup.application.loop_id,
        "interview": interview.pk,
        "candidate": setup.application.candidate_id,
        "requisition": setup.application.requisition_id,
        "application": setup.application.pk,
        "scorecard": scorecard.pk,
    }
    return users, ids


CELLS = [
    pytest.param(method, url, body, role, expected, id=f"{role} {method} {url}")
    for method, url, body, codes in MATRIX
    for role, expected in zip(ROLES, codes, strict=True)
]


@pytest.mark.parametrize(("method", "url", "body", "role", "expected"), CELLS)
def test_role_matrix(world, method, url, body, role, expected):
    users, ids = world
    client = APIClient() if url.startswith("/api/") else Client()
    if users[role] is not None:
        client.force_login(users[role])

    response = (
        getattr(client, method.lower())(url.format(**ids), body or {}, format="json")
        if (isinstance(client, APIClient))
        else getattr(client, method.lower())(url.format(**ids), body or {})
    )

    assert response.status_code == expected
