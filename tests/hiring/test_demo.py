from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from hiring.demo import (
    DEMO_REQUISITION_TITLES,
    PLANTED_HARSH,
    PLANTED_LENIENT,
    demo_application_ensure,
    demo_logins_ensure,
    demo_world_ensure,
)
from hiring.models import (
    Application,
    ApplicationStatus,
    Calibration,
    Candidate,
    CompetencyRating,
    Decision,
    InterviewerCalibration,
    Packet,
    PacketStatus,
    Requisition,
    Scorecard,
    ScorecardStatus,
    Vote,
)
from hiring.packet_selectors import packet_list_for
from loops.models import Interviewer
from rubrics.services import SHIPPED_PROFILES_DIR, role_profiles_import
from tests.conftest import roles_present

pytestmark = pytest.mark.django_db


def test_demo_logins_are_created_once_and_printed():
    out = StringIO()
    call_command("load_demo", stdout=out)
    call_command("load_demo", stdout=StringIO())

    users = get_user_model().objects
    assert users.count() == 5
    admin = users.get(username="admin")
    assert admin.is_superuser
    assert admin.check_password("debrief-admin")
    assert set(users.get(username="casey.committee").groups.values_list("name", flat=True)) == {
        "committee member"
    }
    assert set(users.get(username="morgan.chair").groups.values_list("name", flat=True)) == {
        "committee member",
        "committee chair",
    }
    printed = out.getvalue()
    for role in ("admin", "recruiter", "interviewer", "committee member", "committee chair"):
        assert role in printed
    assert "morgan.chair" in printed
    assert "import the role profiles first" in printed  # no rubric yet, so no world


def test_printed_admin_login_opens_the_admin(client):
    call_command("load_demo", stdout=StringIO())

    admin = get_user_model().objects.get(username="admin")
    assert admin.check_password("debrief-admin")
    client.force_login(admin)  # the sign-in form's lockout wants a real request
    assert client.get("/admin/").status_code == 200


def test_a_changed_demo_password_survives_another_run():
    call_command("load_demo", stdout=StringIO())
    user = get_user_model().objects.get(username="riley.recruiter")
    user.set_password("my-own-password-1")
    user.save()

    call_command("load_demo", stdout=StringIO())

    user.refresh_from_db()
    assert user.check_password("my-own-password-1")


def test_demo_application_on_its_own_gives_the_demo_interviewer_an_interview():
    role_profiles_import(paths=[SHIPPED_PROFILES_DIR])
    demo_logins_ensure()

    application = demo_application_ensure()

    assert application is not None
    assert demo_application_ensure() is None
    assert application.loop.interviews.filter(interviewer__user__username="ivan.interviewer")


# --- the demo world: built once for the class, rolled back after it ----------------------------


@pytest.fixture(scope="class")
def world(django_db_setup, django_db_blocker):
    """One world for every test below (it takes seconds to build); the transaction around it is
    rolled back afterwards so nothing leaks into other tests."""
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=fast),
        transaction.atomic(),
    ):
        roles_present()
        role_profiles_import(paths=[SHIPPED_PROFILES_DIR])
        summary = demo_world_ensure()
        yield summary
        transaction.set_rollback(True)


def _user(username):
    return get_user_model().objects.get(username=username)


def _counts():
    models = (
        get_user_model(),
        Interviewer,
        Requisition,
        Candidate,
        Application,
        Scorecard,
        Packet,
        Calibration,
        Vote,
        Decision,
    )
    return {model.__name__: model.objects.count() for model in models}


@pytest.mark.usefixtures("world")
class TestDemoWorld:
    def test_three_requisitions_about_forty_candidates_every_stage(self, world):
        assert world is not None
        assert world.problems == ()
        assert Requisition.objects.filter(title__in=DEMO_REQUISITION_TITLES).count() == 3
        assert world.requisitions == 3
        assert 35 <= world.candidates <= 45
        assert world.candidates == Candidate.objects.count()
        statuses = set(Application.objects.values_list("status", flat=True))
        assert {
            ApplicationStatus.INTERVIEWING,
            ApplicationStatus.DEBRIEF,
            ApplicationStatus.REJECTED,
            ApplicationStatus.WITHDRAWN,
        } <= statuses
        levels = set(Requisition.objects.values_list("level__code", flat=True))
        assert len(levels) == 3

    def test_the_committee_sees_packets_ready_for_review(self, world):
        for username in ("casey.committee", "morgan.chair"):
            visible = packet_list_for(user=_user(username))
            ready = visible.filter(status=PacketStatus.READY)
            assert ready.count() == world.packets_ready >= 15
            assert not ready.filter(stale=True).exists()
            assert all(packet.p_above_bar is not None for packet in ready)
            # Dated when the last feedback came in, days before the load, not all at once.
            assert ready.filter(ready_at__lt=timezone.now() - timedelta(days=1)).count() > 10
        # Most packets still wait for the demo member's own vote.
        casey = _user("casey.committee")
        assert Packet.objects.exclude(votes__member=casey).filter(status="ready").count() > 10

    def test_decisions_by_the_chair_after_the_votes(self, world):
        decisions = Decision.objects.select_related("decided_by", "packet")
        assert decisions.count() >= 1
        assert world.decided == Packet.objects.filter(status=PacketStatus.DECIDED).count()
        for decision in decisions:
            assert decision.decided_by.username == "morgan.chair"
            assert decision.packet.votes.count() >= 3
            assert decision.rationale
        assert Vote.objects.exclude(packet__current_decision__isnull=False).exists()

    def test_planted_leniency_is_recovered_by_the_calibration(self, world):
        calibration = Calibration.objects.latest()
        assert calibration.method == "rater_effects"
        fitted = {
            row.interviewer.user.username: row
            for row in InterviewerCalibration.objects.filter(
                calibration=calibration
            ).select_related("interviewer__user")
        }
        assert len(fitted) >= 10
        assert fitted[PLANTED_LENIENT].leniency > 0
        assert fitted[PLANTED_LENIENT].leniency_lower > 0
        assert fitted[PLANTED_HARSH].leniency < 0
        assert fitted[PLANTED_HARSH].leniency_upper < 0
        planted = {p.username: p for p in world.planted}
        assert planted[PLANTED_LENIENT].lean == "lenient"
        assert planted[PLANTED_HARSH].lean == "harsh"

    def test_feedback_reads_like_real_feedback_and_some_came_in_late(self, world):
        cards = Scorecard.objects.filter(status=ScorecardStatus.SUBMITTED).select_related(
            "interview"
        )
        assert cards.count() == world.scorecards > 100
        deadline = timedelta(hours=settings.SCORECARD_REMINDER_HOURS)
        late = 0
        for card in cards:
            assert card.interview.ends_at < card.submitted_at < timezone.now()
            assert card.summary
            assert card.level_assessment
            late += card.submitted_at > card.interview.ends_at + deadline
        assert 0 < late < cards.count() / 2
        ratings = CompetencyRating.objects.filter(scorecard__in=cards)
        assert set(ratings.exclude(rating=None).values_list("rating", flat=True)) == {1, 2, 3, 4}
        assert ratings.filter(no_signal=True).exclude(no_signal_reason="").exists()
        evidence = list(ratings.exclude(evidence="").values_list("evidence", flat=True))
        assert len(set(evidence)) >= 0.95 * len(evidence)

    def test_the_demo_interviewer_has_feedback_to_write(self, world, client):
        waiting = Application.objects.get(candidate__email="ada.demo@example.com")
        ivan = waiting.loop.interviews.get(interviewer__user__username="ivan.interviewer")
        assert ivan.ends_at < timezone.now()
        assert not ivan.scorecards.filter(status=ScorecardStatus.SUBMITTED).exists()
        user = _user("ivan.interviewer")
        assert user.check_password("debrief-demo")
        client.force_login(user)
        assert "Write feedback" in client.get("/interviews/").content.decode()

    def test_running_it_again_adds_nothing(self, world):
        before = _counts()

        again = demo_world_ensure()

        assert _counts() == before
        assert again is not None
        assert not again.created
        assert again.line == world.line

    def test_load_demo_prints_the_world_and_where_to_look(self, world):
        out = StringIO()
        call_command("load_demo", stdout=out)

        printed = out.getvalue()
        assert world.line in printed
        assert "morgan.chair" in printed
        assert "committee chair" in printed
        assert "/packets/" in printed
        assert "lenient" in printed
        assert "harsh" in printed
