"""API fuzzing: schemathesis generates requests from the OpenAPI schema and sends them to the
Django app in-process (WSGI), once per role, over a small world of real objects.

Every operation in the schema is fuzzed for every role; nothing is excluded. A response fails when
it is a 5xx, has a status code the schema does not document, has an undocumented content type, or
has a body that does not match the documented schema. The run is deterministic (hypothesis is
derandomized, its example database is off) and bounded: FUZZ_EXAMPLES requests per operation and
role (default 10), positive and negative ones mixed; raise it locally for a longer hunt.

About half of the path parameters, query parameters and body fields that name something are
swapped for the ids, keys and usernames of the world, so the views do real work instead of
answering 404 or 400. Every request runs inside a savepoint that is rolled back afterwards, so each
one sees the same world whatever was sent before it.
"""

from __future__ import annotations

import json
import os
import random
import re
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import schemathesis
from django.contrib.auth.models import Group, User
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from hiring.committee import decision_record
from hiring.models import Application, Candidate, PacketStatus, Requisition, Scorecard, VoteChoice
from hiring.models import Packet as PacketModel
from hiring.packets import packet_refresh
from hiring.services import scorecard_start
from loops.models import Interview, Interviewer, Loop
from rubrics.models import Competency, Ladder, Level, RoleProfile
from tests.factories import PacketFactory, UserFactory
from tests.hiring.builders import open_application, submit

ROLES = ["anon", "admin", "recruiter", "interviewer", "committee member", "committee chair"]
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))
# Only operations whose label ("POST /api/loops/plan/") matches this regex; for local runs.
ONLY = re.compile(os.environ.get("FUZZ_ONLY", ""))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
BASE_URL = "http://testserver"
PASSWORD = "pass-word-123"  # every factory-made user's


def _openapi() -> dict[str, Any]:
    """The schema exactly as /api/schema/ serves it, generated in-process."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(document, renderer_context={}))


SCHEMA = schemathesis.openapi.from_dict(
    _openapi(),
    # Roles are given by a real token per test; generated Authorization headers or session
    # cookies would only ever mean "anonymous".
    config=schemathesis.Config.from_dict({"generation": {"with-security-parameters": False}}),
)
OPERATIONS = [
    operation
    for methods in SCHEMA.values()
    for operation in methods.values()
    if ONLY.search(operation.label)
]


@contextmanager
def _requests_keep_the_connection() -> Iterator[None]:
    """Django closes the database connection at the end of each request, which would end the
    test's transaction; the test client avoids it the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _world(small_rubric: Any) -> dict[str, Any]:
    """A user per role and objects in the states the API tells apart: an application whose first
    interview has the interviewer's draft and the others submitted scorecards, with a ready packet;
    a second application whose packet is on hold with a follow-up requested."""
    member = UserFactory(username="member")
    member.groups.add(Group.objects.get(name="committee member"))
    chair = UserFactory(username="chair")
    chair.groups.add(Group.objects.get(name="committee chair"))
    recruiter = UserFactory(username="recruiter", is_staff=True)
    recruiter.groups.add(Group.objects.get(name="recruiter"))
    admin = UserFactory(username="admin", is_staff=True, is_superuser=True)

    setup = open_application(small_rubric, committee=[member, chair])
    scorecard_start(interview=setup.interviews[0], user=setup.interviewer_user(1))
    for position in range(2, len(setup.interviews) + 1):
        submit(setup, position, rating=2 + position % 2)
    packet = packet_refresh(packet_id=PacketModel.objects.get(application=setup.application).pk)
    packet.status = PacketStatus.READY
    packet.ready_at = timezone.now()
    packet.result["flags"] = {**packet.result.get("flags", {}), "coverage_gaps": ["ml-design"]}
    packet.save(update_fields=["status", "ready_at", "result"])

    held = open_application(small_rubric, email="bo@example.com", committee=[member, chair])
    decision_record(
        packet=PacketFactory(application=held.application),
        user=chair,
        outcome=VoteChoice.HOLD,
        level=None,
        rationale="One more system-design signal.",
        follow_up=True,
    )
    return {
        "anon": None,
        "admin": admin,
        "recruiter": recruiter,
        "interviewer": setup.interviewer_user(1),
        "committee member": member,
        "committee chair": chair,
    }


def _real_values() -> dict[str, list[Any]]:
    """Values that name real objects, by the name of the path parameter, query parameter or body
    field that takes them."""
    profiles = RoleProfile.objects.all()
    usernames = sorted(User.objects.values_list("username", flat=True))
    return {
        # path parameters
        "candidate_id": list(Candidate.objects.values_list("pk", flat=True)),
        "requisition_id": list(Requisition.objects.values_list("pk", flat=True)),
        "application_id": list(Application.objects.values_list("pk", flat=True)),
        "interview_id": list(Interview.objects.values_list("pk", flat=True)),
        "scorecard_id": list(Scorecard.objects.values_list("pk", flat=True)),
        "packet_id": list(PacketModel.objects.values_list("pk", flat=True)),
        "loop_id": list(Loop.objects.values_list("pk", flat=True)),
        "interviewer_id": list(Interviewer.objects.values_list("pk", flat=True)),
        "position": sorted(set(Interview.objects.values_list("position", flat=True))),
        "key": sorted(set(profiles.values_list("key", flat=True))),
        "level_code": sorted(set(Level.objects.values_list("code", flat=True))),
        # query parameters and body fields
        "role_profile": sorted(set(profiles.values_list("key", flat=True))),
        "role": sorted(set(profiles.values_list("key", flat=True))),
        "ladder": sorted(set(Ladder.objects.values_list("key", flat=True))),
        "level": sorted(set(Level.objects.values_list("code", flat=True))),
        "competency": sorted(Competency.objects.values_list("key", flat=True)),
        "version": [1, 2, 3],
        "expected_version": [1, 2],
        "candidate": list(Candidate.objects.values_list("pk", flat=True)),
        "requisition": list(Requisition.objects.values_list("pk", flat=True)),
        "application": list(Application.objects.values_list("pk", flat=True)),
        "candidate_email": list(Candidate.objects.values_list("email", flat=True)),
        "username": usernames,
        "password": [PASSWORD],
        "hiring_manager": usernames,
        "recruiter": usernames,
        "committee_members": usernames,
    }


def _cases(operation: Any, real: dict[str, list[Any]]) -> st.SearchStrategy[Any]:
    """Positive and negative cases, about half of whose parameters and body fields are swapped
    for values that name real objects."""
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )
    missing = [p.name for p in operation.path_parameters if not real.get(p.name)]
    assert not missing, f"{operation.label}: no real values for path parameters {missing}"
    return st.tuples(cases, st.randoms(use_true_random=False)).map(
        lambda drawn: _seed(*drawn, real=real)
    )


def _seed(case: Any, rng: random.Random, *, real: dict[str, list[Any]]) -> Any:
    names = [parameter.name for parameter in case.operation.path_parameters]
    if names and rng.random() < 0.5:  # all or none: one real id beside a made-up one is a 404
        case.path_parameters = {
            **(case.path_parameters or {}),
            **{name: rng.choice(real[name]) for name in names},
        }
    for parameter in case.operation.query:
        if parameter.name in real and rng.random() < 0.5:
            case.query = {**(case.query or {}), parameter.name: rng.choice(real[parameter.name])}
    if isinstance(case.body, dict):
        case.body = _seed_body(case.body, rng, real)
    return case


def _seed_body(value: Any, rng: random.Random, real: dict[str, list[Any]]) -> Any:
    if isinstance(value, list):
        return [_seed_body(item, rng, real) for item in value]
    if not isinstance(value, dict):
        return value
    seeded = {}
    for name, item in value.items():
        if name in real and rng.random() < 0.5:
            pool = real[name]
            many = name == "committee_members"
            seeded[name] = rng.sample(pool, rng.randint(0, 2)) if many else rng.choice(pool)
        else:
            seeded[name] = _seed_body(item, rng, real)
    return seeded


def _fuzz(
    operation: Any,
    cases: st.SearchStrategy[Any],
    headers: dict[str, str],
    app: WSGIHandler,
    succeeded: set[str],
) -> None:
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases)
    def run(case: Any) -> None:
        with transaction.atomic():
            response = case.call(app=app, base_url=BASE_URL, headers=headers)
            transaction.set_rollback(True)
        if response.status_code < 300:
            succeeded.add(operation.label)
        case.validate_response(response, checks=CHECKS, headers=headers)

    run()


# For each role, an operation that answers 2xx only when its token, its permissions and the
# world's ids all work: without it a broken setup would pass as a wall of documented 403s and 404s.
PROOF = {
    "anon": "POST /api/auth/token/",
    "admin": "GET /api/packets/{packet_id}/",
    "recruiter": "GET /api/candidates/{candidate_id}/",
    "interviewer": "GET /api/scorecards/{scorecard_id}/",
    "committee member": "GET /api/packets/{packet_id}/votes/",
    "committee chair": "GET /api/packets/{packet_id}/decisions/",
}


@pytest.mark.parametrize("role", ROLES)
def test_api_fuzz(role: str, small_rubric: Any) -> None:
    users = _world(small_rubric)
    user = users[role]
    headers = {} if user is None else {"Authorization": f"Token {Token.objects.create(user=user)}"}
    real = _real_values()
    app = WSGIHandler()
    failures: list[str] = []
    succeeded: set[str] = set()
    with _requests_keep_the_connection():
        for operation in OPERATIONS:
            try:
                _fuzz(operation, _cases(operation, real), headers, app, succeeded)
            # Every operation runs; the failures are reported together.
            except (Exception, schemathesis.errors.FailureGroup) as exc:
                report = str(exc) if isinstance(exc, schemathesis.errors.FailureGroup) else ""
                report = report or "".join(traceback.format_exception(exc))
                failures.append(f"{operation.label}:\n{report}")
    assert not failures, f"{len(failures)} operations failed for {role}:\n\n" + "\n\n".join(
        failures
    )
    if any(operation.label == PROOF[role] for operation in OPERATIONS):
        assert PROOF[role] in succeeded, f"{PROOF[role]} never succeeded for {role}"
    if role == "anon":
        assert succeeded <= {PROOF[role]}, f"anonymous calls succeeded: {succeeded}"
