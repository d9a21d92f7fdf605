from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from hiring.errors import ConflictError
from hiring.models import RevisionAction, Scorecard, ScorecardRevision, ScorecardStatus
from hiring.services import (
    RatingInput,
    ScorecardInput,
    scorecard_amend,
    scorecard_save_draft,
    scorecard_start,
    scorecard_submit,
)
from tests.hiring.builders import open_application

pytestmark = pytest.mark.django_db

EVERYTHING = frozenset({"overall_recommendation", "level_assessment", "summary"})


def complete_input(interview, rating=3, **overrides):
    ratings = tuple(
        RatingInput(competency=row.competency.key, rating=rating, evidence=f"Said {n} things.")
        for n, row in enumerate(interview.focus_rows.select_related("competency"))
    )
    return ScorecardInput(
        **{
            "ratings": ratings,
            "overall_recommendation": 3,
            "level_assessment": "at",
            "summary": "Solid.",
            "fields_given": EVERYTHING,
            **overrides,
        }
    )


@pytest.fixture
def setup(small_rubric):
    return open_application(small_rubric)


def start(setup, position=1):
    interview = setup.interviews[position - 1]
    return (
        interview,
        setup.interviewer_user(position),
        scorecard_start(interview=interview, user=setup.interviewer_user(position)),
    )


def test_start_creates_one_empty_draft_per_interviewer_with_a_row_per_focus(setup):
    interview, user, scorecard = start(setup)

    again = scorecard_start(interview=interview, user=user)

    assert again.pk == scorecard.pk
    assert scorecard.status == ScorecardStatus.DRAFT
    assert scorecard.ratings.count() == interview.focus_rows.count()


def test_only_the_interviews_interviewers_may_start_a_scorecard(setup):
    stranger = setup.interviewer_user(2)

    with pytest.raises(PermissionDenied):
        scorecard_start(interview=setup.interviews[0], user=stranger)


def test_draft_saves_partial_work_and_bumps_the_version(setup):
    interview, user, scorecard = start(setup)
    key = interview.focus_rows.first().competency.key

    saved = scorecard_save_draft(
        scorecard=scorecard,
        user=user,
        version=scorecard.version,
        data=ScorecardInput(ratings=(RatingInput(competency=key, rating=4),)),
    )

    assert saved.version == scorecard.version + 1
    assert saved.ratings.get(competency__key=key).rating == 4
    assert saved.revisions.filter(action=RevisionAction.DRAFT_SAVED).count() == 2


def test_a_stale_draft_is_refused_and_nothing_is_lost(setup):
    interview, user, scorecard = start(setup)
    key = interview.focus_rows.first().competency.key
    scorecard_save_draft(
        scorecard=scorecard,
        user=user,
        version=1,
        data=ScorecardInput(summary="first tab", fields_given=EVERYTHING),
    )

    with pytest.raises(ConflictError, match="changed since you opened it"):
        scorecard_save_draft(
            scorecard=scorecard,
            user=user,
            version=1,
            data=ScorecardInput(
                ratings=(RatingInput(competency=key, rating=1),),
                summary="second tab",
                fields_given=EVERYTHING,
            ),
        )

    scorecard.refresh_from_db()
    assert scorecard.summary == "first tab"
    assert scorecard.ratings.get(competency__key=key).rating is None


def test_submit_needs_every_focus_competency_rated_with_evidence(setup):
    interview, user, scorecard = start(setup)
    rows = list(interview.focus_rows.select_related("competency"))
    first, second = rows[0].competency.key, rows[1].competency.key
    partial = ScorecardInput(
        ratings=(RatingInput(competency=first, rating=3),),  # no evidence, second left out
        overall_recommendation=None,
        fields_given=EVERYTHING,
    )

    with pytest.raises(ValidationError) as caught:
        scorecard_submit(scorecard=scorecard, user=user, version=1, data=partial)

    errors = caught.value.message_dict
    assert f"{first}.evidence" in errors
    assert f"{second}.rating" in errors
    assert {"overall_recommendation", "level_assessment", "summary"} <= set(errors)
    scorecard.refresh_from_db()
    assert scorecard.status == ScorecardStatus.DRAFT
    assert scorecard.version == 1  # nothing half-written


def test_no_signal_needs_a_reason_and_excludes_a_rating(setup):
    interview, user, scorecard = start(setup)
    key = interview.focus_rows.first().competency.key
    base = complete_input(interview)
    silent = tuple(
        RatingInput(competency=r.competency, no_signal=True) if r.competency == key else r
        for r in base.ratings
    )

    with pytest.raises(ValidationError) as caught:
        scorecard_submit(
            scorecard=scorecard,
            user=user,
            version=1,
            data=ScorecardInput(**{**base.__dict__, "ratings": silent}),
        )
    assert f"{key}.no_signal_reason" in caught.value.message_dict

    both = tuple(
        RatingInput(competency=r.competency, rating=3, no_signal=True, no_signal_reason="x")
        if r.competency == key
        else r
        for r in base.ratings
    )
    with pytest.raises(ValidationError, match="not both"):
        scorecard_submit(
            scorecard=scorecard,
            user=user,
            version=1,
            data=ScorecardInput(**{**base.__dict__, "ratings": both}),
        )


def test_submit_once_complete_then_never_again(setup):
    interview, user, scorecard = start(setup)

    submitted = scorecard_submit(
        scorecard=scorecard, user=user, version=1, data=complete_input(interview)
    )

    assert submitted.status == ScorecardStatus.SUBMITTED
    assert submitted.submitted_at is not None
    with pytest.raises(ConflictError, match="already submitted"):
        scorecard_submit(scorecard=scorecard, user=user, version=submitted.version)
    with pytest.raises(ConflictError):
        scorecard_save_draft(
            scorecard=scorecard, user=user, version=submitted.version, data=ScorecardInput()
        )
    assert Scorecard.objects.filter(status=ScorecardStatus.SUBMITTED).count() == 1


def test_cannot_submit_before_the_interview_starts(small_rubric):
    later = open_application(small_rubric, start=timezone.now() + timedelta(days=2))
    interview = later.interviews[0]
    user = later.interviewer_user(1)
    scorecard = scorecard_start(interview=interview, user=user)

    with pytest.raises(ValidationError, match="once the interview has started"):
        scorecard_submit(scorecard=scorecard, user=user, version=1, data=complete_input(interview))


def test_another_user_cannot_write_someone_elses_scorecard(setup):
    _, _, scorecard = start(setup)

    with pytest.raises(PermissionDenied):
        scorecard_save_draft(
            scorecard=scorecard, user=setup.interviewer_user(2), version=1, data=ScorecardInput()
        )


def test_unknown_competency_is_a_field_error(setup):
    _, user, scorecard = start(setup)

    with pytest.raises(ValidationError) as caught:
        scorecard_save_draft(
            scorecard=scorecard,
            user=user,
            version=1,
            data=ScorecardInput(ratings=(RatingInput(competency="juggling", rating=3),)),
        )

    assert "juggling.competency" in caught.value.message_dict


def test_amendment_needs_a_reason_and_keeps_history(setup):
    interview, user, scorecard = start(setup)
    submitted = scorecard_submit(
        scorecard=scorecard, user=user, version=1, data=complete_input(interview)
    )

    with pytest.raises(ValidationError):
        scorecard_amend(
            scorecard=scorecard,
            user=user,
            version=submitted.version,
            reason=" ",
            data=complete_input(interview, rating=2),
        )
    amended = scorecard_amend(
        scorecard=scorecard,
        user=user,
        version=submitted.version,
        reason="Misread my notes on the design question.",
        data=complete_input(interview, rating=2),
    )

    revisions = list(ScorecardRevision.objects.filter(scorecard=scorecard).order_by("version"))
    assert [r.action for r in revisions][-2:] == [RevisionAction.SUBMITTED, RevisionAction.AMENDED]
    assert revisions[-1].reason == "Misread my notes on the design question."
    assert {r["rating"] for r in revisions[-2].snapshot["ratings"]} == {3}
    assert {r["rating"] for r in revisions[-1].snapshot["ratings"]} == {2}
    assert amended.status == ScorecardStatus.SUBMITTED
