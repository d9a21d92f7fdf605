"""The aggregation pipeline: committee packets and the interviewer calibration behind them.

The contract (docs/architecture.md): submitting a scorecard marks its packet stale in the same
transaction and enqueues a refresh on commit; a periodic sweep re-enqueues stale packets, so a
broker outage delays a packet but loses nothing; a refresh is keyed by the hash of its inputs, so a
duplicate or redelivered task changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from hiring import aggregation as engine
from hiring.models import (
    Application,
    ApplicationStatus,
    Calibration,
    InterviewerCalibration,
    Packet,
    PacketStatus,
    Scorecard,
    ScorecardStatus,
)
from loops.models import InterviewStatus
from rubrics.models import Expectation, Priority

logger = logging.getLogger(__name__)


def _enqueue(task_name: str, *args: Any) -> None:
    """Hand work to the broker without letting a broker failure reach the caller: the row that
    asked for the work is already committed, and the sweep will find it."""
    from config.celery import app

    try:
        app.send_task(task_name, args=list(args))
    except Exception:  # any broker failure: refused, timed out, misconfigured
        logger.warning(
            "could not enqueue %s%s; the periodic sweep will retry", task_name, args, exc_info=True
        )


def _run_or_enqueue(task_name: str, *args: Any) -> None:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        # Embedded mode has no broker: do the work in-process, as an eager task would.
        from config.celery import app
        from hiring import tasks  # noqa: F401 - registers the hiring tasks with the app

        app.tasks[task_name].apply(args=args, throw=True)
        return
    _enqueue(task_name, *args)


def packet_mark_stale(*, application: Application) -> None:
    """Call inside the transaction that changes an application's scorecards."""
    # One upsert: the application's first submission creates the packet, later ones mark it.
    packet = Packet(application=application, stale=True, marked_stale_at=timezone.now())
    Packet.objects.bulk_create(
        [packet],
        update_conflicts=True,
        unique_fields=["application"],
        update_fields=["stale", "marked_stale_at"],
    )
    transaction.on_commit(lambda: _run_or_enqueue("hiring.packet_refresh", packet.pk))


def latest_calibration() -> Calibration | None:
    return Calibration.objects.filter(n_ratings__gt=0).order_by("-fitted_at", "-pk").first()


def refit_due() -> bool:
    """True when enough scorecards arrived since the latest calibration to fit again."""
    latest = Calibration.objects.order_by("-fitted_at", "-pk").first()
    submitted = Scorecard.objects.filter(status=ScorecardStatus.SUBMITTED, is_shadow=False)
    if latest is not None:
        submitted = submitted.filter(submitted_at__gt=latest.fitted_at)
    # Counting stops at the threshold: every submit asks, and the answer never needs more rows.
    threshold = settings.CALIBRATION_REFIT_EVERY
    return submitted.order_by()[:threshold].count() >= threshold


def calibration_refit_if_due() -> None:
    """Enqueues a refit that checks again when it runs: submits that cross the threshold
    together, before the first refit lands, then cost one fit, not one each."""
    if refit_due():
        transaction.on_commit(lambda: _run_or_enqueue("hiring.calibration_refit", True))


# --- inputs ---------------------------------------------------------------------------------------


def _scorecards(filters: Q) -> list[Scorecard]:
    return list(
        Scorecard.objects.filter(filters, status=ScorecardStatus.SUBMITTED, is_shadow=False)
        .select_related("interview", "interview__loop__application")
        .prefetch_related("ratings__competency")
        .order_by("pk")
    )


def _rows(scorecards: list[Scorecard]) -> list[tuple[str, str, str, str, float | None]]:
    """Long-format ratings for the engine; "no signal" is a missing rating, never a zero."""
    rows: list[tuple[str, str, str, str, float | None]] = []
    for card in scorecards:
        application = card.interview.loop.application
        candidate, interviewer, interview = (
            str(application.pk),
            str(card.interviewer_id),
            str(card.interview_id),
        )
        for rating in card.ratings.all():
            value = None if rating.no_signal or rating.rating is None else float(rating.rating)
            rows.append((candidate, interviewer, interview, rating.competency.key, value))
        if card.overall_recommendation is not None:
            rows.append(
                (
                    candidate,
                    interviewer,
                    interview,
                    engine.OVERALL,
                    float(card.overall_recommendation),
                )
            )
    return rows


def _inputs_hash(scorecards: list[Scorecard], calibration: Calibration | None) -> str:
    inputs = {
        "model": engine.MODEL_VERSION,
        "calibration": calibration.pk if calibration else None,
        "scorecards": [(card.pk, card.version) for card in scorecards],
    }
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _packet_result(
    application: Application, scorecards: list[Scorecard], calibration: Calibration | None
) -> dict[str, Any]:
    rows = _rows(scorecards)
    if not rows:
        return {"method": "none", "reason": "No submitted feedback yet.", "n_interviews": 0}
    table = engine.RatingTable.from_rows(rows)
    requisition = application.requisition
    must = set(
        Expectation.objects.filter(
            role_profile_id=requisition.role_profile_id,
            level_id=requisition.level_id,
            priority=Priority.MUST,
        ).values_list("competency__key", flat=True)
    )
    if calibration is not None:
        fitted = engine.Calibration.from_dict(calibration.parameters)
        score = engine.score_candidate(fitted, table)
        flags = engine.candidate_flags(fitted, table, must=must)[0]
        reason = calibration.reason
        adjustments = {
            key: fitted.interviewers[key].leniency
            for key in table.interviewer_ids
            if key in fitted.interviewers
        }
    else:
        fit = engine.fit_rater_effects(table)
        score = fit.candidate(str(application.pk))
        flags = engine.candidate_flags(fit, table, must=must)[0]
        reason = fit.reason or "No calibration has been fitted yet."
        adjustments = {}
    return {
        "method": score.method,
        "reason": reason,
        "score": score.score,
        "sd": score.sd,
        "lower": score.lower,
        "upper": score.upper,
        "p_above_bar": score.p_above_bar,
        "bar": engine.DEFAULT_BAR,
        "n_interviews": score.n_interviews,
        "competencies": [
            {
                "competency": c.competency,
                "mean": _finite(c.mean),
                "lower": _finite(c.lower),
                "upper": _finite(c.upper),
                "n_signals": c.n_signals,
            }
            for c in score.competencies
        ],
        "interviewer_leniency": adjustments,
        "flags": {
            "coverage_gaps": list(flags.coverage_gaps),
            "disagreement": flags.disagreement,
            "disagreement_p": _finite(flags.disagreement_p),
            "disagreeing_competencies": list(flags.disagreeing_competencies),
            "recommendation": flags.recommendation,
            "robust": flags.robust,
            "flipping_interviews": list(flags.flipping_interviews),
        },
    }


def _collection_status(application: Application, scorecards: list[Scorecard]) -> str:
    loop = application.loop
    if loop is None:
        return PacketStatus.COLLECTING
    interviews = set(
        loop.interviews.exclude(status=InterviewStatus.CANCELLED).values_list("pk", flat=True)
    )
    submitted = {card.interview_id for card in scorecards}
    return PacketStatus.READY if interviews and interviews <= submitted else PacketStatus.COLLECTING


# --- services -------------------------------------------------------------------------------------


@transaction.atomic
def packet_refresh(*, packet_id: int) -> Packet:
    """Bring a packet up to date with its submitted scorecards and the latest calibration.

    Idempotent: the row lock serialises concurrent deliveries, and unchanged inputs (the same
    hash) leave the result and the computation count alone."""
    packet = (
        Packet.objects.select_for_update(of=("self",))
        .select_related("application__requisition", "application__loop")
        .get(pk=packet_id)
    )
    application = packet.application
    scorecards = _scorecards(Q(interview__loop__application=application))
    calibration = latest_calibration()
    inputs_hash = _inputs_hash(scorecards, calibration)
    if packet.status != PacketStatus.DECIDED:
        status = _collection_status(application, scorecards)
        if application.status in (ApplicationStatus.WITHDRAWN, ApplicationStatus.REJECTED):
            status = PacketStatus.COLLECTING  # closed before review: nothing for the committee
        if status == PacketStatus.READY and packet.status != PacketStatus.READY:
            packet.ready_at = timezone.now()
            event = f"ready:{packet.ready_at:%Y%m%dT%H%M%S%f}"
            transaction.on_commit(
                lambda: _run_or_enqueue("hiring.notify_packet_ready", packet.pk, event)
            )
        packet.status = status
    if inputs_hash != packet.inputs_hash:
        packet.result = _packet_result(application, scorecards, calibration)
        packet.p_above_bar = packet.result.get("p_above_bar")
        packet.inputs_hash = inputs_hash
        packet.model_version = engine.MODEL_VERSION
        packet.calibration = calibration
        packet.computed_at = timezone.now()
        packet.computations += 1
    packet.stale = False
    packet.save()
    return packet


def packets_sweep_stale(*, limit: int = 500) -> int:
    """Enqueue a refresh for every stale packet: what a broker outage left behind."""
    ids = list(
        Packet.objects.filter(stale=True)
        .order_by("marked_stale_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    for packet_id in ids:
        _run_or_enqueue("hiring.packet_refresh", packet_id)
    return len(ids)


@transaction.atomic
def calibration_refit() -> Calibration:
    """Fit the model on every submitted scorecard; packets are then refreshed against it."""
    scorecards = _scorecards(Q())
    rows = _rows(scorecards)
    table = engine.RatingTable.from_rows(rows) if rows else None
    if table is None:
        calibration = Calibration.objects.create(
            model_version=engine.MODEL_VERSION,
            method="plain_mean",
            reason="No submitted scorecards yet.",
            n_scorecards=0,
            n_ratings=0,
            parameters={},
        )
        return calibration
    fit = engine.fit_rater_effects(table)
    calibration = Calibration.objects.create(
        model_version=fit.model_version,
        method=fit.method,
        reason=fit.reason,
        n_scorecards=len(scorecards),
        n_ratings=len(rows),
        parameters=fit.calibration.to_dict(),
    )
    estimates = fit.interviewers
    InterviewerCalibration.objects.bulk_create(
        [
            InterviewerCalibration(
                calibration=calibration,
                interviewer_id=int(key),
                leniency=float(estimates.leniency[index]),
                leniency_lower=float(estimates.lower[index]),
                leniency_upper=float(estimates.upper[index]),
                noise_sd=float(estimates.noise_sd[index]),
                n_interviews=int(estimates.n_interviews[index]),
            )
            for index, key in enumerate(estimates.ids)
        ]
    )
    Packet.objects.exclude(status=PacketStatus.DECIDED).update(
        stale=True, marked_stale_at=timezone.now()
    )
    transaction.on_commit(lambda: _run_or_enqueue("hiring.packet_sweep_stale"))
    return calibration
