"""Per-candidate flags for the hiring committee: coverage, disagreement, robustness."""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass

import numpy as np
from scipy import special

from ._groups import FloatArray, group_codes
from ._packets import packet_posteriors
from .model import (
    DEFAULT_BAR,
    Calibration,
    FitResult,
    calibration_packets,
    interviewer_arrays,
)
from .table import RatingTable

DISAGREEMENT_LEVEL = 0.05
"""Significance level of the chi-square disagreement tests."""

MIN_SIGNALS = 2
"""A must competency needs at least this many interviews rating it."""


@dataclass(frozen=True)
class CandidateFlags:
    """What a committee should look at before trusting a candidate's score.

    ``recommendation`` is None when the candidate has no signal. ``disagreement_p`` is NaN
    when fewer than two interviews can be compared. Robustness re-scores the packet with each
    interview left out (leniencies held at the fit); a candidate with a single interview is
    never robust, since dropping it leaves no evidence.
    """

    candidate: str
    coverage_gaps: tuple[str, ...]
    disagreement: bool
    disagreement_p: float
    disagreeing_competencies: tuple[str, ...]
    recommendation: bool | None
    robust: bool
    flipping_interviews: tuple[str, ...]


def candidate_flags(
    fit: FitResult | Calibration,
    table: RatingTable,
    *,
    must: Collection[str] | Mapping[str, Collection[str]] = (),
    bar: float | None = None,
    level: float = DISAGREEMENT_LEVEL,
) -> tuple[CandidateFlags, ...]:
    """Flags for every candidate of ``table``, scored against a fit or a stored calibration.

    ``must`` is either one set of must competencies for everyone or a mapping from candidate
    id to that candidate's set (the must competencies of the candidate's level). ``bar``
    defaults to the fit's bar (3.0 for a bare calibration).
    """
    calibration = fit.calibration if isinstance(fit, FitResult) else fit
    if bar is None:
        bar = fit.bar if isinstance(fit, FitResult) else DEFAULT_BAR
    variances = calibration.variances
    packets = calibration_packets(calibration, table)
    posterior = packet_posteriors(
        packets,
        ability_var=variances.ability_var,
        competency_var=variances.competency_var,
        leave_one_out=True,
    )
    full_p = _p_above(variances.mu, variances.mu_var, posterior.precision, posterior.weighted, bar)
    drop_p = _p_above(
        variances.mu,
        variances.mu_var,
        posterior.drop_precision,
        posterior.drop_weighted,
        bar,
    )
    has_data = np.isfinite(full_p)
    decision = full_p >= 0.5
    with np.errstate(invalid="ignore"):
        drop_decision = drop_p >= 0.5
    flips = (posterior.slot_interview >= 0) & (
        ~np.isfinite(drop_p) | (drop_decision != decision[:, None])
    )
    single = (posterior.slot_interview >= 0).sum(axis=1) == 1
    flips |= single[:, None] & (posterior.slot_interview >= 0)
    with np.errstate(invalid="ignore"):
        disagreement_p = special.chdtrc(np.maximum(posterior.dof, 1), posterior.chi_square)
    disagreement_p = np.where(posterior.dof >= 1, disagreement_p, np.nan)

    signals = _signal_counts(table)
    disagreeing = _disagreeing_competencies(calibration, table, level)
    flags = []
    for index, candidate in enumerate(table.candidate_ids):
        if isinstance(must, Mapping):
            required: Collection[str] = must.get(candidate, ())
        else:
            required = must
        gaps = tuple(sorted(key for key in required if signals.get((index, key), 0) < MIN_SIGNALS))
        flipped = posterior.slot_interview[index][flips[index]]
        p_value = float(disagreement_p[index])
        flags.append(
            CandidateFlags(
                candidate=candidate,
                coverage_gaps=gaps,
                disagreement=bool(math.isfinite(p_value) and p_value < level),
                disagreement_p=p_value,
                disagreeing_competencies=tuple(sorted(disagreeing.get(index, ()))),
                recommendation=bool(decision[index]) if has_data[index] else None,
                robust=bool(has_data[index]) and flipped.size == 0,
                flipping_interviews=tuple(table.interview_ids[code] for code in flipped),
            )
        )
    return tuple(flags)


def _p_above(
    mu: float,
    mu_var: float,
    precision: FloatArray,
    weighted: FloatArray,
    bar: float,
) -> FloatArray:
    with np.errstate(invalid="ignore", divide="ignore"):
        valid = np.isfinite(precision) & (precision > 0)
        safe = np.where(valid, precision, 1.0)
        score = mu + weighted / safe
        sd = np.sqrt(1.0 / safe + mu_var)
        p = special.ndtr((score - bar) / sd)
    return np.where(valid, p, np.nan)


def _signal_counts(table: RatingTable) -> dict[tuple[int, str], int]:
    """Interviews that rated each (candidate, competency)."""
    rows = np.flatnonzero(np.isfinite(table.rating_value))
    candidate = table.interview_candidate[table.rating_interview[rows]]
    competency = table.rating_competency[rows]
    cell, first, n_cells = group_codes(candidate, competency)
    counts = np.bincount(cell, minlength=n_cells)
    return {
        (int(candidate[row]), table.competency_keys[int(competency[row])]): int(count)
        for row, count in zip(first.tolist(), counts.tolist(), strict=True)
    }


def _disagreeing_competencies(
    calibration: Calibration, table: RatingTable, level: float
) -> dict[int, list[str]]:
    """Competencies whose calibrated ratings spread more than noise explains (chi-square).

    Within one candidate's competency the ratings share the candidate's true level, so
    y = rating - leniency has variance noise + Var(leniency) around a common mean.
    """
    leniency, leniency_var, noise_var = interviewer_arrays(calibration, table)
    if calibration.observation != "rating":
        noise_var = np.full_like(noise_var, calibration.variances.item_noise_var)
    rows = np.flatnonzero(np.isfinite(table.rating_value))
    interview = table.rating_interview[rows]
    candidate = table.interview_candidate[interview]
    interviewer = table.interview_interviewer[interview]
    competency = table.rating_competency[rows]
    cell, first, n_cells = group_codes(candidate, competency)
    calibrated = table.rating_value[rows] - leniency[interviewer]
    weight = 1.0 / (noise_var[interviewer] + leniency_var[interviewer])
    total_weight = np.bincount(cell, weight, minlength=n_cells)
    mean = np.bincount(cell, weight * calibrated, minlength=n_cells) / total_weight
    chi = np.bincount(cell, weight * (calibrated - mean[cell]) ** 2, minlength=n_cells)
    dof = np.bincount(cell, minlength=n_cells) - 1
    p_value = np.where(dof >= 1, special.chdtrc(np.maximum(dof, 1), chi), 1.0)
    result: dict[int, list[str]] = {}
    for code in np.flatnonzero(p_value < level).tolist():
        owner = int(candidate[first[code]])
        result.setdefault(owner, []).append(table.competency_keys[int(competency[first[code]])])
    return result
