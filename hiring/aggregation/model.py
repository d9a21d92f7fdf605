"""The rater-effects model: candidate ability plus interviewer leniency plus interviewer noise.

The interview-level model of the spec is

    x_m = mu + theta_i + b_j + e_m,   theta_i ~ N(0, s_t^2), b_j ~ N(0, s_b^2), e_m ~ N(0, s_j^2)

with x_m the mean of interview m's ratings and each interviewer's noise variance shrunk toward
the pooled one. By default the same model is fitted one level down, on the individual ratings,
with a candidate x competency deviation gamma_ic ~ N(0, s_g^2): an interview score built from
more ratings is then more precise, and two interviews that rate the same competency of the same
candidate share that competency's deviation. ``observation="interview"`` fits the interview-level
model exactly as written above. Either way the variance components come from EM and the
posterior given them is exact Gaussian, solved through the interviewer-sized Schur complement.
See docs/aggregation.md.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import special

from ._engine import DegenerateFitError, Design, EmResult, Observations, run_em
from ._groups import FloatArray, IntArray, group_codes, within_group_pairs
from ._packets import (
    PacketObservations,
    observation_rows,
    packet_observations,
    packet_posteriors,
)
from .table import OVERALL, RatingTable, TableError

MODEL_VERSION = "rater-effects/1.0"
"""Stored with every scored packet; bump when the estimates a given input produces change."""

DEFAULT_BAR = 3.0
"""Hire bar on the 1-4 scale: 3 is "Yes"."""

DEFAULT_INTERVAL = 0.9
"""Default credible level of reported intervals."""

NOISE_PRIOR_INTERVIEWS = 10.0
"""Prior strength of the pooled noise variance, in interviews' worth of observations."""

DEFAULT_INTERVIEW_SD = 0.75
"""Plain-mean fallback SD of one interview score when no candidate has two interviews."""

Method = Literal["rater_effects", "plain_mean"]
Observation = Literal["rating", "interview"]


@dataclass(frozen=True)
class MinimumData:
    """Below any of these the fit falls back to plain means (leniency is not identifiable)."""

    interviews: int = 30
    repeat_interviewers: int = 3
    interviews_per_repeat_interviewer: int = 3
    multi_interview_candidates: int = 5


@dataclass(frozen=True)
class VarianceComponents:
    """Fitted hyper-parameters on the 1-4 scale.

    ``noise_var`` is per observation (one rating, or one interview score in interview mode);
    ``item_noise_var`` is the pooled spread of calibrated ratings within a candidate's
    competency, used for competency intervals when the model does not work per rating.
    ``ability_var`` is inf for the plain-mean fallback (a flat prior).
    """

    mu: float
    mu_var: float
    ability_var: float
    competency_var: float
    leniency_var: float
    noise_var: float
    item_noise_var: float
    noise_prior_strength: float


@dataclass(frozen=True)
class InterviewerCalibration:
    """What scoring a new packet needs to know about one interviewer."""

    leniency: float
    leniency_var: float
    noise_var: float
    n_interviews: int


@dataclass(frozen=True)
class Calibration:
    """A fitted calibration, detached from the data, to score new packets (e.g. nightly)."""

    method: Method
    observation: Observation
    include_overall: bool
    variances: VarianceComponents
    interviewers: Mapping[str, InterviewerCalibration]
    model_version: str = MODEL_VERSION

    def to_dict(self) -> dict[str, object]:
        """JSON-friendly form (infinite values become None)."""
        return {
            "model_version": self.model_version,
            "method": self.method,
            "observation": self.observation,
            "include_overall": self.include_overall,
            "variances": {
                name: value if math.isfinite(value) else None
                for name, value in vars(self.variances).items()
            },
            "interviewers": {key: vars(entry).copy() for key, entry in self.interviewers.items()},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Calibration:
        """Inverse of :meth:`to_dict`."""
        raw_variances = data["variances"]
        raw_interviewers = data["interviewers"]
        if not isinstance(raw_variances, Mapping) or not isinstance(raw_interviewers, Mapping):
            raise ValueError("variances and interviewers must be mappings")
        variances = VarianceComponents(
            **{
                str(name): math.inf if value is None else float(value)
                for name, value in raw_variances.items()
            }
        )
        interviewers = {
            str(key): InterviewerCalibration(
                leniency=float(entry["leniency"]),
                leniency_var=float(entry["leniency_var"]),
                noise_var=float(entry["noise_var"]),
                n_interviews=int(entry["n_interviews"]),
            )
            for key, entry in raw_interviewers.items()
        }
        method = data["method"]
        observation = data["observation"]
        if method not in ("rater_effects", "plain_mean"):
            raise ValueError(f"unknown method {method!r}")
        if observation not in ("rating", "interview"):
            raise ValueError(f"unknown observation {observation!r}")
        return cls(
            method="rater_effects" if method == "rater_effects" else "plain_mean",
            observation="rating" if observation == "rating" else "interview",
            include_overall=bool(data["include_overall"]),
            variances=variances,
            interviewers=interviewers,
            model_version=str(data["model_version"]),
        )


@dataclass(frozen=True)
class CompetencyScore:
    """Calibrated mean of one competency: ratings minus each interviewer's leniency."""

    competency: str
    mean: float
    lower: float
    upper: float
    n_signals: int


@dataclass(frozen=True)
class CandidateScore:
    """One candidate's posterior on the 1-4 scale."""

    candidate: str
    score: float
    sd: float
    lower: float
    upper: float
    p_above_bar: float
    n_interviews: int
    competencies: tuple[CompetencyScore, ...]
    method: Method
    model_version: str = MODEL_VERSION

    @property
    def recommendation(self) -> bool:
        """Hire when the posterior probability of being above the bar is at least one half."""
        return self.p_above_bar >= 0.5


@dataclass(frozen=True)
class CandidateEstimates:
    """Per-candidate arrays aligned with ``ids`` (NaN for a candidate with no signal)."""

    ids: tuple[str, ...]
    score: FloatArray
    sd: FloatArray
    lower: FloatArray
    upper: FloatArray
    p_above_bar: FloatArray
    n_interviews: IntArray


@dataclass(frozen=True)
class CompetencyEstimates:
    """One row per (candidate, competency) with a signal; codes index the table's tuples."""

    keys: tuple[str, ...]
    candidate: IntArray
    competency: IntArray
    mean: FloatArray
    sd: FloatArray
    lower: FloatArray
    upper: FloatArray
    n_signals: IntArray


@dataclass(frozen=True)
class InterviewerEstimates:
    """Per-interviewer arrays aligned with ``ids``; leniency is on the 1-4 scale (+ = lenient).

    ``noise_sd`` is per observation: per rating by default, per interview score in interview
    mode and in the plain-mean fallback.
    """

    ids: tuple[str, ...]
    leniency: FloatArray
    leniency_sd: FloatArray
    lower: FloatArray
    upper: FloatArray
    noise_sd: FloatArray
    n_interviews: IntArray


@dataclass(frozen=True)
class FitResult:
    """Everything one fit produces; ``method`` says whether the model or the fallback ran."""

    method: Method
    reason: str
    observation: Observation
    bar: float
    interval: float
    include_overall: bool
    candidates: CandidateEstimates
    competencies: CompetencyEstimates
    interviewers: InterviewerEstimates
    variances: VarianceComponents
    iterations: int
    converged: bool
    calibration: Calibration
    model_version: str = MODEL_VERSION

    def candidate(self, candidate_id: str) -> CandidateScore:
        """One candidate's estimate as a self-contained record."""
        try:
            index = self.candidates.ids.index(candidate_id)
        except ValueError:
            raise KeyError(candidate_id) from None
        rows = np.flatnonzero(self.competencies.candidate == index)
        competencies = tuple(
            CompetencyScore(
                competency=self.competencies.keys[int(self.competencies.competency[row])],
                mean=float(self.competencies.mean[row]),
                lower=float(self.competencies.lower[row]),
                upper=float(self.competencies.upper[row]),
                n_signals=int(self.competencies.n_signals[row]),
            )
            for row in rows
        )
        return CandidateScore(
            candidate=candidate_id,
            score=float(self.candidates.score[index]),
            sd=float(self.candidates.sd[index]),
            lower=float(self.candidates.lower[index]),
            upper=float(self.candidates.upper[index]),
            p_above_bar=float(self.candidates.p_above_bar[index]),
            n_interviews=int(self.candidates.n_interviews[index]),
            competencies=competencies,
            method=self.method,
            model_version=self.model_version,
        )


@dataclass(frozen=True)
class InterviewScores:
    """Scored interviews (at least one signal): table codes plus the mean rating."""

    interview: IntArray
    candidate: IntArray
    interviewer: IntArray
    score: FloatArray
    n_items: IntArray


def interview_scores(table: RatingTable, *, include_overall: bool = False) -> InterviewScores:
    """Mean of each interview's rated items; interviews with no signal are left out."""
    usable = np.isfinite(table.rating_value)
    if not include_overall and OVERALL in table.competency_keys:
        usable &= table.rating_competency != table.competency_keys.index(OVERALL)
    rows = table.rating_interview[usable]
    totals = np.bincount(rows, table.rating_value[usable], minlength=table.n_interviews)
    counts = np.bincount(rows, minlength=table.n_interviews)
    scored = np.flatnonzero(counts > 0)
    return InterviewScores(
        interview=scored.astype(np.intp),
        candidate=table.interview_candidate[scored],
        interviewer=table.interview_interviewer[scored],
        score=totals[scored] / counts[scored],
        n_items=counts[scored].astype(np.intp),
    )


def fit_rater_effects(
    table: RatingTable,
    *,
    bar: float = DEFAULT_BAR,
    interval: float = DEFAULT_INTERVAL,
    include_overall: bool = False,
    observation: Observation = "rating",
    competency_effects: bool = True,
    noise_prior_interviews: float = NOISE_PRIOR_INTERVIEWS,
    minimum: MinimumData | None = None,
    max_iterations: int = 1000,
    tolerance: float = 1e-5,
) -> FitResult:
    """Fit the rater-effects model, or plain means when the data cannot support it.

    ``include_overall`` adds the overall recommendation as one more rated item.
    ``competency_effects`` only matters in rating mode.
    """
    _check_interval(interval)
    if observation not in ("rating", "interview"):
        raise ValueError(f"observation must be 'rating' or 'interview', not {observation!r}")
    scores = interview_scores(table, include_overall=include_overall)
    reason = _too_little_data(table, scores, minimum or MinimumData())
    if reason:
        return _plain_mean_fit(table, scores, bar, interval, include_overall, reason)
    interview, value, cell = observation_rows(
        table, observation=observation, include_overall=include_overall
    )
    observations = Observations(
        value=value,
        candidate=table.interview_candidate[interview],
        interviewer=table.interview_interviewer[interview],
        cell=cell,
        n_candidates=table.n_candidates,
        n_interviewers=table.n_interviewers,
        n_cells=int(cell.max()) + 1,
    )
    design = Design.build(observations)
    per_interview = value.shape[0] / scores.score.shape[0]
    with_competency = competency_effects and observation == "rating"
    try:
        em = run_em(
            design,
            prior_strength=noise_prior_interviews * per_interview,
            with_competency=with_competency,
            max_iterations=max_iterations,
            tolerance=tolerance,
        )
    except DegenerateFitError as error:
        return _plain_mean_fit(
            table, scores, bar, interval, include_overall, f"EM degenerate: {error}"
        )
    return _rater_effects_result(
        table,
        scores,
        design,
        em,
        _Settings(bar, interval, include_overall, observation, noise_prior_interviews),
        per_interview,
    )


def score_table(
    calibration: Calibration,
    table: RatingTable,
    *,
    bar: float = DEFAULT_BAR,
    interval: float = DEFAULT_INTERVAL,
) -> CandidateEstimates:
    """Score every candidate of a table with an existing calibration (leniencies held fixed)."""
    _check_interval(interval)
    packets = calibration_packets(calibration, table)
    posterior = packet_posteriors(
        packets,
        ability_var=calibration.variances.ability_var,
        competency_var=calibration.variances.competency_var,
    )
    n_interviews = np.bincount(
        interview_scores(table, include_overall=calibration.include_overall).candidate,
        minlength=table.n_candidates,
    )
    return candidate_estimates(
        table.candidate_ids,
        calibration.variances.mu,
        calibration.variances.mu_var,
        posterior.precision,
        posterior.weighted,
        n_interviews,
        bar,
        interval,
    )


def score_candidate(
    calibration: Calibration,
    table: RatingTable,
    *,
    bar: float = DEFAULT_BAR,
    interval: float = DEFAULT_INTERVAL,
) -> CandidateScore:
    """Score one packet (a table holding one candidate's interviews) with an existing fit.

    Known interviewers contribute their fitted leniency with its posterior variance; an
    interviewer the calibration has never seen gets the prior (leniency 0, variance s_b^2)
    and the pooled noise variance.
    """
    if table.n_candidates != 1:
        raise TableError(f"a packet holds one candidate, this table holds {table.n_candidates}")
    estimates = score_table(calibration, table, bar=bar, interval=interval)
    leniency, leniency_var, noise_var = interviewer_arrays(calibration, table)
    item_noise = noise_var if calibration.observation == "rating" else None
    competencies = _competency_estimates(
        table,
        leniency,
        np.diag(leniency_var),
        item_noise,
        calibration.variances.item_noise_var,
        interval,
    )
    return CandidateScore(
        candidate=table.candidate_ids[0],
        score=float(estimates.score[0]),
        sd=float(estimates.sd[0]),
        lower=float(estimates.lower[0]),
        upper=float(estimates.upper[0]),
        p_above_bar=float(estimates.p_above_bar[0]),
        n_interviews=int(estimates.n_interviews[0]),
        competencies=tuple(
            CompetencyScore(
                competency=table.competency_keys[int(code)],
                mean=float(mean),
                lower=float(lower),
                upper=float(upper),
                n_signals=int(count),
            )
            for code, mean, lower, upper, count in zip(
                competencies.competency.tolist(),
                competencies.mean.tolist(),
                competencies.lower.tolist(),
                competencies.upper.tolist(),
                competencies.n_signals.tolist(),
                strict=True,
            )
        ),
        method=calibration.method,
        model_version=calibration.model_version,
    )


def calibration_packets(calibration: Calibration, table: RatingTable) -> PacketObservations:
    """A table's observations as residuals against a calibration's offsets."""
    leniency, leniency_var, noise_var = interviewer_arrays(calibration, table)
    return packet_observations(
        table,
        observation=calibration.observation,
        include_overall=calibration.include_overall,
        mu=calibration.variances.mu,
        leniency=leniency,
        leniency_var=leniency_var,
        noise_var=noise_var,
    )


def interviewer_arrays(
    calibration: Calibration, table: RatingTable
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Leniency, its variance and noise variance for each interviewer of the table.

    An interviewer the calibration has not seen gets the prior: leniency 0 with variance s_b^2
    and the pooled noise variance.
    """
    variances = calibration.variances
    unknown = InterviewerCalibration(0.0, variances.leniency_var, variances.noise_var, 0)
    entries = [calibration.interviewers.get(key, unknown) for key in table.interviewer_ids]
    return (
        np.array([entry.leniency for entry in entries], dtype=np.float64),
        np.array([entry.leniency_var for entry in entries], dtype=np.float64),
        np.array([entry.noise_var for entry in entries], dtype=np.float64),
    )


def candidate_estimates(
    ids: tuple[str, ...],
    mu: float,
    mu_var: float,
    precision: FloatArray,
    weighted: FloatArray,
    n_interviews: IntArray,
    bar: float,
    interval: float,
) -> CandidateEstimates:
    """Summaries of per-candidate Gaussians given as precision and precision * mean."""
    has_data = (n_interviews > 0) & (precision > 0)
    safe = np.where(has_data, precision, 1.0)
    score = np.where(has_data, mu + weighted / safe, np.nan)
    sd = np.where(has_data, np.sqrt(1.0 / safe + mu_var), np.nan)
    return _summaries(ids, score, sd, n_interviews, bar, interval)


# --- internals -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Settings:
    bar: float
    interval: float
    include_overall: bool
    observation: Observation
    noise_prior_interviews: float


def _check_interval(interval: float) -> None:
    if not 0.0 < interval < 1.0:
        raise ValueError(f"interval must be strictly between 0 and 1, got {interval}")


def _z_value(interval: float) -> float:
    return float(special.ndtri(0.5 + interval / 2.0))


def _too_little_data(table: RatingTable, scores: InterviewScores, minimum: MinimumData) -> str:
    n_scored = scores.score.shape[0]
    if n_scored < minimum.interviews:
        return (
            f"only {n_scored} scored interviews; the rater-effects model needs at least "
            f"{minimum.interviews}"
        )
    per_interviewer = np.bincount(scores.interviewer, minlength=table.n_interviewers)
    repeaters = int((per_interviewer >= minimum.interviews_per_repeat_interviewer).sum())
    if repeaters < minimum.repeat_interviewers:
        return (
            f"only {repeaters} interviewers with at least "
            f"{minimum.interviews_per_repeat_interviewer} interviews; leniency needs "
            f"{minimum.repeat_interviewers}"
        )
    per_candidate = np.bincount(scores.candidate, minlength=table.n_candidates)
    multi = int((per_candidate >= 2).sum())
    if multi < minimum.multi_interview_candidates:
        return (
            f"only {multi} candidates with two or more interviews; separating noise from "
            f"ability needs {minimum.multi_interview_candidates}"
        )
    if float(np.var(scores.score)) <= 0.0:
        return "interview scores do not vary"
    return ""


def _summaries(
    ids: tuple[str, ...],
    score: FloatArray,
    sd: FloatArray,
    n_interviews: IntArray,
    bar: float,
    interval: float,
) -> CandidateEstimates:
    z = _z_value(interval)
    with np.errstate(invalid="ignore", divide="ignore"):
        p_above = special.ndtr((score - bar) / np.where(sd > 0, sd, np.nan))
    return CandidateEstimates(
        ids=ids,
        score=score,
        sd=sd,
        lower=score - z * sd,
        upper=score + z * sd,
        p_above_bar=np.asarray(p_above, dtype=np.float64),
        n_interviews=n_interviews.astype(np.intp),
    )


def _pooled_within(values: FloatArray, group: IntArray, n_groups: int) -> float:
    """Pooled within-group variance (NaN without degrees of freedom)."""
    counts = np.bincount(group, minlength=n_groups)
    totals = np.bincount(group, values, minlength=n_groups)
    means = np.divide(totals, counts, out=np.zeros(n_groups), where=counts > 0)
    dof = int((counts[counts > 0] - 1).sum())
    if dof == 0:
        return math.nan
    return float(((values - means[group]) ** 2).sum() / dof)


def _item_noise_var(table: RatingTable, leniency: FloatArray) -> float:
    """Pooled within (candidate, competency) variance of calibrated ratings."""
    rows = np.flatnonzero(np.isfinite(table.rating_value))
    interview = table.rating_interview[rows]
    cell, _, n_cells = group_codes(
        table.interview_candidate[interview], table.rating_competency[rows]
    )
    calibrated = table.rating_value[rows] - leniency[table.interview_interviewer[interview]]
    value = _pooled_within(calibrated, cell, n_cells)
    return value if math.isfinite(value) and value > 0 else DEFAULT_INTERVIEW_SD**2


def _competency_estimates(
    table: RatingTable,
    leniency: FloatArray,
    leniency_cov: FloatArray,
    item_noise: FloatArray | None,
    pooled_item_noise: float,
    interval: float,
) -> CompetencyEstimates:
    """Calibrated competency means: mean of (rating - leniency) with its posterior spread.

    The variance of a cell mean is (sum of the ratings' noise variances + sum of the
    leniency covariances between every pair of its ratings) / n^2. ``item_noise`` gives each
    interviewer's per-rating noise variance; without it the pooled value is used.
    """
    rows = np.flatnonzero(np.isfinite(table.rating_value))
    interview = table.rating_interview[rows]
    candidate = table.interview_candidate[interview]
    interviewer = table.interview_interviewer[interview]
    competency = table.rating_competency[rows]
    cell, first, n_cells = group_codes(candidate, competency)
    calibrated = table.rating_value[rows] - leniency[interviewer]
    counts = np.bincount(cell, minlength=n_cells).astype(np.float64)
    safe = np.maximum(counts, 1.0)
    means = np.bincount(cell, calibrated, minlength=n_cells) / safe
    noise = item_noise[interviewer] if item_noise is not None else np.full(rows.shape[0], 1.0)
    if item_noise is None:
        noise = noise * pooled_item_noise
    pair_a, pair_b = within_group_pairs(cell, n_cells)
    shared = np.bincount(
        cell[pair_a], leniency_cov[interviewer[pair_a], interviewer[pair_b]], minlength=n_cells
    )
    variance = (np.bincount(cell, noise, minlength=n_cells) + shared) / safe**2
    sd = np.sqrt(np.maximum(variance, 0.0))
    z = _z_value(interval)
    return CompetencyEstimates(
        keys=table.competency_keys,
        candidate=candidate[first],
        competency=competency[first],
        mean=means,
        sd=sd,
        lower=means - z * sd,
        upper=means + z * sd,
        n_signals=counts.astype(np.intp),
    )


def _plain_mean_fit(
    table: RatingTable,
    scores: InterviewScores,
    bar: float,
    interval: float,
    include_overall: bool,
    reason: str,
) -> FitResult:
    n_interviews = np.bincount(scores.candidate, minlength=table.n_candidates)
    within = _pooled_within(scores.score, scores.candidate, table.n_candidates)
    if math.isfinite(within) and within > 0:
        noise_var = within
    else:
        noise_var = DEFAULT_INTERVIEW_SD**2
        reason += f"; SD uses the default {DEFAULT_INTERVIEW_SD} per interview"
    totals = np.bincount(scores.candidate, scores.score, minlength=table.n_candidates)
    has_data = n_interviews > 0
    safe_n = np.maximum(n_interviews, 1)
    score = np.where(has_data, totals / safe_n, np.nan)
    sd = np.where(has_data, np.sqrt(noise_var / safe_n), np.nan)
    candidates = _summaries(table.candidate_ids, score, sd, n_interviews, bar, interval)
    zeros = np.zeros(table.n_interviewers)
    item_noise = _item_noise_var(table, zeros)
    competencies = _competency_estimates(
        table, zeros, np.zeros((table.n_interviewers,) * 2), None, item_noise, interval
    )
    per_interviewer = np.bincount(scores.interviewer, minlength=table.n_interviewers)
    interviewers = InterviewerEstimates(
        ids=table.interviewer_ids,
        leniency=zeros.copy(),
        leniency_sd=zeros.copy(),
        lower=zeros.copy(),
        upper=zeros.copy(),
        noise_sd=np.full(table.n_interviewers, math.sqrt(noise_var)),
        n_interviews=per_interviewer.astype(np.intp),
    )
    variances = VarianceComponents(
        mu=0.0,
        mu_var=0.0,
        ability_var=math.inf,
        competency_var=0.0,
        leniency_var=0.0,
        noise_var=noise_var,
        item_noise_var=item_noise,
        noise_prior_strength=0.0,
    )
    calibration = Calibration(
        method="plain_mean",
        observation="interview",
        include_overall=include_overall,
        variances=variances,
        interviewers={
            key: InterviewerCalibration(0.0, 0.0, noise_var, int(count))
            for key, count in zip(table.interviewer_ids, per_interviewer.tolist(), strict=True)
        },
    )
    return FitResult(
        method="plain_mean",
        reason=reason,
        observation="interview",
        bar=bar,
        interval=interval,
        include_overall=include_overall,
        candidates=candidates,
        competencies=competencies,
        interviewers=interviewers,
        variances=variances,
        iterations=0,
        converged=True,
        calibration=calibration,
    )


def _rater_effects_result(
    table: RatingTable,
    scores: InterviewScores,
    design: Design,
    em: EmResult,
    settings: _Settings,
    per_interview: float,
) -> FitResult:
    posterior = em.posterior
    n_int = design.n_interviewers
    mu = float(posterior.beta[n_int])
    mu_var = float(posterior.beta_cov[n_int, n_int])
    n_interviews = np.bincount(scores.candidate, minlength=table.n_candidates)
    score = np.full(table.n_candidates, np.nan)
    sd = np.full(table.n_candidates, np.nan)
    mu_cross = posterior.mu_cross
    score[design.candidate_present] = mu + posterior.theta
    sd[design.candidate_present] = np.sqrt(
        np.maximum(posterior.theta_var + mu_var - 2.0 * mu_cross, 0.0)
    )
    candidates = _summaries(
        table.candidate_ids, score, sd, n_interviews, settings.bar, settings.interval
    )
    leniency = posterior.beta[:n_int].copy()
    leniency_cov = posterior.beta_cov[:n_int, :n_int]
    leniency_var = np.diag(leniency_cov).copy()
    noise_var = em.variances.noise
    item_noise = _item_noise_var(table, leniency)
    competencies = _competency_estimates(
        table,
        leniency,
        leniency_cov,
        noise_var if settings.observation == "rating" else None,
        item_noise,
        settings.interval,
    )
    z = _z_value(settings.interval)
    leniency_sd = np.sqrt(leniency_var)
    per_interviewer = np.bincount(scores.interviewer, minlength=n_int).astype(np.intp)
    interviewers = InterviewerEstimates(
        ids=table.interviewer_ids,
        leniency=leniency,
        leniency_sd=leniency_sd,
        lower=leniency - z * leniency_sd,
        upper=leniency + z * leniency_sd,
        noise_sd=np.sqrt(noise_var),
        n_interviews=per_interviewer,
    )
    variances = VarianceComponents(
        mu=mu,
        mu_var=mu_var,
        ability_var=em.variances.ability,
        competency_var=em.variances.competency,
        leniency_var=em.variances.leniency,
        noise_var=em.pooled_noise,
        item_noise_var=item_noise,
        noise_prior_strength=settings.noise_prior_interviews * per_interview,
    )
    calibration = Calibration(
        method="rater_effects",
        observation=settings.observation,
        include_overall=settings.include_overall,
        variances=variances,
        interviewers={
            key: InterviewerCalibration(float(b), float(v), float(s), int(n))
            for key, b, v, s, n in zip(
                table.interviewer_ids,
                leniency.tolist(),
                leniency_var.tolist(),
                noise_var.tolist(),
                per_interviewer.tolist(),
                strict=True,
            )
        },
    )
    reason = "" if em.converged else f"EM stopped after {em.iterations} iterations"
    return FitResult(
        method="rater_effects",
        reason=reason,
        observation=settings.observation,
        bar=settings.bar,
        interval=settings.interval,
        include_overall=settings.include_overall,
        candidates=candidates,
        competencies=competencies,
        interviewers=interviewers,
        variances=variances,
        iterations=em.iterations,
        converged=em.converged,
        calibration=calibration,
    )
