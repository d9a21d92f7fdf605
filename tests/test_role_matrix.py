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
from tests.factories import PacketFactory, UserFactory
from tests.hiring.builders import open_application

pytestmark = pytest.mark.django_db

ROLES = ["anon", "admin", "recruiter", "iv", "iv2", "cm", "cm2"]

REPORTS = [
    "interviewer-calibration",
    "reliability",
    "question-exposure",
    "funnel",
    "adverse-impact",
]
VOTE = {"choice": "hire", "level": "IC3", "rationale": "Strong on both musts."}
DECIDE = {"outcome": "hold", "rationale": "Waiting on a reference."}
AMEND = {"expected_version": 1, "outcome": "no_hire", "reason": "Reference check."}

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
    # The committee: packets, blind votes, decisions (admins decide anywhere; only members vote).
    ("GET", "/packets/", None, [302, 200, 200, 403, 403, 200, 200]),
    ("GET", "/packets/{packet}/", None, [302, 200, 200, 403, 403, 200, 404]),
    ("POST", "/packets/{packet}/vote/", VOTE, [302, 403, 403, 403, 403, 302, 404]),
    ("POST", "/packets/{packet}/decision/", DECIDE, [302, 302, 403, 403, 403, 403, 404]),
    ("POST", "/packets/{packet}/decision/amend/", AMEND, [302, 400, 403, 403, 403, 403, 404]),
    ("POST", "/packets/{packet}/follow-up/", None, [302, 302, 302, 403, 403, 403, 404]),
    ("GET", "/api/packets/", None, [403, 200, 200, 403, 403, 200, 200]),
    ("GET", "/api/packets/{packet}/", None, [403, 200, 200, 403, 403, 200, 404]),
    ("GET", "/api/packets/{packet}/votes/", None, [403, 200, 200, 403, 403, 200, 404]),
    ("POST", "/api/packets/{packet}/votes/", VOTE, [403, 403, 403, 403, 403, 201, 404]),
    ("GET", "/api/packets/{packet}/decisions/", None, [403, 200, 200, 403, 403, 200, 404]),
    ("POST", "/api/packets/{packet}/decisions/", DECIDE, [403, 201, 403, 403, 403, 403, 404]),
    ("POST", "/api/packets/{packet}/decisions/amend/", AMEND, [403, 400, 403, 403, 403, 403, 404]),
    ("GET", "/api/packets/{packet}/follow-up/", None, [403, 200, 200, 403, 403, 200, 404]),
    ("POST", "/api/packets/{packet}/follow-up/", None, [403, 400, 400, 403, 403, 403, 404]),
    # Reports: recruiters and admins only (they aggregate across every requisition).
    ("GET", "/reports/", None, [302, 200, 200, 403, 403, 403, 403]),
    *[("GET", f"/reports/{name}/", None, [302, 200, 200, 403, 403, 403, 403]) for name in REPORTS],
    *[
        ("GET", f"/reports/{name}.csv", None, [302, 200, 200, 403, 403, 403, 403])
        for name in REPORTS
    ],
    *[
        ("GET", f"/api/reports/{name}/", None, [403, 200, 200, 403, 403, 403, 403])
        for name in REPORTS
    ],
    (
        "POST",
        "/api/candidates/{candidate}/self-identification/",
        {"gender": "woman"},
        [403, 201, 201, 403, 403, 403, 403],
    ),
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
    # A ready packet whose flags call for a follow-up on ML design.
    packet = PacketFactory(application=setup.application)
    packet.result["flags"] = {"coverage_gaps": [small_rubric.design.key]}
    packet.save(update_fields=["result"])
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
        "packet": packet.pk,
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
