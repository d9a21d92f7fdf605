import itertools
from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from django.core.exceptions import ValidationError

from loops.models import Interview, InterviewQuestion, Loop, LoopStatus, TrainingState
from loops.selectors import interviewer_calendar, iso_week, loop_calendar
from loops.services import (
    interview_schedule,
    loop_assign_interviewers,
    loop_generate,
    loop_regenerate,
    loop_schedule_day,
)
from rubrics.models import InterviewKind
from tests.factories import InterviewerConflictFactory, InterviewerFactory, UserFactory

pytestmark = pytest.mark.django_db

MONDAY_9AM = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def focus_of(loop):
    return [
        [row.competency.key for row in interview.focus_rows.select_related("competency")]
        for interview in loop.interviews.order_by("position")
    ]


def test_generate_saves_a_plan_that_meets_every_guarantee(small_rubric):
    loop = loop_generate(role_profile=small_rubric.profile, level=small_rubric.ic3, title="Ada")

    assert loop.status == LoopStatus.DRAFT
    assert loop.problems == []
    assert loop.total_minutes <= loop.budget_minutes == 300
    focus = focus_of(loop)
    assert sum("ml-fluency" in f for f in focus) >= 2
    assert sum("ml-design" in f for f in focus) >= 2
    assert sum("communication" in f for f in focus) >= 1
    assert all(len(f) <= 3 for f in focus)
    asked = list(
        InterviewQuestion.objects.filter(interview__loop=loop).values_list(
            "question__key", flat=True
        )
    )
    assert len(asked) == len(set(asked)) > 0


def test_generate_never_reuses_a_question_this_candidate_was_asked(small_rubric):
    used = frozenset({"ml-fluency-0", "ml-fluency-1"})

    loop = loop_generate(
        role_profile=small_rubric.profile, level=small_rubric.ic3, used_question_keys=used
    )

    asked = set(
        InterviewQuestion.objects.filter(interview__loop=loop).values_list(
            "question__key", flat=True
        )
    )
    assert not asked & used


def test_least_used_questions_come_first(small_rubric):
    first = loop_generate(role_profile=small_rubric.profile, level=small_rubric.ic1)
    first_asked = set(
        InterviewQuestion.objects.filter(interview__loop=first).values_list(
            "question__key", flat=True
        )
    )

    second = loop_generate(role_profile=small_rubric.profile, level=small_rubric.ic1)

    second_asked = set(
        InterviewQuestion.objects.filter(interview__loop=second).values_list(
            "question__key", flat=True
        )
    )
    never_asked = {"ml-fluency-0", "ml-fluency-1", "ml-fluency-2"} - first_asked
    assert len(first_asked) == len(second_asked) == 2
    assert never_asked <= second_asked  # the unused question goes first


def test_an_infeasible_plan_is_saved_with_its_explanation(small_rubric):
    InterviewKind.objects.exclude(key="deep-dive").delete()

    loop = loop_generate(role_profile=small_rubric.profile, level=small_rubric.ic3)

    assert loop.problems
    assert any(p["competency"] == "ml-design" for p in loop.problems)


def test_a_level_the_profile_does_not_cover_is_refused(small_rubric):
    from tests.factories import LevelFactory

    other = LevelFactory(ladder=small_rubric.profile.ladder, code="IC5", rank=5)

    with pytest.raises(ValidationError, match="no expectations at IC5"):
        loop_generate(role_profile=small_rubric.profile, level=other)
    assert not Loop.objects.exists()


def test_regenerate_replans_a_draft_but_not_a_scheduled_loop(small_rubric):
    loop = loop_generate(role_profile=small_rubric.profile, level=small_rubric.ic3)
    before = set(Interview.objects.filter(loop=loop).values_list("pk", flat=True))

    loop_regenerate(loop=loop)

    after = set(Interview.objects.filter(loop=loop).values_list("pk", flat=True))
    assert after
    assert not (before & after)
    loop_schedule_day(loop=loop, starts_at=MONDAY_9AM)
    with pytest.raises(ValidationError, match="Only a draft loop"):
        loop_regenerate(loop=loop)
    assert set(Interview.objects.filter(loop=loop).values_list("pk", flat=True)) == after


def test_schedule_day_slots_interviews_back_to_back_with_breaks(small_rubric):
    loop = loop_generate(role_profile=small_rubric.profile, level=small_rubric.ic3)

    loop_schedule_day(loop=loop, starts_at=MONDAY_9AM, break_minutes=10)

    interviews = list(loop.interviews.order_by("position"))
    assert interviews[0].starts_at == MONDAY_9AM
    for earlier, later in itertools.pairwise(interviews):
        assert later.starts_at == earlier.ends_at + timedelta(minutes=10)
    for interview in interviews:
        assert interview.ends_at - interview.starts_at == timedelta(minutes=interview.minutes)
    loop.refresh_from_db()
    assert loop.status == LoopStatus.SCHEDULED


def test_scheduling_one_interview_at_a_time(small_rubric):
    loop = loop_generate(role_profile=small_rubric.profile, level=small_rubric.ic3)
    first, *rest = loop.interviews.order_by("position")

    interview_schedule(interview=first, starts_at=MONDAY_9AM)

    first.refresh_from_db()
    loop.refresh_from_db()
    assert first.ends_at == MONDAY_9AM + timedelta(minutes=first.minutes)
    assert loop.status == LoopStatus.DRAFT  # others still lack a time
    with pytest.raises(ValidationError):
        interview_schedule(
            interview=rest[0], starts_at=MONDAY_9AM, ends_at=MONDAY_9AM - timedelta(minutes=5)
        )
    with pytest.raises(ValidationError, match="time zone"):
        interview_schedule(interview=rest[0], starts_at=datetime(2026, 11, 30, 9, 0))  # noqa: DTZ001


def qualified_pool(small_rubric, count, **kwargs):
    kinds = list(InterviewKind.objects.all())
    return [
        InterviewerFactory(
            user=UserFactory(username=f"interviewer{n}"),
            kinds=kinds,
            max_level=small_rubric.ic3,
            **kwargs,
        )
        for n in range(count)
    ]


def test_assignment_fills_every_interview_with_different_people(small_rubric):
    loop = loop_generate(role_profile=small_rubric.profile, level=small_rubric.ic3)
    qualified_pool(small_rubric, 6)

    problems = loop_assign_interviewers(loop=loop)

    leads = list(loop.interviews.values_list("interviewer_id", flat=True))
    assert problems == []
    assert None not in leads
    assert len(set(leads)) == len(leads)


def test_assignment_respects_conflicts_and_explains_the_gap(small_rubric):
    loop = loop_generate(role_profile=small_rubric.profile, level=small_rubric.ic3)
    [only] = qualified_pool(small_rubric, 1)
    InterviewerConflictFactory(interviewer=only, email="ada@example.com")

    problems = loop_assign_interviewers(loop=loop, candidate_email="ADA@example.com")

    assert len(problems) == loop.interviews.count()
    assert "has a conflict with the candidate" in problems[0]
    assert not loop.interviews.filter(interviewer__isnull=False).exists()


def test_assignment_respects_weekly_caps_across_loops(small_rubric):
    first = loop_generate(role_profile=small_rubric.profile, level=small_rubric.ic3)
    loop_schedule_day(loop=first, starts_at=MONDAY_9AM)
    pool = qualified_pool(small_rubric, len(first.interviews.all()), weekly_cap=1)
    loop_assign_interviewers(loop=first)
    second = loop_generate(role_profile=small_rubric.profile, level=small_rubric.ic3)
    loop_schedule_day(loop=second, starts_at=MONDAY_9AM + timedelta(days=1))

    problems = loop_assign_interviewers(loop=second)

    assert len(pool) == first.interviews.count()
    assert problems
    assert all("weekly cap" in p for p in problems)
    next_week = loop_generate(role_profile=small_rubric.profile, level=small_rubric.ic3)
    loop_schedule_day(loop=next_week, starts_at=MONDAY_9AM + timedelta(days=7))
    assert loop_assign_interviewers(loop=next_week) == []
    assert iso_week(MONDAY_9AM) != iso_week(MONDAY_9AM + timedelta(days=7))


def test_assignment_attaches_shadows_in_training(small_rubric):
    loop = loop_generate(role_profile=small_rubric.profile, level=small_rubric.ic3)
    qualified_pool(small_rubric, 6)
    trainee = InterviewerFactory(
        user=UserFactory(username="trainee"),
        kinds=list(InterviewKind.objects.all()),
        max_level=small_rubric.ic3,
        training_state=TrainingState.SHADOW,
    )

    loop_assign_interviewers(loop=loop)

    assert loop.interviews.filter(shadow=trainee).count() == 1
    assert not loop.interviews.filter(interviewer=trainee).exists()


def test_loop_calendar_parses_back_as_icalendar(small_rubric):
    loop = loop_generate(
        role_profile=small_rubric.profile, level=small_rubric.ic3, title="Ada Lovelace; staff, loop"
    )
    loop_schedule_day(loop=loop, starts_at=MONDAY_9AM)
    qualified_pool(small_rubric, 6)
    loop_assign_interviewers(loop=loop)

    body = loop_calendar(loop=loop, base_url="https://debrief.example")

    calendar = icalendar.Calendar.from_ical(body)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == loop.interviews.count()
    first = loop.interviews.order_by("position").first()
    event = next(e for e in events if e.decoded("dtstart") == first.starts_at)
    assert "Ada Lovelace; staff, loop" in str(event.get("summary"))
    assert f"/loops/{loop.pk}/interviews/1/" in str(event.get("description"))
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))


def test_interviewer_calendar_lists_only_their_interviews(small_rubric):
    loop = loop_generate(role_profile=small_rubric.profile, level=small_rubric.ic3)
    loop_schedule_day(loop=loop, starts_at=MONDAY_9AM)
    people = qualified_pool(small_rubric, 6)
    loop_assign_interviewers(loop=loop)
    someone = loop.interviews.order_by("position").first().interviewer

    calendar = icalendar.Calendar.from_ical(
        interviewer_calendar(interviewer=someone, base_url="http://x")
    )

    assert len(list(calendar.walk("VEVENT"))) == 1
    idle = next(p for p in people if not loop.interviews.filter(interviewer=p).exists())
    assert (
        list(
            icalendar.Calendar.from_ical(
                interviewer_calendar(interviewer=idle, base_url="http://x")
            ).walk("VEVENT")
        )
        == []
    )
