"""Writes for the hiring committee: blind votes, decisions and their amendments, follow-ups.

Every rule about who may vote or decide, when a decision goes against the evidence, and what a
decision does to the application lives here; the pages, the API and the admin call these.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from hiring.errors import ConflictError
from hiring.models import (
    ApplicationStatus,
    Decision,
    Packet,
    PacketStatus,
    Requisition,
    ScorecardStatus,
    Vote,
    VoteChoice,
)
from hiring.packets import packet_mark_stale
from loops.models import Interview, InterviewQuestion, InterviewStatus
from loops.planner import LoopPlan
from loops.selectors import FOLLOW_UP_MINUTES, loop_plan_compute
from loops.services import loop_assign_interviewers, loop_extend
from rubrics.models import Level

AnyUser = User | AnonymousUser

EVIDENCE_THRESHOLD = 0.5
"""P(above the bar) at which the evidence recommends hiring; a decision against it diverges."""


def is_committee_member(*, user: AnyUser, requisition: Requisition) -> bool:
    if not user.is_authenticated:
        return False
    return requisition.committee_members.filter(pk=user.pk).exists()


def can_record_decision(*, user: AnyUser, requisition: Requisition) -> bool:
    """The chair's permission, on this requisition's committee (admins on any)."""
    if user.is_superuser:
        return True
    return user.has_perm("hiring.record_decision") and is_committee_member(
        user=user, requisition=requisition
    )


def _locked(packet: Packet) -> Packet:
    return (
        Packet.objects.select_for_update(of=("self",))
        .select_related("application__requisition__level", "current_decision")
        .get(pk=packet.pk)
    )


def _level_on_ladder(level: Level | None, requisition: Requisition, field: str) -> None:
    if level is not None and level.ladder_id != requisition.level.ladder_id:
        raise ValidationError({field: "Choose a level on this requisition's ladder."})


# --- votes ----------------------------------------------------------------------------------------


@transaction.atomic
def vote_cast(
    *, packet: Packet, user: AnyUser, choice: str, level: Level | None, rationale: str
) -> Vote:
    """A committee member's vote: once, with a level and a rationale, on a packet under review."""
    packet = _locked(packet)
    requisition = packet.application.requisition
    if not is_committee_member(user=user, requisition=requisition):
        raise PermissionDenied("Only this requisition's committee members vote on its packets.")
    errors: dict[str, str] = {}
    if choice not in VoteChoice.values:
        errors["choice"] = "Choose hire, no hire or hold."
    if level is None:
        errors["level"] = "Choose the level you would hire at (or consider)."
    if not rationale.strip():
        errors["rationale"] = "Say why: the evidence that decided your vote."
    if errors:
        raise ValidationError(errors)
    _level_on_ladder(level, requisition, "level")
    if packet.status != PacketStatus.READY:
        raise ValidationError("Votes open when every interview's feedback is in, until a decision.")
    assert isinstance(user, User)
    assert level is not None
    try:
        with transaction.atomic():
            return Vote.objects.create(
                packet=packet,
                member=user,
                choice=choice,
                level=level,
                rationale=rationale.strip(),
                p_above_bar_seen=packet.p_above_bar,
            )
    except IntegrityError as exc:
        raise ConflictError("You have already voted on this packet; votes are final.") from exc


# --- decisions ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Divergence:
    diverges: bool
    explanation: str


def decision_divergence(*, outcome: str, p_above_bar: float | None) -> Divergence:
    """Whether an outcome goes against the packet's evidence, and how (said in the history)."""
    if outcome == VoteChoice.HOLD:
        return Divergence(False, "")
    if p_above_bar is None:
        return Divergence(
            outcome == VoteChoice.HIRE, "Hire with no calibrated evidence on the packet."
        )
    if outcome == VoteChoice.HIRE and p_above_bar < EVIDENCE_THRESHOLD:
        return Divergence(True, f"Hire although P(above the bar) is {p_above_bar:.2f}, under 0.5.")
    if outcome == VoteChoice.NO_HIRE and p_above_bar >= EVIDENCE_THRESHOLD:
        return Divergence(
            True, f"No hire although P(above the bar) is {p_above_bar:.2f}, at least 0.5."
        )
    return Divergence(False, "")


_APPLICATION_STATUS = {
    VoteChoice.HIRE: ApplicationStatus.OFFER,
    VoteChoice.NO_HIRE: ApplicationStatus.REJECTED,
    VoteChoice.HOLD: ApplicationStatus.DEBRIEF,
}
_SETTLED = (ApplicationStatus.HIRED, ApplicationStatus.WITHDRAWN)


def _decision_write(
    packet: Packet,
    *,
    user: User,
    outcome: str,
    level: Level | None,
    rationale: str,
    follow_up: bool,
    amendment_reason: str,
) -> Decision:
    requisition = packet.application.requisition
    errors: dict[str, str] = {}
    if outcome not in VoteChoice.values:
        errors["outcome"] = "Choose hire, no hire or hold."
    if outcome == VoteChoice.HIRE and level is None:
        errors["level"] = "A hire needs the level of the offer."
    if follow_up and outcome != VoteChoice.HOLD:
        errors["follow_up"] = "Only a hold asks for a follow-up interview."
    divergence = decision_divergence(outcome=outcome, p_above_bar=packet.p_above_bar)
    if divergence.diverges and not rationale.strip():
        errors["rationale"] = (
            f"This decision goes against the evidence ({divergence.explanation}) "
            "and needs a rationale."
        )
    if errors:
        raise ValidationError(errors)
    _level_on_ladder(level, requisition, "level")
    version = packet.current_decision.version + 1 if packet.current_decision else 1
    decision = Decision.objects.create(
        packet=packet,
        version=version,
        outcome=outcome,
        level=level,
        rationale=rationale.strip(),
        amendment_reason=amendment_reason.strip(),
        diverges=divergence.diverges,
        divergence=divergence.explanation,
        p_above_bar=packet.p_above_bar,
        follow_up_requested=follow_up,
        decided_by=user,
    )
    packet.current_decision = decision
    if outcome == VoteChoice.HOLD:
        packet.status = PacketStatus.READY
    else:
        packet.status = PacketStatus.DECIDED
    packet.save(update_fields=["current_decision", "status"])
    application = packet.application
    if application.status not in _SETTLED:
        application.status = _APPLICATION_STATUS[VoteChoice(outcome)]
        application.save(update_fields=["status", "updated_at"])
    from hiring.audit import audit_record
    from hiring.models import AuditAction
    from hiring.notifications import decision_webhook_enqueue

    audit_record(
        action=AuditAction.DECISION_RECORDED if version == 1 else AuditAction.DECISION_AMENDED,
        actor=user,
        object_type="decision",
        object_id=decision.pk,
        detail={
            "packet": packet.pk,
            "application": application.pk,
            "version": version,
            "outcome": outcome,
            "level": level.code if level is not None else None,
            "diverges": divergence.diverges,
        },
    )
    decision_webhook_enqueue(decision=decision)
    return decision


def _decider(packet: Packet, user: AnyUser) -> User:
    if not can_record_decision(user=user, requisition=packet.application.requisition):
        raise PermissionDenied("Only the committee's chair records decisions.")
    assert isinstance(user, User)
    return user


@transaction.atomic
def decision_record(
    *,
    packet: Packet,
    user: AnyUser,
    outcome: str,
    level: Level | None,
    rationale: str = "",
    follow_up: bool = False,
) -> Decision:
    """The committee's decision on a packet whose feedback is complete and up to date."""
    packet = _locked(packet)
    decider = _decider(packet, user)
    if packet.current_decision is not None:
        raise ConflictError("A decision is already recorded; amend it, with a reason, instead.")
    if packet.status != PacketStatus.READY:
        raise ValidationError("A decision needs every interview's feedback in.")
    if packet.stale:
        raise ConflictError("The packet is being recomputed with new feedback; reload it.")
    return _decision_write(
        packet,
        user=decider,
        outcome=outcome,
        level=level,
        rationale=rationale,
        follow_up=follow_up,
        amendment_reason="",
    )


@transaction.atomic
def decision_amend(
    *,
    packet: Packet,
    user: AnyUser,
    expected_version: int,
    outcome: str,
    level: Level | None,
    reason: str,
    rationale: str = "",
    follow_up: bool = False,
) -> Decision:
    """A new decision in force; the old one stays in the history. `expected_version` is the
    decision the user was looking at, so two chairs amending at once cannot overwrite each
    other unseen."""
    packet = _locked(packet)
    decider = _decider(packet, user)
    current = packet.current_decision
    if current is None:
        raise ValidationError("There is no decision to amend yet.")
    if current.version != expected_version:
        raise ConflictError(
            f"The decision was amended meanwhile (now version {current.version}); reload it."
        )
    if not reason.strip():
        raise ValidationError({"reason": "Say why the decision changes."})
    return _decision_write(
        packet,
        user=decider,
        outcome=outcome,
        level=level,
        rationale=rationale,
        follow_up=follow_up,
        amendment_reason=reason,
    )


# --- follow-up interviews -------------------------------------------------------------------------


@dataclass(frozen=True)
class FollowUpProposal:
    competencies: tuple[str, ...]
    """What the follow-up should settle: coverage gaps and disagreements first."""
    why: tuple[str, ...]
    plan: LoopPlan


def follow_up_targets(packet: Packet) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Competencies the committee is least sure of, with the reason for each."""
    result = packet.result or {}
    flags = result.get("flags", {})
    targets: dict[str, str] = {}
    for key in flags.get("coverage_gaps", []):
        targets.setdefault(key, f"{key}: too few interviews rated it")
    for key in flags.get("disagreeing_competencies", []):
        targets.setdefault(key, f"{key}: the interviewers disagree")
    if not targets:
        bar = float(result.get("bar", 3.0))
        straddling = [
            c
            for c in result.get("competencies", [])
            if c.get("lower") is not None
            and c.get("upper") is not None
            and c["lower"] < bar < c["upper"]
        ]
        straddling.sort(key=lambda c: c["lower"] - c["upper"])
        for c in straddling[:2]:
            targets[c["competency"]] = f"{c['competency']}: its interval spans the bar"
    return tuple(targets), tuple(targets.values())


def follow_up_propose(*, packet: Packet) -> FollowUpProposal:
    """What the planner proposes to settle a hold; writes nothing."""
    application = packet.application
    loop = application.loop
    if loop is None:
        raise ValidationError("This application has no loop to extend.")
    competencies, why = follow_up_targets(packet)
    if not competencies:
        raise ValidationError("Nothing on this packet calls for a follow-up interview.")
    used = frozenset(
        InterviewQuestion.objects.filter(
            interview__loop__application__candidate_id=application.candidate_id
        ).values_list("question__key", flat=True)
    )
    plan = loop_plan_compute(
        role_profile=loop.role_profile,
        level=loop.level,
        used_question_keys=used,
        only_competencies=frozenset(competencies),
        budget_minutes=FOLLOW_UP_MINUTES,
    )
    return FollowUpProposal(competencies=competencies, why=why, plan=plan)


@transaction.atomic
def follow_up_schedule(*, packet: Packet, user: AnyUser) -> list[Interview]:
    """Add the proposed follow-up to the loop after a hold that asked for one, and assign
    interviewers; the packet collects feedback again until the new interviews are in."""
    packet = _locked(packet)
    requisition = packet.application.requisition
    if not (
        can_record_decision(user=user, requisition=requisition)
        or user.has_perm("hiring.change_application")
    ):
        raise PermissionDenied("Only the chair or a recruiter adds a follow-up interview.")
    decision = packet.current_decision
    if decision is None or decision.outcome != VoteChoice.HOLD or not decision.follow_up_requested:
        raise ValidationError("A follow-up is added after a hold that asks for one.")
    waiting = (
        Interview.objects.filter(loop=packet.application.loop)
        .exclude(status=InterviewStatus.CANCELLED)
        .exclude(scorecards__status=ScorecardStatus.SUBMITTED)
    )
    if waiting.exists():
        raise ConflictError("This loop already has an interview waiting for feedback.")
    proposal = follow_up_propose(packet=packet)
    if not proposal.plan.interviews:
        raise ValidationError(
            "The planner found no interview for these competencies: "
            + "; ".join(problem.reason for problem in proposal.plan.problems)
        )
    loop = packet.application.loop
    assert loop is not None
    added = loop_extend(loop=loop, plan=proposal.plan)
    loop_assign_interviewers(loop=loop, candidate_email=packet.application.candidate.email)
    interviews = list(
        Interview.objects.filter(pk__in=[i.pk for i in added])
        .select_related("interviewer__user", "kind")
        .order_by("position")
    )
    application = packet.application
    application.status = ApplicationStatus.INTERVIEWING
    application.save(update_fields=["status", "updated_at"])
    packet_mark_stale(application=application)
    return interviews
