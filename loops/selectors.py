"""Reads for loops: the planner's inputs from the database, loops with everything their pages and
serializers touch, and interviewer schedules."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from loops.ics import CalendarEvent, calendar_render
from loops.models import Interview, Interviewer, InterviewFocus, InterviewQuestion, Loop
from loops.planner import (
    KindOption,
    LoopPlan,
    PlanConstraints,
    PlannedExpectation,
    QuestionOption,
    plan_loop,
)
from rubrics.models import Expectation, InterviewKind, Level, Question, QuestionStatus, RoleProfile


def iso_week(moment: datetime | None) -> str:
    moment = timezone.localtime(moment or timezone.now())
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


FOLLOW_UP_MINUTES = 90
"""Time budget of a follow-up: one targeted interview, or two short ones."""


def loop_plan_compute(
    *,
    role_profile: RoleProfile,
    level: Level,
    used_question_keys: frozenset[str] = frozenset(),
    only_competencies: frozenset[str] | None = None,
    budget_minutes: int | None = None,
) -> LoopPlan:
    """What the planner proposes for this profile and level; writes nothing.

    With `only_competencies` it plans a follow-up: those competencies, each as a must that one
    more interview should assess (the loop already gave them their regular signals)."""
    expectations = [
        PlannedExpectation(competency=key, priority=priority, bar=bar)
        for key, priority, bar in Expectation.objects.filter(
            role_profile=role_profile, level=level
        ).values_list("competency__key", "priority", "bar")
    ]
    targeted = only_competencies is not None
    if only_competencies is not None:
        expectations = [
            PlannedExpectation(competency=e.competency, priority="must", bar=e.bar)
            for e in expectations
            if e.competency in only_competencies
        ]
    kinds = [
        KindOption(
            key=kind.key,
            name=kind.name,
            minutes=kind.minutes,
            levels=frozenset(lv.code for lv in kind.levels.all()),
            competencies=frozenset(c.key for c in kind.competencies.all()),
        )
        for kind in InterviewKind.objects.filter(ladder_id=level.ladder_id).prefetch_related(
            "levels", "competencies"
        )
    ]
    questions = [
        QuestionOption(key=key, competency=competency, minutes=minutes, times_used=times_used)
        for key, competency, minutes, times_used in Question.objects.filter(
            status=QuestionStatus.ACTIVE,
            min_level__ladder_id=level.ladder_id,
            min_level__rank__lte=level.rank,
            max_level__rank__gte=level.rank,
        )
        .annotate(times_used=Count("usages"))
        .values_list("key", "competency__key", "minutes", "times_used")
    ]
    return plan_loop(
        expectations=expectations,
        kinds=kinds,
        questions=questions,
        constraints=PlanConstraints(
            level=level.code,
            budget_minutes=budget_minutes or level.loop_minutes,
            used_question_keys=used_question_keys,
            must_signals=1 if targeted else PlanConstraints.must_signals,
        ),
    )


def _loop_queryset() -> QuerySet[Loop]:
    return Loop.objects.select_related("role_profile", "level").prefetch_related(
        Prefetch(
            "interviews",
            queryset=Interview.objects.select_related(
                "kind", "interviewer__user", "shadow__user"
            ).prefetch_related(
                Prefetch(
                    "focus_rows",
                    queryset=InterviewFocus.objects.select_related("competency"),
                ),
                Prefetch(
                    "question_rows",
                    queryset=InterviewQuestion.objects.select_related("question__competency"),
                ),
            ),
        )
    )


def loop_list() -> QuerySet[Loop]:
    return Loop.objects.select_related("role_profile", "level").annotate(
        interview_count=Count("interviews", distinct=True),
        assigned_count=Count("interviews", filter=Q(interviews__interviewer__isnull=False)),
    )


def loop_get(*, loop_id: int) -> Loop:
    """A loop with its interviews, focus, questions and interviewers. Raises Loop.DoesNotExist."""
    return _loop_queryset().get(pk=loop_id)


def loop_coverage(*, loop: Loop) -> list[tuple[Expectation, list[bool], int]]:
    """Each expectation at the loop's level with the interviews that assess it: the coverage
    table of the loop designer (uses the loop's prefetched interviews)."""
    interviews = list(loop.interviews.all())
    focus = [{row.competency_id for row in interview.focus_rows.all()} for interview in interviews]
    rows = []
    for expectation in Expectation.objects.filter(
        role_profile_id=loop.role_profile_id, level_id=loop.level_id
    ).select_related("competency"):
        cells = [expectation.competency_id in keys for keys in focus]
        rows.append((expectation, cells, sum(cells)))
    return rows


def interviewer_pool_for(*, ladder_id: int) -> QuerySet[Interviewer]:
    return (
        Interviewer.objects.filter(is_active=True, max_level__ladder_id=ladder_id)
        .select_related("user", "max_level")
        .prefetch_related("kinds", "conflicts")
    )


def interviewer_week_loads(
    *, interviewer_ids: list[int], weeks: set[str]
) -> dict[int, dict[str, int]]:
    """Interviews (led or shadowed) per interviewer per ISO week, for the weeks asked about."""
    loads: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    now_week = iso_week(None)
    for lead, shadow, starts_at in (
        Interview.objects.filter(
            Q(interviewer_id__in=interviewer_ids) | Q(shadow_id__in=interviewer_ids)
        )
        .exclude(status="cancelled")
        .values_list("interviewer_id", "shadow_id", "starts_at")
    ):
        week = iso_week(starts_at) if starts_at else now_week
        if week not in weeks:
            continue
        for person in (lead, shadow):
            if person in interviewer_ids:
                loads[person][week] += 1
    return {person: dict(weeks_) for person, weeks_ in loads.items()}


def interviewer_schedule(*, interviewer: Interviewer) -> QuerySet[Interview]:
    return (
        Interview.objects.filter(Q(interviewer=interviewer) | Q(shadow=interviewer))
        .exclude(status="cancelled")
        .select_related(
            "kind", "loop__role_profile", "loop__level", "interviewer__user", "shadow__user"
        )
        .order_by("starts_at", "pk")
    )


def _interview_events(interviews: list[Interview], base_url: str) -> list[CalendarEvent]:
    events = []
    for interview in interviews:
        if interview.starts_at is None or interview.ends_at is None:
            continue
        loop = interview.loop
        people = ", ".join(
            str(person) for person in (interview.interviewer, interview.shadow) if person
        )
        kit = f"{base_url}/loops/{loop.pk}/interviews/{interview.position}/"
        events.append(
            CalendarEvent(
                uid=f"interview-{interview.pk}@debrief",
                starts_at=interview.starts_at,
                ends_at=interview.ends_at,
                summary=f"{interview.kind.name}: {loop}",
                description=(
                    f"{interview.minutes}-minute {interview.kind.name} for "
                    f"{loop.role_profile.name} at {loop.level.code}."
                    + (f"\nInterviewers: {people}." if people else "")
                    + f"\nInterview kit: {kit}"
                ),
                url=kit,
            )
        )
    return events


def loop_calendar(*, loop: Loop, base_url: str) -> str:
    interviews = list(
        loop.interviews.select_related(
            "kind", "loop__role_profile", "loop__level", "interviewer__user", "shadow__user"
        ).order_by("position")
    )
    return calendar_render(
        name=str(loop), events=_interview_events(interviews, base_url), now=timezone.now()
    )


def interviewer_calendar(*, interviewer: Interviewer, base_url: str) -> str:
    return calendar_render(
        name=f"Interviews: {interviewer}",
        events=_interview_events(list(interviewer_schedule(interviewer=interviewer)), base_url),
        now=timezone.now(),
    )
