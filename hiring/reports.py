"""Reads for the hiring reports: interviewer calibration, reliability per competency, question
exposure, the funnel and adverse impact. Each returns typed rows in a fixed number of queries
(however much data there is), and each has a CSV builder so the export shows the page's numbers.

Statistics come from the engine (hiring.aggregation); this module only gathers its inputs.
Self-identification is read only here, and only as counts per group: no row names a candidate.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from django.conf import settings
from django.db.models import Case, CharField, Count, F, Max, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from hiring import aggregation as engine
from hiring.aggregation.fairness import FOUR_FIFTHS, MIN_GROUP_SIZE
from hiring.models import (
    Application,
    ApplicationStatus,
    CompetencyRating,
    InterviewerCalibration,
    Requisition,
    Scorecard,
    ScorecardStatus,
    SelfIdentification,
    VoteChoice,
)
from hiring.packets import latest_calibration
from loops.models import Interview, InterviewQuestion, InterviewStatus, Loop
from rubrics.models import Question, QuestionStatus

CsvCell = str | int | float | None
CsvTable = tuple[list[str], list[list[CsvCell]]]
"""A header and its rows, ready for csv.writer."""


def _csv_number(value: float | None, places: int = 4) -> float | None:
    return None if value is None else round(value, places)


def _csv_time(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


# --- interviewer calibration ----------------------------------------------------------------------


@dataclass(frozen=True)
class CalibrationSummary:
    """Which fit the leniencies come from, and whether the model ran or fell back."""

    id: int
    fitted_at: datetime
    method: str
    reason: str
    n_scorecards: int
    interval: float

    @property
    def is_fallback(self) -> bool:
        return self.method != "rater_effects"


@dataclass(frozen=True)
class InterviewerCalibrationRow:
    interviewer_id: int
    name: str
    leniency: float
    leniency_lower: float
    leniency_upper: float
    noise_sd: float
    n_interviews: int
    """Interviews the fit saw from this interviewer."""
    volume: int
    """Submitted, non-shadow scorecards (all time, including those after the fit)."""
    feedback_due: int
    """Scorecards whose deadline has passed: submitted ones on an interview with an end time,
    plus interviews they led that ended over the deadline ago with no submitted scorecard."""
    late: int
    """Of those, submitted after the deadline or still missing."""

    @property
    def late_rate(self) -> float | None:
        return _share(self.late, self.feedback_due)

    @property
    def lean(self) -> str:
        """Lenient or harsh when the whole interval is on one side of zero; else blank."""
        if self.leniency_lower > 0:
            return "lenient"
        if self.leniency_upper < 0:
            return "harsh"
        return ""


@dataclass(frozen=True)
class InterviewerCalibrationReport:
    calibration: CalibrationSummary | None
    """None: no calibration has been fitted yet, so there is nothing to report."""
    rows: tuple[InterviewerCalibrationRow, ...]
    reminder_hours: int


def interviewer_calibration_report(*, now: datetime | None = None) -> InterviewerCalibrationReport:
    """Leniency and noise from the latest fit, next to each interviewer's volume and how often
    their feedback came in after the reminder deadline (4 queries)."""
    now = now or timezone.now()
    hours = settings.SCORECARD_REMINDER_HOURS
    calibration = latest_calibration()
    if calibration is None:
        return InterviewerCalibrationReport(calibration=None, rows=(), reminder_hours=hours)
    entries = list(
        InterviewerCalibration.objects.filter(calibration=calibration).select_related(
            "interviewer__user"
        )
    )
    in_fit = InterviewerCalibration.objects.filter(calibration=calibration).values("interviewer_id")
    deadline = F("interview__ends_at") + timedelta(hours=hours)
    submitted: dict[int, tuple[int, int, int]] = {
        interviewer: (volume, timed, late)
        for interviewer, volume, timed, late in Scorecard.objects.filter(
            status=ScorecardStatus.SUBMITTED, is_shadow=False, interviewer_id__in=in_fit
        )
        .values("interviewer_id")
        .annotate(
            volume=Count("pk"),
            timed=Count("pk", filter=Q(interview__ends_at__isnull=False)),
            late=Count("pk", filter=Q(submitted_at__gt=deadline)),
        )
        .order_by()
        .values_list("interviewer_id", "volume", "timed", "late")
    }
    missing = dict(
        _overdue_interviews(now=now, hours=hours)
        .filter(interviewer_id__in=in_fit)
        .values("interviewer_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("interviewer_id", "n")
    )
    rows = []
    for entry in entries:
        volume, timed, late = submitted.get(entry.interviewer_id, (0, 0, 0))
        overdue = missing.get(entry.interviewer_id, 0)
        rows.append(
            InterviewerCalibrationRow(
                interviewer_id=entry.interviewer_id,
                name=str(entry.interviewer),
                leniency=entry.leniency,
                leniency_lower=entry.leniency_lower,
                leniency_upper=entry.leniency_upper,
                noise_sd=entry.noise_sd,
                n_interviews=entry.n_interviews,
                volume=volume,
                feedback_due=timed + overdue,
                late=late + overdue,
            )
        )
    rows.sort(key=lambda row: (-row.leniency, row.name))
    summary = CalibrationSummary(
        id=calibration.pk,
        fitted_at=calibration.fitted_at,
        method=calibration.method,
        reason=calibration.reason,
        n_scorecards=calibration.n_scorecards,
        interval=engine.DEFAULT_INTERVAL,
    )
    return InterviewerCalibrationReport(calibration=summary, rows=tuple(rows), reminder_hours=hours)


def _overdue_interviews(*, now: datetime, hours: int) -> QuerySet[Interview]:
    """Interviews whose lead owes feedback past the deadline: the reminders' definition."""
    return (
        Interview.objects.filter(
            ends_at__lte=now - timedelta(hours=hours),
            interviewer__isnull=False,
            loop__application__isnull=False,
        )
        .exclude(status=InterviewStatus.CANCELLED)
        .exclude(
            pk__in=Scorecard.objects.filter(
                status=ScorecardStatus.SUBMITTED, interviewer_id=F("interview__interviewer_id")
            ).values("interview_id")
        )
    )


def interviewer_calibration_csv(report: InterviewerCalibrationReport) -> CsvTable:
    header = [
        "interviewer",
        "leniency",
        "leniency_lower",
        "leniency_upper",
        "lean",
        "noise_sd",
        "interviews_in_fit",
        "submitted_scorecards",
        "feedback_due",
        "late",
        "late_rate",
    ]
    rows: list[list[CsvCell]] = [
        [
            row.name,
            _csv_number(row.leniency),
            _csv_number(row.leniency_lower),
            _csv_number(row.leniency_upper),
            row.lean,
            _csv_number(row.noise_sd),
            row.n_interviews,
            row.volume,
            row.feedback_due,
            row.late,
            _csv_number(row.late_rate),
        ]
        for row in report.rows
    ]
    return header, rows


# --- reliability ----------------------------------------------------------------------------------

RELIABLE_ALPHA = 0.8
TENTATIVE_ALPHA = 0.667
"""Krippendorff's guidelines: rely on alpha >= .800; draw tentative conclusions from .667."""

MIN_PAIRABLE_UNITS = 2


@dataclass(frozen=True)
class CompetencyReliabilityRow:
    competency_key: str
    competency_name: str
    units: int
    """Applications where the competency was rated at least once."""
    pairable_units: int
    """Applications where it was rated at least twice: only these say anything about agreement."""
    pairable_ratings: int
    alpha: float | None
    note: str
    """Why alpha is missing: "not enough data" or "ratings do not vary"."""

    @property
    def verdict(self) -> str:
        if self.alpha is None:
            return ""
        if self.alpha >= RELIABLE_ALPHA:
            return "reliable"
        if self.alpha >= TENTATIVE_ALPHA:
            return "tentative"
        return "unreliable"


@dataclass(frozen=True)
class ReliabilityReport:
    rows: tuple[CompetencyReliabilityRow, ...]
    min_pairable_units: int


def reliability_report() -> ReliabilityReport:
    """Krippendorff's alpha (ordinal) per competency over submitted, non-shadow ratings (1 query).

    A unit is one application's competency; its values are the interviewers' ratings. "No signal"
    is a missing value, never a rating. An interviewer who rated the same competency in two
    interviews of one loop gives two values, as two interviews would."""
    values = (
        CompetencyRating.objects.filter(
            scorecard__status=ScorecardStatus.SUBMITTED,
            scorecard__is_shadow=False,
            scorecard__interview__loop__application__isnull=False,
            no_signal=False,
            rating__isnull=False,
        )
        .values_list(
            "competency__key",
            "competency__name",
            "scorecard__interview__loop__application",
            "rating",
        )
        .order_by()
    )
    names: dict[str, str] = {}
    units: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for key, name, application_id, rating in values:
        if rating is None:
            continue
        names[key] = name
        units[key][application_id].append(rating)
    rows = [
        _reliability_row(key, names[key], list(units[key].values()))
        for key in sorted(names, key=lambda k: (names[k], k))
    ]
    return ReliabilityReport(rows=tuple(rows), min_pairable_units=MIN_PAIRABLE_UNITS)


def _reliability_row(key: str, name: str, units: list[list[int]]) -> CompetencyReliabilityRow:
    pairable = [unit for unit in units if len(unit) >= 2]
    alpha: float | None = None
    note = ""
    if len(pairable) < MIN_PAIRABLE_UNITS:
        note = "not enough data"
    else:
        width = max(len(unit) for unit in pairable)
        matrix = np.full((len(pairable), width), np.nan)
        for index, unit in enumerate(pairable):
            matrix[index, : len(unit)] = unit
        value = engine.krippendorff_alpha(matrix, "ordinal")
        if math.isfinite(value):
            alpha = value
        else:
            note = "ratings do not vary"
    return CompetencyReliabilityRow(
        competency_key=key,
        competency_name=name,
        units=len(units),
        pairable_units=len(pairable),
        pairable_ratings=sum(len(unit) for unit in pairable),
        alpha=alpha,
        note=note,
    )


def reliability_csv(report: ReliabilityReport) -> CsvTable:
    header = [
        "competency",
        "competency_name",
        "units",
        "pairable_units",
        "pairable_ratings",
        "alpha",
        "verdict",
        "note",
    ]
    rows: list[list[CsvCell]] = [
        [
            row.competency_key,
            row.competency_name,
            row.units,
            row.pairable_units,
            row.pairable_ratings,
            _csv_number(row.alpha),
            row.verdict,
            row.note,
        ]
        for row in report.rows
    ]
    return header, rows


# --- question bank use and exposure ---------------------------------------------------------------

OVER_EXPOSURE_SHARE = 0.25
"""An active question asked in more than a quarter of the loops that asked about its competency
is over-exposed: with one candidate in four having heard it, answers circulate."""

OVER_EXPOSURE_MIN_LOOPS = 4
"""Below this many loops on a competency a share means little (one use of a question in three
loops is 33%), so nothing is flagged."""

PERIODS = (30, 90, 365)
"""The periods (days) the page offers; None is all time."""


@dataclass(frozen=True)
class QuestionUsageRow:
    question_id: int
    key: str
    competency_name: str
    status: str
    times_used: int
    candidates: int
    """Distinct candidates who were asked it."""
    loops: int
    share_of_loops: float | None
    """Of every candidate's loop in the period."""
    competency_loops: int
    """Loops in the period that asked any question on this competency."""
    share_of_competency_loops: float | None
    last_used: datetime | None
    over_exposed: bool
    unused: bool
    """Active but not asked in the period."""


@dataclass(frozen=True)
class QuestionExposureReport:
    rows: tuple[QuestionUsageRow, ...]
    days: int | None
    since: datetime | None
    total_loops: int
    over_exposure_share: float
    over_exposure_min_loops: int

    @property
    def over_exposed(self) -> int:
        return sum(row.over_exposed for row in self.rows)

    @property
    def unused(self) -> int:
        return sum(row.unused for row in self.rows)


def question_exposure_report(
    *, days: int | None = None, now: datetime | None = None
) -> QuestionExposureReport:
    """How often each question of the bank was asked, to how many candidates, and in what share
    of loops (4 queries).

    Only loops planned for a candidate count, from when they were planned (a designer's draft
    exposes nobody), and a cancelled interview asked nothing. Last used is the latest interview
    that asked it (when its loop was planned, while unscheduled)."""
    since = None if days is None else (now or timezone.now()) - timedelta(days=days)
    period = Q() if since is None else Q(interview__loop__created_at__gte=since)
    usages = (
        InterviewQuestion.objects.filter(period, interview__loop__application__isnull=False)
        .exclude(interview__status=InterviewStatus.CANCELLED)
        .order_by()
    )
    stats: dict[int, tuple[int, int, int, datetime | None]] = {
        question: (times, candidates, loops, last)
        for question, times, candidates, loops, last in usages.values("question_id")
        .annotate(
            times=Count("pk"),
            candidates=Count("interview__loop__application__candidate", distinct=True),
            loops=Count("interview__loop", distinct=True),
            last=Max(Coalesce("interview__starts_at", "interview__loop__created_at")),
        )
        .values_list("question_id", "times", "candidates", "loops", "last")
    }
    competency_loops = dict(
        usages.values("question__competency_id")
        .annotate(n=Count("interview__loop", distinct=True))
        .values_list("question__competency_id", "n")
    )
    loops = Loop.objects.filter(application__isnull=False)
    if since is not None:
        loops = loops.filter(created_at__gte=since)
    total_loops = loops.count()
    rows = []
    for question in Question.objects.select_related("competency").order_by(
        "competency__name", "key"
    ):
        times, candidates, used_loops, last = stats.get(question.pk, (0, 0, 0, None))
        on_competency = competency_loops.get(question.competency_id, 0)
        share_of_competency = _share(used_loops, on_competency)
        active = question.status == QuestionStatus.ACTIVE
        rows.append(
            QuestionUsageRow(
                question_id=question.pk,
                key=question.key,
                competency_name=question.competency.name,
                status=question.status,
                times_used=times,
                candidates=candidates,
                loops=used_loops,
                share_of_loops=_share(used_loops, total_loops),
                competency_loops=on_competency,
                share_of_competency_loops=share_of_competency,
                last_used=last,
                over_exposed=active
                and on_competency >= OVER_EXPOSURE_MIN_LOOPS
                and share_of_competency is not None
                and share_of_competency > OVER_EXPOSURE_SHARE,
                unused=active and times == 0,
            )
        )
    return QuestionExposureReport(
        rows=tuple(rows),
        days=days,
        since=since,
        total_loops=total_loops,
        over_exposure_share=OVER_EXPOSURE_SHARE,
        over_exposure_min_loops=OVER_EXPOSURE_MIN_LOOPS,
    )


def question_exposure_csv(report: QuestionExposureReport) -> CsvTable:
    header = [
        "question",
        "competency",
        "status",
        "times_used",
        "candidates",
        "loops",
        "share_of_loops",
        "competency_loops",
        "share_of_competency_loops",
        "last_used",
        "over_exposed",
        "unused",
    ]
    rows: list[list[CsvCell]] = [
        [
            row.key,
            row.competency_name,
            row.status,
            row.times_used,
            row.candidates,
            row.loops,
            _csv_number(row.share_of_loops),
            row.competency_loops,
            _csv_number(row.share_of_competency_loops),
            _csv_time(row.last_used),
            "yes" if row.over_exposed else "no",
            "yes" if row.unused else "no",
        ]
        for row in report.rows
    ]
    return header, rows


# --- funnel ---------------------------------------------------------------------------------------

STAGES: tuple[str, ...] = (
    ApplicationStatus.APPLIED,
    ApplicationStatus.INTERVIEWING,
    ApplicationStatus.DEBRIEF,
    ApplicationStatus.OFFER,
    ApplicationStatus.HIRED,
)
EXITS: tuple[str, ...] = (ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN)


@dataclass(frozen=True)
class FunnelStage:
    status: str
    label: str
    current: int
    """Applications at this stage now."""
    reached: int
    """Applications that got at least this far (now here, further on, or left after it)."""
    conversion: float | None
    """reached over the previous stage's reached."""


@dataclass(frozen=True)
class FunnelRow:
    requisition_id: int | None
    """None on the total row."""
    title: str
    stages: tuple[FunnelStage, ...]
    rejected: int
    withdrawn: int
    total: int

    @property
    def overall_conversion(self) -> float | None:
        """Hired over applied."""
        return _share(self.stages[-1].reached, self.stages[0].reached)


@dataclass(frozen=True)
class RequisitionOption:
    id: int
    label: str


@dataclass(frozen=True)
class FunnelReport:
    rows: tuple[FunnelRow, ...]
    total: FunnelRow
    requisitions: tuple[RequisitionOption, ...]
    requisition_id: int | None


def _furthest_stage() -> Case:
    """The furthest stage an application reached. Rejected and withdrawn ones left at a stage
    no field records, so it is read from the evidence: a hire decision means an offer, a packet
    that was ready (or decided) means committee review, a loop means interviews."""
    return Case(
        When(status__in=STAGES, then=F("status")),
        When(packet__current_decision__outcome=VoteChoice.HIRE, then=Value(STAGES[3])),
        When(
            Q(packet__ready_at__isnull=False) | Q(packet__current_decision__isnull=False),
            then=Value(STAGES[2]),
        ),
        When(loop__isnull=False, then=Value(STAGES[1])),
        default=Value(STAGES[0]),
        output_field=CharField(),
    )


def funnel_report(*, requisition_id: int | None = None) -> FunnelReport:
    """Applications per stage and requisition, with the conversion from each stage to the next
    (2 queries). Raises Requisition.DoesNotExist for an unknown requisition."""
    requisitions = tuple(
        RequisitionOption(id=pk, label=f"{title} ({level})")
        for pk, title, level in Requisition.objects.order_by("title", "pk").values_list(
            "pk", "title", "level__code"
        )
    )
    labels = {option.id: option.label for option in requisitions}
    if requisition_id is not None and requisition_id not in labels:
        raise Requisition.DoesNotExist(f"No requisition {requisition_id}.")
    applications = Application.objects.all()
    if requisition_id is not None:
        applications = applications.filter(requisition_id=requisition_id)
    counts: dict[int, dict[tuple[str, str], int]] = defaultdict(lambda: defaultdict(int))
    for requisition, status, furthest, n in (
        applications.annotate(furthest=_furthest_stage())
        .values("requisition_id", "status", "furthest")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("requisition_id", "status", "furthest", "n")
    ):
        counts[requisition][(status, furthest)] += n
    rows = tuple(
        _funnel_row(pk, labels[pk], counts[pk])
        for pk in sorted(counts, key=lambda pk: (labels[pk], pk))
    )
    overall: dict[tuple[str, str], int] = defaultdict(int)
    for by_status in counts.values():
        for key, n in by_status.items():
            overall[key] += n
    return FunnelReport(
        rows=rows,
        total=_funnel_row(None, "All requisitions", overall),
        requisitions=requisitions,
        requisition_id=requisition_id,
    )


def _funnel_row(pk: int | None, title: str, counts: dict[tuple[str, str], int]) -> FunnelRow:
    labels = dict(ApplicationStatus.choices)
    stages = []
    previous: int | None = None
    for index, stage in enumerate(STAGES):
        current = sum(n for (status, _), n in counts.items() if status == stage)
        reached = sum(n for (_, furthest), n in counts.items() if STAGES.index(furthest) >= index)
        conversion = None if previous is None else _share(reached, previous)
        stages.append(FunnelStage(stage, labels[stage], current, reached, conversion))
        previous = reached
    exits = {
        status: sum(n for (current, _), n in counts.items() if current == status)
        for status in EXITS
    }
    return FunnelRow(
        requisition_id=pk,
        title=title,
        stages=tuple(stages),
        rejected=exits[ApplicationStatus.REJECTED],
        withdrawn=exits[ApplicationStatus.WITHDRAWN],
        total=sum(counts.values()),
    )


def funnel_csv(report: FunnelReport) -> CsvTable:
    """One line per requisition and stage (then its exits), and the same for the total."""
    header = ["requisition_id", "requisition", "stage", "current", "reached", "conversion"]
    rows: list[list[CsvCell]] = []
    for row in (*report.rows, report.total):
        for stage in row.stages:
            rows.append(
                [
                    row.requisition_id,
                    row.title,
                    stage.status,
                    stage.current,
                    stage.reached,
                    _csv_number(stage.conversion),
                ]
            )
        rows.append([row.requisition_id, row.title, ApplicationStatus.REJECTED, row.rejected])
        rows.append([row.requisition_id, row.title, ApplicationStatus.WITHDRAWN, row.withdrawn])
    rows = [line + [None] * (len(header) - len(line)) for line in rows]
    return header, rows


# --- adverse impact -------------------------------------------------------------------------------

DIMENSIONS: tuple[tuple[str, str], ...] = (("gender", "Gender"), ("ethnicity", "Ethnicity"))
SELECTED: tuple[str, ...] = (ApplicationStatus.OFFER, ApplicationStatus.HIRED)
FINAL: tuple[str, ...] = (*SELECTED, ApplicationStatus.REJECTED)
SIGNIFICANCE = 0.05


@dataclass(frozen=True)
class GroupLine:
    """One group's line: the engine's numbers, or why there are none."""

    group: str
    suppressed: bool
    applications: int | None
    selected: int | None
    rate: float | None
    impact_ratio: float | None
    four_fifths_flag: bool | None
    fisher_p: float | None
    reference: bool
    note: str

    @property
    def significant(self) -> bool:
        return self.fisher_p is not None and self.fisher_p < SIGNIFICANCE


@dataclass(frozen=True)
class ImpactDimension:
    key: str
    label: str
    groups: tuple[GroupLine, ...]
    reference_group: str | None


@dataclass(frozen=True)
class AdverseImpactReport:
    has_data: bool
    """False until someone self-identifies: then the page explains instead of reporting."""
    dimensions: tuple[ImpactDimension, ...]
    """The dimensions at least one candidate answered."""
    min_group_size: int
    four_fifths: float
    significance: float


def adverse_impact_report() -> AdverseImpactReport:
    """Selection rates by self-identified group, over applications that reached a final state
    (selected: offer or hired; not selected: rejected; withdrawn ones made no decision), with the
    four-fifths rule and Fisher's exact test from the engine (2 queries).

    A blank answer is a question the candidate chose not to answer: that application is left
    out of that dimension. Groups below the engine's minimum size are suppressed."""
    min_size = MIN_GROUP_SIZE
    answered = SelfIdentification.objects.aggregate(
        gender=Count("pk", filter=~Q(gender="")),
        ethnicity=Count("pk", filter=~Q(ethnicity="")),
    )
    present = [(key, label) for key, label in DIMENSIONS if answered[key]]
    if not present:
        return AdverseImpactReport(
            has_data=False,
            dimensions=(),
            min_group_size=min_size,
            four_fifths=FOUR_FIFTHS,
            significance=SIGNIFICANCE,
        )
    counts: dict[str, dict[str, list[int]]] = {key: {} for key, _ in present}
    for row in (
        Application.objects.filter(status__in=FINAL, candidate__self_identification__isnull=False)
        .values(
            group_gender=F("candidate__self_identification__gender"),
            group_ethnicity=F("candidate__self_identification__ethnicity"),
        )
        .annotate(selected=Count("pk", filter=Q(status__in=SELECTED)), total=Count("pk"))
        .order_by()
    ):
        answers = {"gender": row["group_gender"], "ethnicity": row["group_ethnicity"]}
        for key in counts:
            group = answers[key]
            if group:
                tally = counts[key].setdefault(group, [0, 0])
                tally[0] += row["selected"]
                tally[1] += row["total"]
    dimensions = []
    for key, label in present:
        impact = engine.adverse_impact_from_counts(
            {group: (chosen, total) for group, (chosen, total) in counts[key].items()},
            min_group_size=min_size,
        )
        dimensions.append(
            ImpactDimension(
                key=key,
                label=label,
                groups=tuple(_group_line(line, min_size) for line in impact.groups),
                reference_group=impact.reference_group,
            )
        )
    return AdverseImpactReport(
        has_data=True,
        dimensions=tuple(dimensions),
        min_group_size=min_size,
        four_fifths=FOUR_FIFTHS,
        significance=SIGNIFICANCE,
    )


def _group_line(line: engine.GroupImpact, min_size: int) -> GroupLine:
    if line.suppressed:
        note = (
            f"Suppressed: fewer than {min_size} applications, too few to report "
            "without identifying people."
        )
    elif line.reference:
        note = "Reference: the highest selection rate."
    elif line.impact_ratio is None:
        note = "No group was selected, so there is no ratio."
    elif line.four_fifths_flag:
        note = "Below four fifths of the reference rate."
    else:
        note = ""
    return GroupLine(
        group=line.group,
        suppressed=line.suppressed,
        applications=line.applicants,
        selected=line.selected,
        rate=line.rate,
        impact_ratio=line.impact_ratio,
        four_fifths_flag=line.four_fifths_flag,
        fisher_p=line.fisher_p,
        reference=line.reference,
        note=note,
    )


def adverse_impact_csv(report: AdverseImpactReport) -> CsvTable:
    header = [
        "dimension",
        "group",
        "suppressed",
        "applications",
        "selected",
        "selection_rate",
        "impact_ratio",
        "below_four_fifths",
        "fisher_p",
        "reference",
        "note",
    ]
    rows: list[list[CsvCell]] = []
    for dimension in report.dimensions:
        for group in dimension.groups:
            rows.append(
                [
                    dimension.key,
                    group.group,
                    "yes" if group.suppressed else "no",
                    group.applications,
                    group.selected,
                    _csv_number(group.rate),
                    _csv_number(group.impact_ratio),
                    _yes_no(group.four_fifths_flag),
                    _csv_number(group.fisher_p),
                    "yes" if group.reference else "no",
                    group.note,
                ]
            )
    return header, rows


def _yes_no(value: bool | None) -> str | None:
    return None if value is None else ("yes" if value else "no")
