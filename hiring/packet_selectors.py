"""Reads for the hiring committee: the dashboard's packets and everything one packet shows.

Who sees a packet: admins and recruiters every one; a committee member those of their
requisitions; nobody else any (a 404, not a 403, so a packet's existence is not disclosed).
`packet_review` reads a packet in a fixed number of queries however long the loop is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from hiring.charts import HeatCell, IntervalRow, heatmap, interval_chart
from hiring.committee import (
    EVIDENCE_THRESHOLD,
    can_record_decision,
    decision_divergence,
    is_committee_member,
)
from hiring.models import (
    CompetencyRating,
    Decision,
    InterviewerCalibration,
    LevelAssessment,
    Packet,
    PacketStatus,
    Requisition,
    Scorecard,
    ScorecardStatus,
    Vote,
)
from hiring.selectors import AnyUser, sees_all_hiring
from loops.models import Interview, InterviewStatus
from rubrics.models import Expectation, Level, Priority

LENIENCY_FLAG = 0.25
"""A leniency this far from zero (on the 1-4 scale), with an interval excluding zero, is flagged."""

NEXT_LEVEL_SCORE = 3.5
"""A calibrated score this high (between "yes" and "strong yes") is evidence above the level."""


def _visible_packets(user: AnyUser) -> QuerySet[Packet]:
    """The one visibility rule for packets."""
    if not user.is_authenticated or not user.has_perm("hiring.view_packet"):
        return Packet.objects.none()
    if sees_all_hiring(user):
        return Packet.objects.all()
    return Packet.objects.filter(
        Exists(
            Requisition.committee_members.through.objects.filter(
                requisition_id=OuterRef("application__requisition_id"), user_id=user.pk
            )
        )
    )


def packet_list_for(*, user: AnyUser) -> QuerySet[Packet]:
    """The packets this user may review, with what a dashboard row shows (no per-row query)."""
    return (
        _visible_packets(user)
        .select_related(
            "application__candidate",
            "application__requisition__role_profile",
            "application__requisition__level",
            "current_decision",
        )
        .annotate(
            # A correlated count, not a join: a join groups every visible packet before the page
            # is cut (docs/benchmarks.md measured 4x the database time at 10,000 packets).
            n_votes=Coalesce(
                Subquery(
                    Vote.objects.filter(packet_id=OuterRef("pk"))
                    .order_by()
                    .values("packet_id")
                    .annotate(n=Count("pk"))
                    .values("n"),
                    output_field=IntegerField(),
                ),
                0,
            ),
            i_voted=Exists(Vote.objects.filter(packet_id=OuterRef("pk"), member_id=user.pk or 0)),
        )
    )


def packet_status_counts(*, user: AnyUser) -> dict[str, int]:
    """How many packets the user may see are in each status (for the dashboard's summary)."""
    rows = _visible_packets(user).order_by().values_list("status").annotate(n=Count("pk"))
    return dict(rows)


SORTS = {
    "age": (F("ready_at").asc(nulls_last=True), "pk"),
    "probability": (F("p_above_bar").desc(nulls_last=True), "pk"),
    "-probability": (F("p_above_bar").asc(nulls_last=True), "pk"),
    "newest": (F("ready_at").desc(nulls_last=True), "-pk"),
}


def packets_filter(
    packets: QuerySet[Packet],
    *,
    requisition: int | None = None,
    role: str = "",
    level: str = "",
    status: str = "",
    sort: str = "age",
) -> QuerySet[Packet]:
    """The dashboard's filters and sorts (the page and the API share them)."""
    if requisition:
        packets = packets.filter(application__requisition_id=requisition)
    if role:
        packets = packets.filter(application__requisition__role_profile__key=role)
    if level:
        packets = packets.filter(application__requisition__level__code=level)
    if status:
        packets = packets.filter(status=status)
    return packets.order_by(*SORTS.get(sort, SORTS["age"]))


def days_waiting(packet: Packet, now: datetime | None = None) -> int | None:
    """Days since the feedback was complete, until the decision (None while collecting)."""
    if packet.ready_at is None or packet.status == PacketStatus.COLLECTING:
        return None
    end = packet.current_decision.decided_at if packet.current_decision else None
    if packet.status != PacketStatus.DECIDED or end is None:
        end = now or timezone.now()
    return max((end - packet.ready_at).days, 0)


def packet_get_for(*, user: AnyUser, packet_id: int) -> Packet:
    """Raises Packet.DoesNotExist for one the user may not see (so it reads as a 404)."""
    return (
        packet_list_for(user=user)
        .select_related("application__loop", "current_decision__level")
        .get(pk=packet_id)
    )


# --- one packet -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoopInterview:
    interview: Interview
    interviewer: str
    state: str
    """submitted, late, awaiting, upcoming, cancelled or unassigned."""
    submitted_at: datetime | None
    late: bool


@dataclass(frozen=True)
class EvidenceQuote:
    interviewer: str
    interview: str
    rating: int | None
    no_signal: bool
    text: str


@dataclass(frozen=True)
class CompetencyLine:
    key: str
    name: str
    priority: str
    bar: int
    mean: float | None
    lower: float | None
    upper: float | None
    n_signals: int
    verdict: str
    """above, below, or uncertain (the interval spans the bar), or no signal."""
    evidence: tuple[EvidenceQuote, ...]


@dataclass(frozen=True)
class Flag:
    kind: str
    text: str


@dataclass(frozen=True)
class LevelRecommendation:
    level: str
    meets: bool | None
    summary: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class VoteTally:
    cast: int
    members: int
    visible: bool
    """Others' votes show once this user has voted, or once a decision is recorded."""
    mine: Vote | None
    votes: tuple[Vote, ...]


@dataclass
class PacketReview:
    packet: Packet
    interviews: list[LoopInterview]
    competencies: list[CompetencyLine]
    flags: list[Flag]
    recommendation: LevelRecommendation
    tally: VoteTally
    decisions: list[Decision]
    levels: list[Level]
    heatmap_svg: str
    intervals_svg: str
    may_vote: bool
    may_decide: bool
    result: dict[str, Any] = field(default_factory=dict)

    @property
    def current_decision(self) -> Decision | None:
        return self.decisions[-1] if self.decisions else None

    @property
    def divergence_preview(self) -> dict[str, str]:
        """What each outcome would mean against the evidence, for the decision form."""
        return {
            outcome: decision_divergence(
                outcome=outcome, p_above_bar=self.packet.p_above_bar
            ).explanation
            for outcome in ("hire", "no_hire", "hold")
        }


def vote_tally(*, packet: Packet, user: AnyUser, decided: bool | None = None) -> VoteTally:
    """The blind rule in one place: the others' votes show once this user has voted, or once a
    decision is recorded; until then only how many have voted."""
    votes = list(packet.votes.select_related("member", "level").order_by("cast_at", "pk"))
    if decided is None:
        decided = packet.current_decision_id is not None
    mine = next((v for v in votes if v.member_id == user.pk), None)
    visible = mine is not None or decided
    return VoteTally(
        cast=len(votes),
        members=packet.application.requisition.committee_members.count(),
        visible=visible,
        mine=mine,
        votes=tuple(votes) if visible else (),
    )


def _late(interview: Interview, submitted_at: datetime | None, now: datetime) -> bool:
    if interview.ends_at is None:
        return False
    due = interview.ends_at + timedelta(hours=settings.SCORECARD_REMINDER_HOURS)
    return (submitted_at or now) > due


def _interview_state(interview: Interview, card: Scorecard | None, now: datetime) -> str:
    if interview.status == InterviewStatus.CANCELLED:
        return "cancelled"
    if card is not None:
        return "late" if _late(interview, card.submitted_at, now) else "submitted"
    if interview.interviewer_id is None:
        return "unassigned"
    if interview.ends_at is None or interview.ends_at > now:
        return "upcoming"
    return "late" if _late(interview, None, now) else "awaiting"


def _verdict(mean: float | None, lower: float | None, upper: float | None, bar: float) -> str:
    if mean is None or lower is None or upper is None:
        return "no signal"
    if lower >= bar:
        return "above"
    if upper < bar:
        return "below"
    return "uncertain"


def _level_recommendation(
    level: Level, levels: list[Level], result: dict[str, Any], cards: list[Scorecard]
) -> LevelRecommendation:
    """Meets the requisition's level when P(above the bar) is at least one half; evidence for
    the next level needs both a calibrated score of NEXT_LEVEL_SCORE and most interviewers
    assessing the candidate above the level."""
    same_track = sorted((lv for lv in levels if lv.track == level.track), key=lambda lv: lv.rank)
    above = next((lv for lv in same_track if lv.rank > level.rank), None)
    below = next((lv for lv in reversed(same_track) if lv.rank < level.rank), None)
    p = result.get("p_above_bar")
    score = result.get("score")
    assessments = [card.level_assessment for card in cards if card.level_assessment]
    share_above = assessments.count(LevelAssessment.ABOVE) / len(assessments) if assessments else 0
    share_below = assessments.count(LevelAssessment.BELOW) / len(assessments) if assessments else 0
    if p is None or score is None:
        return LevelRecommendation(level.code, None, "No calibrated evidence yet.", ())
    reasons = [f"P(above the {level.code} bar) = {p:.2f}; calibrated score {score:.2f}."]
    if assessments:
        reasons.append(
            f"{assessments.count(LevelAssessment.ABOVE)} of {len(assessments)} interviewers "
            f"assessed above {level.code}, {assessments.count(LevelAssessment.BELOW)} below."
        )
    if p >= EVIDENCE_THRESHOLD:
        if above is not None and score >= NEXT_LEVEL_SCORE and share_above > 0.5:
            summary = f"Meets {level.code}; the evidence also supports considering {above.code}."
        elif above is not None:
            summary = f"Meets {level.code}, not {above.code}."
        else:
            summary = f"Meets {level.code}."
        return LevelRecommendation(level.code, True, summary, tuple(reasons))
    if below is not None and score >= 2.5 and share_below > 0.5:
        summary = f"Does not meet {level.code}; closer to {below.code}."
    else:
        summary = f"Does not meet {level.code}."
    return LevelRecommendation(level.code, False, summary, tuple(reasons))


def packet_review(*, packet: Packet, user: AnyUser, now: datetime | None = None) -> PacketReview:
    """Everything the packet page and the packet API show, in a fixed number of queries."""
    now = now or timezone.now()
    application = packet.application
    requisition = application.requisition
    result = packet.result or {}
    submitted = Scorecard.objects.filter(
        status=ScorecardStatus.SUBMITTED, is_shadow=False
    ).prefetch_related(
        Prefetch("ratings", queryset=CompetencyRating.objects.select_related("competency"))
    )
    interviews = list(
        Interview.objects.filter(loop_id=application.loop_id or 0)
        .select_related("kind", "interviewer__user")
        .prefetch_related(Prefetch("scorecards", queryset=submitted, to_attr="submitted_cards"))
        .order_by("position")
    )
    expectations = list(
        Expectation.objects.filter(
            role_profile_id=requisition.role_profile_id, level_id=requisition.level_id
        ).select_related("competency")
    )
    levels = list(Level.objects.filter(ladder_id=requisition.level.ladder_id).order_by("rank"))
    decisions = list(packet.decisions.select_related("decided_by", "level").order_by("version"))
    interviewer_ids = [i.interviewer_id for i in interviews if i.interviewer_id]
    calibrations = {
        row.interviewer_id: row
        for row in InterviewerCalibration.objects.filter(
            calibration_id=packet.calibration_id or 0, interviewer_id__in=interviewer_ids
        )
    }
    cards = [card for interview in interviews for card in interview.submitted_cards]

    loop_rows = []
    for interview in interviews:
        card = next(iter(interview.submitted_cards), None)
        loop_rows.append(
            LoopInterview(
                interview=interview,
                interviewer=str(interview.interviewer) if interview.interviewer else "",
                state=_interview_state(interview, card, now),
                submitted_at=card.submitted_at if card else None,
                late=_late(interview, card.submitted_at if card else None, now),
            )
        )

    leniency = {int(k): float(v) for k, v in result.get("interviewer_leniency", {}).items()}
    rank = {Priority.MUST: 0, Priority.SHOULD: 1, Priority.NICE: 2}
    expectations.sort(key=lambda e: (rank.get(Priority(e.priority), 3), e.competency.name))
    estimates = {c["competency"]: c for c in result.get("competencies", [])}
    quotes: dict[str, list[EvidenceQuote]] = {}
    cells: dict[tuple[str, int], HeatCell] = {}
    for interview in interviews:
        for card in interview.submitted_cards:
            for rating in card.ratings.all():
                key = rating.competency.key
                raw = float(rating.rating) if rating.rating is not None else None
                adjust = leniency.get(card.interviewer_id)
                cells[(key, interview.pk)] = HeatCell(
                    raw=raw,
                    calibrated=raw - adjust if raw is not None and adjust is not None else None,
                    no_signal=rating.no_signal,
                )
                if rating.evidence.strip() or rating.no_signal:
                    quotes.setdefault(key, []).append(
                        EvidenceQuote(
                            interviewer=str(interview.interviewer or ""),
                            interview=interview.kind.name,
                            rating=rating.rating,
                            no_signal=rating.no_signal,
                            text=rating.evidence.strip() or rating.no_signal_reason.strip(),
                        )
                    )
    lines = []
    for expectation in expectations:
        key = expectation.competency.key
        estimate = estimates.get(key, {})
        mean, lower, upper = estimate.get("mean"), estimate.get("lower"), estimate.get("upper")
        lines.append(
            CompetencyLine(
                key=key,
                name=expectation.competency.name,
                priority=expectation.priority,
                bar=expectation.bar,
                mean=mean,
                lower=lower,
                upper=upper,
                n_signals=int(estimate.get("n_signals", 0)),
                verdict=_verdict(mean, lower, upper, expectation.bar),
                evidence=tuple(quotes.get(key, ())),
            )
        )
    rated_keys = {key for key, _ in cells}
    shown = [
        line
        for line in lines
        if line.n_signals or line.priority == Priority.MUST or line.key in rated_keys
    ]
    columns = [
        f"{i.position}. {i.kind.name}\n{str(i.interviewer) if i.interviewer else 'unassigned'}"
        for i in interviews
    ]
    heat = heatmap(
        row_labels=[line.name for line in shown],
        column_labels=columns,
        cells=[
            [cells.get((line.key, i.pk), HeatCell(raw=None)) for i in interviews] for line in shown
        ],
        title="Ratings by competency and interview: raw rating, calibrated value beneath",
    )
    intervals = interval_chart(
        [
            IntervalRow(
                label=line.name,
                value=line.mean,
                lower=line.lower,
                upper=line.upper,
                note=f"bar {line.bar} · n={line.n_signals}",
            )
            for line in shown
        ],
        low=1.0,
        high=4.0,
        reference=float(result.get("bar", 3.0)),
        reference_label="bar",
        ticks=(1, 2, 3, 4),
        title="Calibrated mean per competency with its interval, against the level's bar",
    )

    flags = _flags(result, interviews, loop_rows, calibrations, lines)
    is_member = is_committee_member(user=user, requisition=requisition)
    tally = vote_tally(packet=packet, user=user, decided=bool(decisions))
    return PacketReview(
        packet=packet,
        interviews=loop_rows,
        competencies=lines,
        flags=flags,
        recommendation=_level_recommendation(requisition.level, levels, result, cards),
        tally=tally,
        decisions=decisions,
        levels=levels,
        heatmap_svg=heat,
        intervals_svg=intervals,
        may_vote=is_member and tally.mine is None and packet.status == PacketStatus.READY,
        may_decide=can_record_decision(user=user, requisition=requisition),
        result=result,
    )


def _flags(
    result: dict[str, Any],
    interviews: Sequence[Interview],
    loop_rows: list[LoopInterview],
    calibrations: dict[int, InterviewerCalibration],
    lines: list[CompetencyLine],
) -> list[Flag]:
    names = {line.key: line.name for line in lines}
    raw = result.get("flags", {})
    flags = []
    gaps = raw.get("coverage_gaps", [])
    if gaps:
        flags.append(
            Flag(
                "coverage",
                "Coverage gap: fewer than two interviews rated "
                + ", ".join(names.get(k, k) for k in gaps)
                + ".",
            )
        )
    if raw.get("disagreement"):
        flags.append(
            Flag(
                "disagreement",
                "The interviews disagree more than noise explains "
                f"(p = {raw['disagreement_p']:.3f}).",
            )
        )
    disagreeing = raw.get("disagreeing_competencies", [])
    if disagreeing:
        flags.append(
            Flag(
                "disagreement",
                "Interviewers disagree on " + ", ".join(names.get(k, k) for k in disagreeing) + ".",
            )
        )
    for interview in interviews:
        fitted = calibrations.get(interview.interviewer_id or 0)
        if fitted is None or abs(fitted.leniency) < LENIENCY_FLAG:
            continue
        if fitted.leniency_lower > 0 or fitted.leniency_upper < 0:
            kind = "lenient" if fitted.leniency > 0 else "harsh"
            flags.append(
                Flag(
                    "leniency",
                    f"{interview.interviewer} is {kind} ({fitted.leniency:+.2f} on the 1-4 scale, "
                    f"over {fitted.n_interviews} interviews): their ratings in interview "
                    f"{interview.position} are adjusted by {-fitted.leniency:+.2f}.",
                )
            )
    for row in loop_rows:
        if row.late and row.state != "cancelled":
            when = "submitted late" if row.submitted_at else "still missing"
            flags.append(
                Flag(
                    "late",
                    f"Feedback for interview {row.interview.position} "
                    f"({row.interview.kind.name}, {row.interviewer or 'unassigned'}) {when}.",
                )
            )
    by_id = {str(i.pk): i for i in interviews}
    for interview_id in raw.get("flipping_interviews", []):
        dropped = by_id.get(str(interview_id))
        if dropped is None:
            continue
        flags.append(
            Flag(
                "fragile",
                f"The recommendation flips when interview {dropped.position} "
                f"({dropped.kind.name}, {dropped.interviewer or 'unassigned'}) is dropped.",
            )
        )
    return flags


def decision_history(*, packet: Packet) -> QuerySet[Decision]:
    return packet.decisions.select_related("decided_by", "level").order_by("version")
