"""The committee's rules: blind votes, decisions against the evidence, immutable decisions with
amendments, follow-up interviews, and what the packet review shows."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from hiring import committee
from hiring.errors import ConflictError
from hiring.models import (
    ApplicationStatus,
    Calibration,
    Decision,
    InterviewerCalibration,
    Packet,
    PacketStatus,
    Vote,
)
from hiring.packet_selectors import packet_review
from loops.models import LoopStatus
from tests.factories import UserFactory
from tests.hiring.builders import open_application, submit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_process(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True


def member(username, *groups):
    user = UserFactory(username=username, first_name=username.title())
    for name in ("committee member", *groups):
        user.groups.add(Group.objects.get(name=name))
    return user


@pytest.fixture
def people(small_rubric):
    from tests.conftest import roles_present

    roles_present()
    return {
        "cm": member("cm"),
        "cm_b": member("cmb"),
        "chair": member("chair", "committee chair"),
        "outsider": member("outsider", "committee chair"),
    }


def ready_packet(small_rubric, people, *, rating=3, email="ada@example.com", assessment="at"):
    setup = open_application(
        small_rubric,
        email=email,
        committee=[people["cm"], people["cm_b"], people["chair"]],
    )
    for position in range(1, len(setup.interviews) + 1):
        submit(setup, position, rating=rating, assessment=assessment)
    return setup, Packet.objects.get(application=setup.application)


def computed(packet):
    """The packet as the on-commit refresh left it."""
    packet.refresh_from_db()
    return packet


def test_feedback_complete_makes_the_packet_ready_with_a_ready_time(
    small_rubric, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _, packet = ready_packet(small_rubric, people)
    packet = computed(packet)

    assert packet.status == PacketStatus.READY
    assert packet.ready_at is not None
    assert packet.p_above_bar == pytest.approx(packet.result["p_above_bar"])


@pytest.fixture
def packet(small_rubric, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _, packet = ready_packet(small_rubric, people)
    return computed(packet)


# --- votes ----------------------------------------------------------------------------------------


def test_votes_are_blind_until_you_vote(packet, people, small_rubric):
    committee.vote_cast(
        packet=packet, user=people["cm"], choice="hire", level=small_rubric.ic3, rationale="Solid."
    )

    before = packet_review(packet=packet, user=people["cm_b"]).tally
    assert before.cast == 1
    assert not before.visible
    assert before.votes == ()

    committee.vote_cast(
        packet=packet,
        user=people["cm_b"],
        choice="no_hire",
        level=small_rubric.ic3,
        rationale="Design was thin.",
    )
    after = packet_review(packet=packet, user=people["cm_b"]).tally
    assert after.visible
    assert [v.choice for v in after.votes] == ["hire", "no_hire"]


def test_a_vote_is_final(packet, people, small_rubric):
    committee.vote_cast(
        packet=packet, user=people["cm"], choice="hire", level=small_rubric.ic3, rationale="Solid."
    )
    with pytest.raises(ConflictError):
        committee.vote_cast(
            packet=packet,
            user=people["cm"],
            choice="no_hire",
            level=small_rubric.ic3,
            rationale="Changed my mind.",
        )
    assert Vote.objects.get().choice == "hire"


def test_a_vote_needs_a_rationale_and_a_level(packet, people):
    with pytest.raises(ValidationError) as error:
        committee.vote_cast(
            packet=packet, user=people["cm"], choice="hire", level=None, rationale=" "
        )
    assert set(error.value.message_dict) == {"level", "rationale"}
    assert not Vote.objects.exists()


def test_only_this_requisitions_committee_votes(packet, people, small_rubric):
    with pytest.raises(PermissionDenied):
        committee.vote_cast(
            packet=packet,
            user=people["outsider"],
            choice="hire",
            level=small_rubric.ic3,
            rationale="Looks fine.",
        )


def test_votes_wait_for_complete_feedback(small_rubric, people, django_capture_on_commit_callbacks):
    setup = open_application(small_rubric, committee=[people["cm"]])
    with django_capture_on_commit_callbacks(execute=True):
        submit(setup, 1)
    collecting = Packet.objects.get(application=setup.application)
    assert collecting.status == PacketStatus.COLLECTING
    with pytest.raises(ValidationError):
        committee.vote_cast(
            packet=collecting,
            user=people["cm"],
            choice="hire",
            level=small_rubric.ic3,
            rationale="Early.",
        )


# --- decisions ------------------------------------------------------------------------------------


def test_the_chair_records_a_decision_that_moves_the_application(packet, people, small_rubric):
    decision = committee.decision_record(
        packet=packet, user=people["chair"], outcome="hire", level=small_rubric.ic3
    )

    packet.refresh_from_db()
    assert decision.version == 1
    assert packet.current_decision == decision
    assert packet.status == PacketStatus.DECIDED
    assert packet.application.status == ApplicationStatus.OFFER
    # Once decided, every vote is visible to everyone who may see the packet.
    assert packet_review(packet=packet, user=people["cm"]).tally.visible


def test_a_member_without_the_chairs_permission_cannot_decide(packet, people, small_rubric):
    with pytest.raises(PermissionDenied):
        committee.decision_record(
            packet=packet, user=people["cm"], outcome="hire", level=small_rubric.ic3
        )
    with pytest.raises(PermissionDenied):  # a chair, but of another committee
        committee.decision_record(
            packet=packet, user=people["outsider"], outcome="hire", level=small_rubric.ic3
        )
    assert not Decision.objects.exists()


def test_a_hire_against_the_evidence_needs_a_rationale_and_is_marked_diverges(
    small_rubric, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _, weak = ready_packet(small_rubric, people, rating=1)
    weak = computed(weak)
    assert weak.p_above_bar < 0.5

    with pytest.raises(ValidationError) as error:
        committee.decision_record(
            packet=weak, user=people["chair"], outcome="hire", level=small_rubric.ic3
        )
    assert "rationale" in error.value.message_dict
    assert not Decision.objects.exists()

    decision = committee.decision_record(
        packet=weak,
        user=people["chair"],
        outcome="hire",
        level=small_rubric.ic3,
        rationale="Referenced work on our exact stack outweighs one bad day.",
    )
    assert decision.diverges
    assert "under 0.5" in decision.divergence


def test_a_decision_in_line_with_the_evidence_does_not_diverge(packet, people, small_rubric):
    assert packet.p_above_bar >= 0.5
    decision = committee.decision_record(
        packet=packet, user=people["chair"], outcome="hire", level=small_rubric.ic3
    )
    assert not decision.diverges


def test_decisions_are_amended_never_edited(packet, people, small_rubric):
    first = committee.decision_record(
        packet=packet, user=people["chair"], outcome="hire", level=small_rubric.ic3
    )
    with pytest.raises(ConflictError):
        committee.decision_record(
            packet=packet, user=people["chair"], outcome="no_hire", level=None
        )
    with pytest.raises(ValidationError) as error:
        committee.decision_amend(
            packet=packet,
            user=people["chair"],
            expected_version=1,
            outcome="no_hire",
            level=None,
            reason="",
            rationale="Reference check failed.",
        )
    assert "reason" in error.value.message_dict

    second = committee.decision_amend(
        packet=packet,
        user=people["chair"],
        expected_version=1,
        outcome="no_hire",
        level=None,
        reason="Reference check contradicted the leadership examples.",
        rationale="The evidence was strong, but the reference check was disqualifying.",
    )

    first.refresh_from_db()
    packet.refresh_from_db()
    assert first.outcome == "hire"  # the original is kept as it was
    assert second.version == 2
    assert second.diverges  # no hire although P(above the bar) >= 0.5
    assert packet.current_decision == second
    assert packet.application.status == ApplicationStatus.REJECTED
    history = packet_review(packet=packet, user=people["cm"]).decisions
    assert [(d.version, d.outcome) for d in history] == [(1, "hire"), (2, "no_hire")]


def test_a_stale_amendment_is_refused(packet, people, small_rubric):
    committee.decision_record(
        packet=packet, user=people["chair"], outcome="hire", level=small_rubric.ic3
    )
    committee.decision_amend(
        packet=packet,
        user=people["chair"],
        expected_version=1,
        outcome="hold",
        level=None,
        reason="Comp band question.",
    )
    with pytest.raises(ConflictError):
        committee.decision_amend(
            packet=packet,
            user=people["chair"],
            expected_version=1,
            outcome="no_hire",
            level=None,
            reason="Someone else's view of version 1.",
        )


def test_a_hire_needs_a_level(packet, people):
    with pytest.raises(ValidationError) as error:
        committee.decision_record(packet=packet, user=people["chair"], outcome="hire", level=None)
    assert "level" in error.value.message_dict


# --- follow-up ------------------------------------------------------------------------------------


def test_a_hold_asks_the_planner_for_a_targeted_follow_up(
    packet, people, small_rubric, django_capture_on_commit_callbacks
):
    packet.result["flags"]["coverage_gaps"] = ["ml-design"]
    Packet.objects.filter(pk=packet.pk).update(result=packet.result)
    packet.refresh_from_db()
    committee.decision_record(
        packet=packet, user=people["chair"], outcome="hold", level=None, follow_up=True
    )

    proposal = committee.follow_up_propose(packet=packet)
    assert proposal.competencies == ("ml-design",)
    assert len(proposal.plan.interviews) == 1
    planned = proposal.plan.interviews[0]
    assert "ml-design" in planned.competencies
    asked = set(
        packet.application.loop.interviews.values_list("question_rows__question__key", flat=True)
    )
    assert not asked & set(planned.questions)  # never a question this candidate heard

    before = packet.application.loop.interviews.count()
    with django_capture_on_commit_callbacks(execute=True):
        added = committee.follow_up_schedule(packet=packet, user=people["chair"])

    packet.refresh_from_db()
    loop = packet.application.loop
    assert [i.position for i in added] == [before + 1]
    assert added[0].interviewer_id is not None
    assert loop.status == LoopStatus.DRAFT
    assert packet.status == PacketStatus.COLLECTING
    assert packet.application.status == ApplicationStatus.INTERVIEWING
    with pytest.raises(ConflictError):  # once is enough until its feedback is in
        committee.follow_up_schedule(packet=packet, user=people["chair"])


def test_a_follow_up_needs_a_hold_that_asks_for_one(packet, people, small_rubric):
    committee.decision_record(packet=packet, user=people["chair"], outcome="hold", level=None)
    with pytest.raises(ValidationError):
        committee.follow_up_schedule(packet=packet, user=people["chair"])
    with pytest.raises(ValidationError):
        committee.decision_amend(
            packet=packet,
            user=people["chair"],
            expected_version=1,
            outcome="no_hire",
            level=None,
            reason="r",
            follow_up=True,
        )


# --- the review -----------------------------------------------------------------------------------


def test_the_review_shows_the_loop_ratings_evidence_and_level(packet, people):
    review = packet_review(packet=packet, user=people["cm"])

    assert [row.state for row in review.interviews] == ["submitted"] * len(review.interviews)
    must = [line for line in review.competencies if line.priority == "must"]
    assert {line.key for line in must} == {"ml-fluency", "ml-design"}
    assert all(line.evidence for line in must)
    assert all(quote.text == "Seen." for line in must for quote in line.evidence)
    assert review.recommendation.meets is True
    assert review.recommendation.summary == "Meets IC3."
    assert "<svg" in review.heatmap_svg
    assert "ML Fluency" in review.heatmap_svg
    assert "<svg" in review.intervals_svg
    assert review.may_vote
    assert not review.may_decide


def test_late_feedback_is_flagged(small_rubric, people, django_capture_on_commit_callbacks):
    three_days_ago = timezone.now() - timedelta(days=3)
    setup = open_application(small_rubric, committee=[people["cm"]], start=three_days_ago)
    with django_capture_on_commit_callbacks(execute=True):
        for position in range(1, len(setup.interviews) + 1):
            submit(setup, position)
    packet = Packet.objects.get(application=setup.application)

    review = packet_review(packet=packet, user=people["cm"])

    assert {row.state for row in review.interviews} == {"late"}
    assert [flag.kind for flag in review.flags].count("late") == len(setup.interviews)


def test_a_lenient_interviewers_adjustment_is_flagged(packet, people):
    interview = packet.application.loop.interviews.order_by("position").first()
    calibration = Calibration.objects.create(
        model_version="test", method="rater_effects", n_scorecards=1, n_ratings=1, parameters={}
    )
    InterviewerCalibration.objects.create(
        calibration=calibration,
        interviewer=interview.interviewer,
        leniency=0.6,
        leniency_lower=0.3,
        leniency_upper=0.9,
        noise_sd=0.5,
        n_interviews=12,
    )
    Packet.objects.filter(pk=packet.pk).update(calibration=calibration)
    packet.refresh_from_db()

    flags = packet_review(packet=packet, user=people["cm"]).flags

    lenient = [flag.text for flag in flags if flag.kind == "leniency"]
    assert len(lenient) == 1
    assert "lenient (+0.60" in lenient[0]
    assert "adjusted by -0.60" in lenient[0]


def test_strong_evidence_above_the_level_suggests_the_next_level(
    small_rubric, people, django_capture_on_commit_callbacks
):
    from tests.factories import LevelFactory

    LevelFactory(ladder=small_rubric.ic3.ladder, code="IC4", rank=4, loop_minutes=300)
    with django_capture_on_commit_callbacks(execute=True):
        _, strong = ready_packet(small_rubric, people, rating=4, assessment="above")
    strong = computed(strong)

    recommendation = packet_review(packet=strong, user=people["cm"]).recommendation

    assert recommendation.summary == "Meets IC3; the evidence also supports considering IC4."


def test_a_withdrawn_candidates_interviews_not_yet_held_are_cancelled(
    small_rubric, people, django_capture_on_commit_callbacks
):
    from hiring.services import application_move
    from loops.models import InterviewStatus

    tomorrow = timezone.now() + timedelta(days=1)
    setup = open_application(small_rubric, committee=[people["cm"]], start=tomorrow)

    application_move(application=setup.application, status="withdrawn")

    statuses = set(setup.application.loop.interviews.values_list("status", flat=True))
    assert statuses == {InterviewStatus.CANCELLED}
