"""The audit log: every sign-in, failed sign-in, sign-out, lockout, refusal and committee decision
leaves exactly one event saying who, what, when and from where, and never a password or a
candidate's personal data."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.forms.models import model_to_dict
from django.test import Client
from rest_framework.test import APIClient

from hiring import committee
from hiring.audit import audit_record
from hiring.models import AuditAction, AuditEvent
from tests.conftest import roles_present
from tests.factories import PacketFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "pass-word-123"  # UserFactory's


def the_event(**filters) -> AuditEvent:
    events = list(AuditEvent.objects.filter(**filters))
    assert len(events) == 1, [model_to_dict(event) for event in events]
    return events[0]


def as_text(event: AuditEvent) -> str:
    return json.dumps(model_to_dict(event), default=str)


def test_a_sign_in_is_recorded_once_with_who_where_and_no_password(client):
    user = UserFactory(username="riley")

    response = client.post("/accounts/login/", {"username": "riley", "password": PASSWORD})

    assert response.status_code == 302
    assert AuditEvent.objects.count() == 1
    event = the_event(action=AuditAction.LOGIN)
    assert (event.actor, event.username, event.ip_address, event.path) == (
        user,
        "riley",
        "127.0.0.1",
        "/accounts/login/",
    )
    assert PASSWORD not in as_text(event)


def test_a_failed_sign_in_keeps_the_username_as_typed_and_nothing_else(client):
    UserFactory(username="riley")

    client.post("/accounts/login/", {"username": "Riley", "password": "my-secret-guess"})

    event = the_event(action=AuditAction.LOGIN_FAILED)
    assert AuditEvent.objects.count() == 1
    assert (event.actor, event.username, event.ip_address, event.path) == (
        None,
        "Riley",
        "127.0.0.1",
        "/accounts/login/",
    )
    assert event.detail == {}
    assert "my-secret-guess" not in as_text(event)


def test_a_sign_out_is_recorded(client):
    user = UserFactory(username="riley")
    client.force_login(user)
    AuditEvent.objects.all().delete()  # force_login's own sign-in event

    client.post("/accounts/logout/")

    event = the_event(action=AuditAction.LOGOUT)
    assert (event.actor, event.username, event.path) == (user, "riley", "/accounts/logout/")


def test_reaching_the_failure_limit_records_the_lockout(client):
    UserFactory(username="riley")

    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "riley", "password": "wrong"})

    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).count() == 5
    event = the_event(action=AuditAction.LOCKED_OUT)
    assert (event.actor, event.username, event.ip_address) == (None, "riley", "127.0.0.1")


def test_a_failed_api_token_request_is_recorded_like_a_failed_sign_in():
    UserFactory(username="script")

    APIClient().post("/api/auth/token/", {"username": "script", "password": "wrong-one"})

    event = the_event(action=AuditAction.LOGIN_FAILED)
    assert (event.username, event.path) == ("script", "/api/auth/token/")
    assert "wrong-one" not in as_text(event)


def test_a_refused_page_is_recorded_once_with_method_and_path(client):
    user = UserFactory(username="nosy")
    client.force_login(user)
    AuditEvent.objects.all().delete()

    response = client.get("/packets/?status=ready")

    assert response.status_code == 403
    event = the_event()
    assert (event.action, event.actor, event.username, event.ip_address, event.path) == (
        AuditAction.PERMISSION_DENIED,
        user,
        "nosy",
        "127.0.0.1",
        "/packets/",
    )
    assert event.detail == {"method": "GET", "status": 403}


def test_a_refused_api_call_is_recorded_for_a_token_user_and_for_nobody():
    user = UserFactory(username="script")
    signed_in = APIClient()
    signed_in.force_authenticate(user)

    refused = signed_in.post("/api/packets/", {"anything": "at all"}, format="json")
    anonymous = APIClient().get("/api/packets/")

    assert (refused.status_code, anonymous.status_code) == (403, 403)
    events = list(AuditEvent.objects.order_by("pk"))
    assert [(e.action, e.actor, e.username, e.path, e.detail) for e in events] == [
        (
            AuditAction.PERMISSION_DENIED,
            user,
            "script",
            "/api/packets/",
            {"method": "POST", "status": 403},
        ),
        (
            AuditAction.PERMISSION_DENIED,
            None,
            "",
            "/api/packets/",
            {"method": "GET", "status": 403},
        ),
    ]
    assert "at all" not in as_text(events[0])  # the body is never kept


def test_a_failed_csrf_check_is_recorded_as_a_refusal():
    strict = Client(enforce_csrf_checks=True)

    response = strict.post("/accounts/login/", {"username": "riley", "password": PASSWORD})

    assert response.status_code == 403
    event = the_event()
    assert (event.action, event.actor, event.path, event.detail) == (
        AuditAction.PERMISSION_DENIED,
        None,
        "/accounts/login/",
        {"method": "POST", "status": 403},
    )
    assert PASSWORD not in as_text(event)


def test_a_missing_page_is_not_a_refusal(client):
    client.force_login(UserFactory())
    AuditEvent.objects.all().delete()

    assert client.get("/no-such-page/").status_code == 404

    assert not AuditEvent.objects.exists()


@pytest.fixture
def chair():
    roles_present()
    user = UserFactory(username="chair")
    for name in ("committee member", "committee chair"):
        user.groups.add(Group.objects.get(name=name))
    return user


def test_a_decision_and_its_amendment_are_recorded_without_candidate_details(chair, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    packet = PacketFactory(
        application__candidate__name="Ada Lovelace",
        application__candidate__email="ada@example.com",
        application__requisition__committee_members=[chair],
        p_above_bar=0.7,
    )
    level = packet.application.requisition.level

    first = committee.decision_record(
        packet=packet,
        user=chair,
        outcome="hire",
        level=level,
        rationale="Ada Lovelace was strong throughout.",
    )
    second = committee.decision_amend(
        packet=packet,
        user=chair,
        expected_version=1,
        outcome="hold",
        level=None,
        reason="Ada asked for more time.",
    )

    recorded = the_event(action=AuditAction.DECISION_RECORDED)
    amended = the_event(action=AuditAction.DECISION_AMENDED)
    assert (recorded.actor, recorded.username, recorded.object_type, recorded.object_id) == (
        chair,
        "chair",
        "decision",
        str(first.pk),
    )
    assert recorded.detail == {
        "packet": packet.pk,
        "application": packet.application.pk,
        "version": 1,
        "outcome": "hire",
        "level": level.code,
        "diverges": False,
    }
    assert (amended.object_id, amended.detail["version"], amended.detail["outcome"]) == (
        str(second.pk),
        2,
        "hold",
    )
    for event in (recorded, amended):
        text = as_text(event)
        for detail in ("Ada", "Lovelace", "ada@example.com", "strong", "more time"):
            assert detail not in text


def test_a_refused_decision_leaves_no_decision_event(chair):
    packet = PacketFactory(application__requisition__committee_members=[chair])
    outsider = UserFactory()

    with pytest.raises(PermissionDenied):
        committee.decision_record(
            packet=packet, user=outsider, outcome="hire", level=packet.application.requisition.level
        )

    assert not AuditEvent.objects.filter(
        action__in=[AuditAction.DECISION_RECORDED, AuditAction.DECISION_AMENDED]
    ).exists()


def test_an_unknown_action_is_refused():
    with pytest.raises(ValueError, match="unknown audit action"):
        audit_record(action="coffee_made")
    assert not AuditEvent.objects.exists()


def test_only_superusers_see_the_audit_log_and_nobody_edits_it(client, user_in_role):
    audit_record(action=AuditAction.LOGIN_FAILED, username="mallory")
    staff = UserFactory(username="staff", is_staff=True)
    # Even the model's own permissions do not open it to staff who are not superusers.
    staff.user_permissions.add(*Permission.objects.filter(codename__endswith="auditevent"))
    client.force_login(staff)
    refused = client.get("/admin/hiring/auditevent/")

    client.force_login(user_in_role("admin"))
    listing = client.get("/admin/hiring/auditevent/?action=login_failed&q=mallory")
    adding = client.get("/admin/hiring/auditevent/add/")
    event = AuditEvent.objects.get(username="mallory")
    detail = client.get(f"/admin/hiring/auditevent/{event.pk}/change/")
    deleting = client.get(f"/admin/hiring/auditevent/{event.pk}/delete/")

    assert refused.status_code == 403
    assert listing.status_code == 200
    assert "mallory" in listing.content.decode()
    assert adding.status_code == 403
    assert detail.status_code == 200
    assert 'name="username"' not in detail.content.decode()  # shown, not editable
    assert deleting.status_code == 403
