"""Feedback reminders: nag interviewers whose scorecard is late, and tell the recruiter when it
stays late.

The periodic task (hiring.tasks.feedback_reminders_send_task) runs this hourly, possibly on several
workers at once. Each message is first recorded as a FeedbackReminder row; the row's unique
(interview, kind, window) constraint lets exactly one run win it, and only the winner sends, after
its transaction commits. A message that could not be delivered gives its row back, so the task's
retry (or the next run) sends it, and nothing else twice.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core import mail
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from hiring.mailing import claimed_mail_deliver
from hiring.models import FeedbackReminder, ReminderKind, Scorecard, ScorecardStatus
from loops.models import Interview, InterviewStatus

logger = logging.getLogger(__name__)

# The recruiter hears about a late scorecard once, whatever the day.
ESCALATION_WINDOW = "once"


@dataclass(frozen=True)
class ReminderReport:
    """What one run found and recorded; the messages go out when its transaction commits.
    `due` counts the late interviews with a message due in this run, not every late one."""

    due: int
    reminders: int
    escalations: int

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


@dataclass(frozen=True)
class _Outgoing:
    """One message this run wants to send, and the row that claims the right to send it."""

    interview_id: int
    kind: str
    window: str
    message: mail.EmailMessage

    def claim(self) -> FeedbackReminder:
        return FeedbackReminder(
            interview_id=self.interview_id,
            kind=self.kind,
            window=self.window,
            recipient=self.message.to[0],
        )


def feedback_reminders_send(*, now: datetime | None = None) -> ReminderReport:
    """Remind the lead interviewer of every late scorecard (at most once per local calendar day)
    and escalate to the recruiter once it is SCORECARD_ESCALATION_DAYS late (once ever)."""
    now = now or timezone.now()
    if timezone.is_naive(now):
        raise ValueError("now must carry a time zone")
    local_zone = ZoneInfo(settings.TIME_ZONE)
    window = now.astimezone(local_zone).date().isoformat()
    escalate_ended_before = now - timedelta(days=settings.SCORECARD_ESCALATION_DAYS)
    with transaction.atomic():
        interviews = list(
            Interview.objects.filter(
                ends_at__lte=now - timedelta(hours=settings.SCORECARD_REMINDER_HOURS),
                interviewer__isnull=False,
                loop__application__isnull=False,
            )
            .exclude(status=InterviewStatus.CANCELLED)
            .exclude(
                Exists(
                    Scorecard.objects.filter(
                        interview=OuterRef("pk"),
                        interviewer=OuterRef("interviewer"),
                        status=ScorecardStatus.SUBMITTED,
                    )
                )
            )
            .annotate(
                reminded=Exists(
                    FeedbackReminder.objects.filter(
                        interview=OuterRef("pk"), kind=ReminderKind.REMINDER, window=window
                    )
                ),
                escalated=Exists(
                    FeedbackReminder.objects.filter(
                        interview=OuterRef("pk"), kind=ReminderKind.ESCALATION
                    )
                ),
            )
            .filter(Q(reminded=False) | Q(escalated=False, ends_at__lte=escalate_ended_before))
            .select_related(
                "kind",
                "interviewer__user",
                "loop__application__candidate",
                "loop__application__requisition__level",
                "loop__application__requisition__recruiter",
            )
            .order_by("ends_at", "pk")
        )
        outgoing: list[_Outgoing | None] = []
        for interview in interviews:
            if not interview.reminded:
                outgoing.append(_reminder(interview=interview, now=now, window=window))
            if not interview.escalated and _ended(interview) <= escalate_ended_before:
                outgoing.append(_escalation(interview=interview, now=now))
        claimed = _claim([item for item in outgoing if item is not None])
        if claimed:
            transaction.on_commit(partial(_deliver, claimed))
    report = ReminderReport(
        due=len(interviews),
        reminders=sum(item.kind == ReminderKind.REMINDER for item, _ in claimed),
        escalations=sum(item.kind == ReminderKind.ESCALATION for item, _ in claimed),
    )
    logger.info("Feedback reminders: %s", report)
    return report


def _claim(outgoing: list[_Outgoing]) -> list[tuple[_Outgoing, int]]:
    """Insert the rows that decide who sends; return the messages this run won, with their row."""
    if not outgoing:
        return []
    try:
        with transaction.atomic():
            rows = FeedbackReminder.objects.bulk_create([item.claim() for item in outgoing])
    except IntegrityError:
        # A concurrent run recorded some of these since we looked: decide row by row.
        return _claim_one_by_one(outgoing)
    return [(item, row.pk) for item, row in zip(outgoing, rows, strict=True)]


def _claim_one_by_one(outgoing: list[_Outgoing]) -> list[tuple[_Outgoing, int]]:
    won = []
    for item in outgoing:
        try:
            with transaction.atomic():
                row = item.claim()
                row.save(force_insert=True)
        except IntegrityError:
            continue
        won.append((item, row.pk))
    return won


def _deliver(claimed: list[tuple[_Outgoing, int]]) -> None:
    claimed_mail_deliver(
        [(item.message, row_id) for item, row_id in claimed],
        claims=FeedbackReminder,
        what="Feedback reminders",
    )


def _ended(interview: Interview) -> datetime:
    assert interview.ends_at is not None  # the query only finds interviews that ended
    return interview.ends_at


def _reminder(*, interview: Interview, now: datetime, window: str) -> _Outgoing | None:
    lead = interview.interviewer
    assert lead is not None  # the query only finds interviews with a lead
    if not lead.user.email:
        logger.warning("Interviewer %s has no email; cannot remind them", lead.pk)
        return None
    facts = _facts(interview=interview, now=now)
    body = (
        f"Hello {lead.user.get_short_name() or lead.user.get_username()},\n\n"
        "Your scorecard for this interview has not been submitted yet:\n\n"
        f"{facts}\n\n"
        "Scorecards are due "
        f"{settings.SCORECARD_REMINDER_HOURS} hours after the interview, while the evidence is "
        "fresh; the committee cannot decide until every one is in.\n\n"
        f"Submit it here: {_scorecard_url(interview)}\n\n"
        "Debrief\n"
    )
    subject = f"Scorecard due: {interview.kind.name} with {_candidate_name(interview)}"
    return _message(
        interview=interview,
        kind=ReminderKind.REMINDER,
        window=window,
        subject=subject,
        body=body,
        to=lead.user.email,
    )


def _escalation(*, interview: Interview, now: datetime) -> _Outgoing | None:
    lead = interview.interviewer
    assert lead is not None  # the query only finds interviews with a lead
    recruiter = interview.loop.application.requisition.recruiter
    if not recruiter.email:
        logger.warning("Recruiter %s has no email; cannot escalate", recruiter.pk)
        return None
    facts = _facts(interview=interview, now=now)
    body = (
        f"Hello {recruiter.get_short_name() or recruiter.get_username()},\n\n"
        f"{lead} has still not submitted their scorecard for this interview, "
        f"{settings.SCORECARD_ESCALATION_DAYS} or more days after it ended:\n\n"
        f"{facts}\n\n"
        "Debrief reminds them once a day until it is in; please follow up with them.\n\n"
        f"Scorecard page: {_scorecard_url(interview)}\n\n"
        "Debrief\n"
    )
    subject = f"Feedback overdue: {interview.kind.name} with {_candidate_name(interview)}"
    return _message(
        interview=interview,
        kind=ReminderKind.ESCALATION,
        window=ESCALATION_WINDOW,
        subject=subject,
        body=body,
        to=recruiter.email,
    )


def _message(
    *, interview: Interview, kind: str, window: str, subject: str, body: str, to: str
) -> _Outgoing:
    return _Outgoing(
        interview_id=interview.pk,
        kind=kind,
        window=window,
        message=mail.EmailMessage(subject=subject, body=body, to=[to]),
    )


def _facts(*, interview: Interview, now: datetime) -> str:
    """Which interview, and how late: the candidate's name is the only personal data shown."""
    requisition = interview.loop.application.requisition
    ended = _ended(interview)
    ended_local = ended.astimezone(ZoneInfo(settings.TIME_ZONE))
    return (
        f"  Candidate: {_candidate_name(interview)}\n"
        f"  Interview: {interview.kind.name}\n"
        f"  Role: {requisition.title}, level {requisition.level.code}\n"
        f"  Ended: {ended_local:%Y-%m-%d %H:%M} {settings.TIME_ZONE} "
        f"({_elapsed(now - ended)} ago)"
    )


def _candidate_name(interview: Interview) -> str:
    return interview.loop.application.candidate.name


def _scorecard_url(interview: Interview) -> str:
    path = reverse("hiring:scorecard", kwargs={"interview_id": interview.pk})
    return f"{settings.DEBRIEF_BASE_URL.rstrip('/')}{path}"


def _elapsed(delta: timedelta) -> str:
    hours = int(delta.total_seconds() // 3600)
    if hours < 48:
        return f"{hours} hours"
    return f"{hours // 24} days"
