"""Writes for loops: generating a loop from the planner, scheduling it, assigning interviewers."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from loops.assignment import InterviewerFacts, SlotToFill, assign_interviewers
from loops.models import (
    Interview,
    InterviewFocus,
    InterviewQuestion,
    InterviewStatus,
    Loop,
    LoopStatus,
)
from loops.planner import LoopPlan
from loops.selectors import (
    interviewer_pool_for,
    interviewer_week_loads,
    iso_week,
    loop_plan_compute,
)
from rubrics.models import Competency, InterviewKind, Level, Question, RoleProfile
from rubrics.services import role_profile_level_require


def _interviews_write(loop: Loop, plan: LoopPlan, *, after_position: int = 0) -> None:
    kinds = InterviewKind.objects.in_bulk(
        {interview.kind for interview in plan.interviews}, field_name="key"
    )
    competencies = Competency.objects.in_bulk(
        {key for interview in plan.interviews for key in interview.competencies}, field_name="key"
    )
    questions = Question.objects.in_bulk(
        {key for interview in plan.interviews for key in interview.questions}, field_name="key"
    )
    interviews = Interview.objects.bulk_create(
        [
            Interview(
                loop=loop, position=position, kind=kinds[planned.kind], minutes=planned.minutes
            )
            for position, planned in enumerate(plan.interviews, start=after_position + 1)
        ]
    )
    InterviewFocus.objects.bulk_create(
        [
            InterviewFocus(interview=interview, competency=competencies[key], position=position)
            for interview, planned in zip(interviews, plan.interviews, strict=True)
            for position, key in enumerate(planned.competencies, start=1)
        ]
    )
    InterviewQuestion.objects.bulk_create(
        [
            InterviewQuestion(interview=interview, question=questions[key], position=position)
            for interview, planned in zip(interviews, plan.interviews, strict=True)
            for position, key in enumerate(planned.questions, start=1)
        ]
    )


@transaction.atomic
def loop_generate(
    *,
    role_profile: RoleProfile,
    level: Level,
    title: str = "",
    used_question_keys: frozenset[str] = frozenset(),
    created_by: User | None = None,
) -> Loop:
    """Plan and save a draft loop. A plan that misses a guarantee is still saved, with the
    planner's explanation, so a recruiter can see why and adjust the rubric or the kinds."""
    role_profile_level_require(role_profile=role_profile, level=level)
    plan = loop_plan_compute(
        role_profile=role_profile, level=level, used_question_keys=used_question_keys
    )
    loop = Loop(
        title=title,
        role_profile=role_profile,
        level=level,
        budget_minutes=plan.budget_minutes,
        total_minutes=plan.total_minutes,
        problems=[problem.to_dict() for problem in plan.problems],
        created_by=created_by,
    )
    loop.full_clean()
    loop.save()
    _interviews_write(loop, plan)
    return loop


def _locked(loop: Loop) -> Loop:
    return Loop.objects.select_for_update().get(pk=loop.pk)


@transaction.atomic
def loop_regenerate(*, loop: Loop, used_question_keys: frozenset[str] = frozenset()) -> Loop:
    """Plan again (e.g. after the rubric or the question bank changed). Only a draft loop whose
    interviews have no time and no interviewer yet may be replanned."""
    loop = _locked(loop)
    if (
        loop.status != LoopStatus.DRAFT
        or loop.interviews.filter(starts_at__isnull=False).exists()
        or loop.interviews.filter(interviewer__isnull=False).exists()
    ):
        raise ValidationError(
            "Only a draft loop with nothing scheduled or assigned can be replanned."
        )
    plan = loop_plan_compute(
        role_profile=loop.role_profile, level=loop.level, used_question_keys=used_question_keys
    )
    loop.interviews.all().delete()
    loop.budget_minutes = plan.budget_minutes
    loop.total_minutes = plan.total_minutes
    loop.problems = [problem.to_dict() for problem in plan.problems]
    loop.save(update_fields=["budget_minutes", "total_minutes", "problems"])
    _interviews_write(loop, plan)
    return loop


@transaction.atomic
def loop_extend(*, loop: Loop, plan: LoopPlan) -> list[Interview]:
    """Append a follow-up plan's interviews after the loop's last one. The loop goes back to
    draft until they are scheduled; interviews already held are left as they are."""
    if not plan.interviews:
        raise ValidationError("The follow-up plan has no interview to add.")
    loop = _locked(loop)
    last = loop.interviews.order_by("-position").values_list("position", flat=True).first() or 0
    _interviews_write(loop, plan, after_position=last)
    loop.total_minutes += plan.total_minutes
    loop.status = LoopStatus.DRAFT
    loop.save(update_fields=["total_minutes", "status"])
    return list(loop.interviews.filter(position__gt=last).order_by("position"))


def _status_after_scheduling(loop: Loop) -> None:
    if (
        loop.status == LoopStatus.DRAFT
        and not loop.interviews.filter(starts_at__isnull=True).exists()
    ):
        loop.status = LoopStatus.SCHEDULED
        loop.save(update_fields=["status"])


@transaction.atomic
def interview_schedule(
    *, interview: Interview, starts_at: datetime, ends_at: datetime | None = None
) -> Interview:
    """Give one interview its time; the loop becomes scheduled when every interview has one."""
    if timezone.is_naive(starts_at) or (ends_at is not None and timezone.is_naive(ends_at)):
        raise ValidationError({"starts_at": "Times must carry a time zone."})
    loop = _locked(interview.loop)
    interview = Interview.objects.select_for_update().get(pk=interview.pk)
    if loop.status == LoopStatus.COMPLETE or interview.status in (
        InterviewStatus.COMPLETED,
        InterviewStatus.CANCELLED,
    ):
        raise ValidationError("This interview can no longer be rescheduled.")
    ends_at = ends_at or starts_at + timedelta(minutes=interview.minutes)
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": "The interview must end after it starts."})
    interview.starts_at, interview.ends_at = starts_at, ends_at
    interview.status = InterviewStatus.SCHEDULED
    interview.save(update_fields=["starts_at", "ends_at", "status"])
    _status_after_scheduling(loop)
    return interview


@transaction.atomic
def loop_schedule_day(*, loop: Loop, starts_at: datetime, break_minutes: int = 15) -> Loop:
    """Slot the interviews back to back in plan order, with a break between them."""
    if break_minutes < 0 or break_minutes > 120:
        raise ValidationError({"break_minutes": "A break is between 0 and 120 minutes."})
    if timezone.is_naive(starts_at):
        raise ValidationError({"starts_at": "Times must carry a time zone."})
    loop = _locked(loop)
    if loop.status not in (LoopStatus.DRAFT, LoopStatus.SCHEDULED):
        raise ValidationError("Only a loop that has not started can be rescheduled.")
    moment = starts_at
    interviews = list(loop.interviews.order_by("position"))
    for interview in interviews:
        interview.starts_at = moment
        interview.ends_at = moment + timedelta(minutes=interview.minutes)
        interview.status = InterviewStatus.SCHEDULED
        moment = interview.ends_at + timedelta(minutes=break_minutes)
    Interview.objects.bulk_update(interviews, ["starts_at", "ends_at", "status"])
    _status_after_scheduling(loop)
    return loop


@transaction.atomic
def loop_assign_interviewers(*, loop: Loop, candidate_email: str = "") -> list[str]:
    """Assign a lead (and a shadow where training calls for one) to every interview without one.
    Returns the explanations for interviews nobody could take; those stay unassigned."""
    loop = _locked(loop)
    interviews = list(
        loop.interviews.select_related("kind").filter(interviewer__isnull=True).order_by("position")
    )
    if not interviews:
        return []
    taken = set(
        loop.interviews.filter(interviewer__isnull=False).values_list("interviewer_id", flat=True)
    ) | set(loop.interviews.filter(shadow__isnull=False).values_list("shadow_id", flat=True))
    pool = list(interviewer_pool_for(ladder_id=loop.level.ladder_id).exclude(pk__in=taken))
    slots = [
        SlotToFill(
            position=interview.position,
            kind=interview.kind.key,
            kind_name=interview.kind.name,
            level_rank=loop.level.rank,
            week=iso_week(interview.starts_at),
        )
        for interview in interviews
    ]
    loads = interviewer_week_loads(
        interviewer_ids=[person.pk for person in pool], weeks={slot.week for slot in slots}
    )
    email = candidate_email.strip().lower()
    facts = [
        InterviewerFacts(
            id=person.pk,
            name=str(person),
            kinds=frozenset(kind.key for kind in person.kinds.all()),
            max_rank=person.max_level.rank,
            training_state=person.training_state,
            weekly_cap=person.weekly_cap,
            load_by_week=loads.get(person.pk, {}),
            conflicted=bool(email)
            and any(c.email.lower() == email for c in person.conflicts.all()),
        )
        for person in pool
    ]
    by_position = {interview.position: interview for interview in interviews}
    problems = []
    for assignment in assign_interviewers(slots=slots, pool=facts):
        interview = by_position[assignment.position]
        if assignment.interviewer is None:
            problems.append(
                f"Interview {interview.position} ({interview.kind.name}): {assignment.problem}"
            )
            continue
        interview.interviewer_id = assignment.interviewer
        interview.shadow_id = assignment.shadow
    Interview.objects.bulk_update(interviews, ["interviewer", "shadow"])
    return problems
