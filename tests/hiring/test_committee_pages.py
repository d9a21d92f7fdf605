"""The committee's dashboard and packet pages and API: what a member sees and does, and that
reading them costs the same number of queries at 10 packets as at 1,000."""

import itertools
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from hiring.models import Application, Candidate, Packet, PacketStatus, Vote
from tests.conftest import roles_present
from tests.factories import (
    CandidateFactory,
    PacketFactory,
    RequisitionFactory,
    UserFactory,
    VoteFactory,
)

pytestmark = pytest.mark.django_db


def in_role(username, *groups):
    roles_present()
    user = UserFactory(username=username)
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    return user


@pytest.fixture
def cm():
    return in_role("cm", "committee member")


@pytest.fixture
def chair():
    return in_role("chair", "committee member", "committee chair")


SERIAL = itertools.count()


def packets_for(requisition, count, *, p_above_bar=lambda n: (n % 100) / 100):
    """`count` ready packets on one requisition, written in bulk (the factories' values)."""
    candidates = Candidate.objects.bulk_create(
        [CandidateFactory.build(email=f"bulk-{next(SERIAL)}@example.com") for _ in range(count)]
    )
    applications = Application.objects.bulk_create(
        [Application(candidate=c, requisition=requisition) for c in candidates]
    )
    now = timezone.now()
    return Packet.objects.bulk_create(
        [
            PacketFactory.build(
                application=a,
                p_above_bar=p_above_bar(n),
                ready_at=now - timedelta(days=n % 30),
            )
            for n, a in enumerate(applications)
        ]
    )


@pytest.fixture
def requisition(cm, chair):
    return RequisitionFactory(committee_members=[cm, chair])


# --- the dashboard --------------------------------------------------------------------------------


def test_the_dashboard_lists_only_my_committees_packets(client, cm, requisition):
    mine = PacketFactory(application__requisition=requisition, p_above_bar=0.81)
    other = PacketFactory()
    client.force_login(cm)

    response = client.get("/packets/")

    assert response.status_code == 200
    body = response.content.decode()
    assert mine.application.candidate.name in body
    assert other.application.candidate.name not in body
    assert "0.81" in body
    assert "1 ready for review" in body


def test_the_dashboard_counts_packets_not_votes(client, cm, chair, requisition):
    ready = PacketFactory(application__requisition=requisition)
    VoteFactory(packet=ready, member=cm)
    VoteFactory(packet=ready, member=chair)
    PacketFactory(application__requisition=requisition, status=PacketStatus.DECIDED)
    client.force_login(cm)

    counts = client.get("/packets/").context["counts"]

    assert counts == {"ready": 1, "decided": 1}


def test_the_dashboard_filters_sorts_and_pages(client, cm, requisition):
    packets_for(requisition, 30)
    PacketFactory(
        application__requisition=requisition,
        status=PacketStatus.COLLECTING,
        p_above_bar=None,
        ready_at=None,
    )
    client.force_login(cm)

    by_probability = client.get("/packets/", {"sort": "probability", "status": "ready"})
    rows = by_probability.context["rows"]
    values = [packet.p_above_bar for packet, _ in rows]
    assert values == sorted(values, reverse=True)
    assert by_probability.context["page"].paginator.count == 30
    assert len(rows) == 25
    assert all(packet.status == "ready" for packet, _ in rows)

    second = client.get("/packets/", {"sort": "probability", "status": "ready", "page": 2})
    assert len(second.context["rows"]) == 5

    everything = client.get("/packets/", {"sort": "probability", "page": 2})
    assert "Page 2 of 2 · 31 packets" in everything.content.decode()
    last, _ = everything.context["rows"][-1]
    assert last.p_above_bar is None  # the packet still collecting comes last, not first
    lowest_first = client.get("/packets/", {"sort": "-probability", "page": 2}).context["rows"]
    assert lowest_first[-1][0].p_above_bar is None

    oldest_first = client.get("/packets/", {"sort": "age"}).context["rows"]
    waits = [waiting for _, waiting in oldest_first if waiting is not None]
    assert waits == sorted(waits, reverse=True)
    assert waits[0] == 29


def test_filtering_by_requisition_role_and_level(client, cm, requisition):
    packets_for(requisition, 3)
    other = RequisitionFactory(committee_members=[cm])
    packets_for(other, 2)
    client.force_login(cm)

    only_other = client.get("/packets/", {"requisition": other.pk})
    by_level = client.get("/packets/", {"level": other.level.code})
    by_role = client.get("/packets/", {"role": requisition.role_profile.key})

    assert only_other.context["page"].paginator.count == 2
    assert by_level.context["page"].paginator.count == 2
    assert by_role.context["page"].paginator.count == 3


@pytest.mark.parametrize("url", ["/packets/", "/api/packets/"])
def test_the_dashboard_costs_the_same_at_10_and_1000_packets(
    url, cm, requisition, django_assert_num_queries
):
    client = APIClient()
    client.force_login(cm)
    packets_for(requisition, 10)
    client.get(url)  # warm up: the session and permission caches
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200

    packets_for(requisition, 990)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200


def test_the_api_lists_packets_with_their_evidence_summary(cm, requisition):
    packet = PacketFactory(application__requisition=requisition, p_above_bar=0.42)
    VoteFactory(packet=packet, member=cm)
    client = APIClient()
    client.force_authenticate(cm)

    body = client.get("/api/packets/", {"status": "ready"}).json()

    (row,) = body["results"]
    assert row["id"] == packet.pk
    assert row["p_above_bar"] == 0.42
    assert row["score_lower"] == 2.8
    assert row["votes"] == 1
    assert row["voted"] is True
    assert row["level"] == requisition.level.code


def test_an_unknown_filter_value_is_a_400(cm):
    client = APIClient()
    client.force_authenticate(cm)

    response = client.get("/api/packets/", {"status": "maybe"})

    assert response.status_code == 400
    assert "status" in response.json()


# --- one packet -----------------------------------------------------------------------------------


def test_the_packet_api_costs_the_same_at_10_and_1000_packets(
    cm, requisition, django_assert_num_queries
):
    packet = PacketFactory(application__requisition=requisition)
    client = APIClient()
    client.force_login(cm)
    packets_for(requisition, 9)
    url = f"/api/packets/{packet.pk}/"
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200

    packets_for(requisition, 990)
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


def test_a_member_votes_from_the_page_and_then_sees_the_others(client, cm, chair, requisition):
    packet = PacketFactory(application__requisition=requisition)
    VoteFactory(packet=packet, member=chair, choice="no_hire", rationale="Thin on design.")
    client.force_login(cm)

    before = client.get(f"/packets/{packet.pk}/").content.decode()
    assert "Thin on design." not in before
    assert "1 of 2 members" in before

    response = client.post(
        f"/packets/{packet.pk}/vote/",
        {"choice": "hire", "level": requisition.level.code, "rationale": "Strong ML depth."},
    )

    assert response.status_code == 302
    after = client.get(f"/packets/{packet.pk}/").content.decode()
    assert "Thin on design." in after
    assert "Strong ML depth." in after
    assert "Cast vote" not in after


def test_a_vote_without_rationale_comes_back_with_the_message(client, cm, requisition):
    packet = PacketFactory(application__requisition=requisition)
    client.force_login(cm)

    response = client.post(
        f"/packets/{packet.pk}/vote/", {"choice": "hire", "level": requisition.level.code}
    )

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not Vote.objects.exists()


def test_a_level_code_holding_a_nul_character_is_a_form_message(client, cm, requisition):
    packet = PacketFactory(application__requisition=requisition)
    client.force_login(cm)

    response = client.post(
        f"/packets/{packet.pk}/vote/",
        {"choice": "hire", "level": "IC\x003", "rationale": "Strong."},
    )

    assert response.status_code == 400
    assert "Null characters are not allowed." in response.content.decode()
    assert not Vote.objects.exists()


def test_only_the_chair_sees_the_decision_form(client, cm, chair, requisition):
    packet = PacketFactory(application__requisition=requisition)

    client.force_login(cm)
    assert "Record the decision" not in client.get(f"/packets/{packet.pk}/").content.decode()
    client.force_login(chair)
    assert "Record the decision" in client.get(f"/packets/{packet.pk}/").content.decode()


def test_a_diverging_decision_without_rationale_is_refused_on_the_page(client, chair, requisition):
    packet = PacketFactory(application__requisition=requisition, p_above_bar=0.2)
    client.force_login(chair)

    refused = client.post(
        f"/packets/{packet.pk}/decision/", {"outcome": "hire", "level": requisition.level.code}
    )
    assert refused.status_code == 400
    assert "goes against the evidence" in refused.content.decode()

    accepted = client.post(
        f"/packets/{packet.pk}/decision/",
        {
            "outcome": "hire",
            "level": requisition.level.code,
            "rationale": "Exceptional references from the team we are hiring into.",
        },
    )
    assert accepted.status_code == 302
    page = client.get(f"/packets/{packet.pk}/").content.decode()
    assert "diverges" in page
    assert "Exceptional references" in page
    assert "Amend the decision" in page


def test_the_api_refuses_a_second_vote_with_409_and_bad_input_with_field_messages(cm, requisition):
    packet = PacketFactory(application__requisition=requisition)
    client = APIClient()
    client.force_authenticate(cm)
    url = f"/api/packets/{packet.pk}/votes/"

    bad = client.post(url, {"choice": "maybe", "level": "ZZ9", "rationale": ""}, format="json")
    assert bad.status_code == 400
    assert "choice" in bad.json()

    body = {"choice": "hold", "level": requisition.level.code, "rationale": "Need a reference."}
    assert client.post(url, body, format="json").status_code == 201
    again = client.post(url, body, format="json")
    assert again.status_code == 409
    assert "final" in again.json()["detail"]


def test_the_api_records_and_amends_a_decision_with_history(chair, requisition):
    packet = PacketFactory(application__requisition=requisition)
    client = APIClient()
    client.force_authenticate(chair)
    base = f"/api/packets/{packet.pk}/decisions/"

    first = client.post(base, {"outcome": "hire", "level": requisition.level.code}, format="json")
    assert first.status_code == 201
    amended = client.post(
        base + "amend/",
        {"expected_version": 1, "outcome": "hold", "reason": "Offer paused by finance."},
        format="json",
    )
    assert amended.status_code == 201
    stale = client.post(
        base + "amend/",
        {"expected_version": 1, "outcome": "no_hire", "reason": "Late view."},
        format="json",
    )
    assert stale.status_code == 409

    history = client.get(base).json()
    assert [(d["version"], d["outcome"]) for d in history] == [(1, "hire"), (2, "hold")]
    assert history[1]["amendment_reason"] == "Offer paused by finance."
