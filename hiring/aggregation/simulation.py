"""Synthetic interview loops with known truth, for tests, the benchmark and demo data.

Generative story (all on a latent scale where 0 is the line between "No" and "Yes"):

* each candidate has an overall ability theta_i ~ N(ability_mean, ability_sd^2) and, per
  competency, an ability a_ic = ability_mean + loading * (theta_i - ability_mean)
  + sqrt(1 - loading^2) * ability_sd * u_ic with u_ic ~ N(0, 1), so competency abilities
  correlate with the overall ability (loading is the correlation);
* each interviewer has a leniency b_j ~ N(0, leniency_sd^2) and a noise SD s_j that is
  log-normal around noise_sd_median (heterogeneous interviewers);
* workloads are unbalanced: interviewer j is picked with weight exp(N(0, workload_log_spread^2));
* a candidate gets 4 or 5 interviews with distinct interviewers; each interview rates 2 to 4
  competencies and gives an overall recommendation; a competency rating is missing (no signal)
  with probability missing_rate;
* a rating is latent = a_ic + b_j + N(0, s_j^2), cut at ``thresholds`` into 1-4 (ordinal mode) or
  reported as 2.5 + latent (continuous mode, which matches the model's Gaussian assumptions);
* the overall recommendation is theta_i + b_j + N(0, s_j^2), cut the same way;
* in the "routed" scenario a noisy screen score (theta_i + N(0, screen_noise_sd^2)) tilts the
  choice of interviewers: interviewer j's weight is multiplied by
  exp(-routing_strength * z_screen_i * b_j / leniency_sd), so strong-looking candidates meet
  harsher interviewers and weak-looking ones meet lenient ones.

"Truly above the bar" means theta_i above ``bar_latent``: the latent value whose expected rating,
from a neutral interviewer with the median noise, is the bar (3.0, "Yes").
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from scipy import special

from ._groups import FloatArray, IntArray, group_codes
from .table import OVERALL, RatingTable

CONTINUOUS_OFFSET = 2.5
"""In continuous mode a rating is this plus the latent value (latent 0 is between 2 and 3)."""

DEFAULT_COMPETENCIES = (
    "coding",
    "ml_depth",
    "system_design",
    "communication",
    "collaboration",
)


@dataclass(frozen=True)
class SimulationConfig:
    """Parameters of a synthetic hiring pipeline; defaults are the documented realistic ones."""

    n_candidates: int = 2000
    n_interviewers: int = 60
    scenario: Literal["baseline", "routed"] = "baseline"
    seed: int = 0
    competencies: tuple[str, ...] = DEFAULT_COMPETENCIES
    interviews_per_candidate: tuple[int, int] = (4, 5)
    competencies_per_interview: tuple[int, int] = (2, 4)
    ability_mean: float = 0.0
    ability_sd: float = 1.0
    competency_loading: float = 0.8
    leniency_sd: float = 0.4
    noise_sd_median: float = 0.7
    noise_sd_log_spread: float = 0.3
    workload_log_spread: float = 0.8
    missing_rate: float = 0.1
    thresholds: tuple[float, float, float] = (-1.2, 0.0, 1.2)
    routing_strength: float = 1.0
    screen_noise_sd: float = 0.7
    ordinal: bool = True
    bar: float = 3.0


@dataclass(frozen=True)
class SimulationTruth:
    """The parameters that generated the ratings (latent scale; see the module docstring)."""

    ability: FloatArray
    competency_ability: FloatArray
    leniency: FloatArray
    noise_sd: FloatArray
    workload: FloatArray
    bar_latent: float
    above_bar: NDArray[np.bool_]


@dataclass(frozen=True)
class SimulatedLoops:
    """Ratings in the long format the fit takes, plus the truth behind them."""

    table: RatingTable
    truth: SimulationTruth
    config: SimulationConfig


def simulate_loops(config: SimulationConfig | None = None) -> SimulatedLoops:
    """Draw one synthetic pipeline; the same config (and seed) always gives the same data."""
    config = config or SimulationConfig()
    _validate(config)
    rng = np.random.default_rng(config.seed)
    n_cand, n_int = config.n_candidates, config.n_interviewers
    n_comp = len(config.competencies)

    ability = config.ability_mean + config.ability_sd * rng.standard_normal(n_cand)
    unique = math.sqrt(max(1.0 - config.competency_loading**2, 0.0)) * config.ability_sd
    competency_ability = (
        config.ability_mean
        + config.competency_loading * (ability - config.ability_mean)[:, None]
        + unique * rng.standard_normal((n_cand, n_comp))
    )
    leniency = config.leniency_sd * rng.standard_normal(n_int)
    noise_sd = config.noise_sd_median * np.exp(
        config.noise_sd_log_spread * rng.standard_normal(n_int)
    )
    workload = np.exp(config.workload_log_spread * rng.standard_normal(n_int))
    workload /= workload.sum()

    low, high = config.interviews_per_candidate
    n_interviews = rng.integers(low, high + 1, size=n_cand)
    interviewer = _assign_interviewers(config, rng, ability, leniency, workload, n_interviews)
    interview_candidate = np.repeat(np.arange(n_cand), n_interviews).astype(np.intp)
    total = interview_candidate.shape[0]

    low_c, high_c = config.competencies_per_interview
    n_rated = rng.integers(low_c, high_c + 1, size=total)
    rank = np.argsort(rng.random((total, n_comp)), axis=1)
    chosen_interview, chosen_slot = np.nonzero(np.arange(n_comp)[None, :] < n_rated[:, None])
    chosen_competency = rank[chosen_interview, chosen_slot]
    j = interviewer[chosen_interview]
    latent = (
        competency_ability[interview_candidate[chosen_interview], chosen_competency]
        + leniency[j]
        + noise_sd[j] * rng.standard_normal(chosen_interview.shape[0])
    )
    values = _observe(config, latent)
    values[rng.random(values.shape[0]) < config.missing_rate] = np.nan
    overall_latent = (
        ability[interview_candidate]
        + leniency[interviewer]
        + noise_sd[interviewer] * rng.standard_normal(total)
    )
    overall_values = _observe(config, overall_latent)

    keys = tuple(sorted((*config.competencies, OVERALL)))
    competency_code = np.array([keys.index(name) for name in config.competencies])
    rating_interview = np.concatenate((chosen_interview, np.arange(total))).astype(np.intp)
    rating_competency = np.concatenate(
        (competency_code[chosen_competency], np.full(total, keys.index(OVERALL)))
    ).astype(np.intp)
    order = np.lexsort((rating_competency, rating_interview))
    table = RatingTable(
        candidate_ids=_labels("c", n_cand),
        interviewer_ids=_labels("r", n_int),
        interview_ids=_labels("i", total),
        competency_keys=keys,
        interview_candidate=interview_candidate,
        interview_interviewer=interviewer.astype(np.intp),
        rating_interview=rating_interview[order],
        rating_competency=rating_competency[order],
        rating_value=np.concatenate((values, overall_values))[order],
    )
    bar_latent = _bar_latent(config)
    truth = SimulationTruth(
        ability=ability,
        competency_ability=competency_ability,
        leniency=leniency,
        noise_sd=noise_sd,
        workload=workload,
        bar_latent=bar_latent,
        above_bar=ability > bar_latent,
    )
    return SimulatedLoops(table=table, truth=truth, config=config)


def oracle_scores(
    loops: SimulatedLoops, *, include_overall: bool = False, grid_size: int = 81
) -> FloatArray:
    """Posterior mean of each candidate's ability given its ratings and every true parameter.

    This is the best any estimator can do with the same ratings (the benchmark's upper limit):
    it knows the thresholds, leniencies, noise SDs and ability distributions, and integrates
    over the candidate's competency-specific deviations by Gauss-Hermite quadrature.
    """
    config, truth, table = loops.config, loops.truth, loops.table
    usable = np.isfinite(table.rating_value)
    overall_code = table.competency_keys.index(OVERALL)
    is_overall = table.rating_competency == overall_code
    rows = np.flatnonzero(usable & ~is_overall)
    interview = table.rating_interview[rows]
    candidate = table.interview_candidate[interview]
    interviewer = table.interview_interviewer[interview]
    names = [table.competency_keys[code] for code in range(len(table.competency_keys))]
    competency_index = np.array(
        [config.competencies.index(name) if name != OVERALL else -1 for name in names]
    )[table.rating_competency[rows]]

    grid = config.ability_mean + config.ability_sd * np.linspace(-5.0, 5.0, grid_size)
    nodes, weights = special.roots_hermitenorm(20)
    log_weights = np.log(weights / weights.sum())
    loading = config.competency_loading
    unique = math.sqrt(max(1.0 - loading**2, 0.0)) * config.ability_sd
    log_posterior = _normal_log_density(grid, config.ability_mean, config.ability_sd)[None, :]
    log_posterior = np.repeat(log_posterior, config.n_candidates, axis=0)

    cell, first, n_cells = group_codes(candidate, competency_index.astype(np.intp))
    cell_candidate = candidate[first]
    chunk = 4000
    for start in range(0, n_cells, chunk):
        stop = min(start + chunk, n_cells)
        in_chunk = np.flatnonzero((cell >= start) & (cell < stop))
        mean = (
            config.ability_mean
            + loading * (grid[None, :, None] - config.ability_mean)
            + unique * nodes[None, None, :]
            + truth.leniency[interviewer[in_chunk]][:, None, None]
        )
        log_lik = _log_likelihood(
            config, table.rating_value[rows[in_chunk]], mean, truth.noise_sd[interviewer[in_chunk]]
        )
        per_cell = np.zeros((stop - start, grid_size, nodes.shape[0]))
        np.add.at(per_cell, cell[in_chunk] - start, log_lik)
        marginal = special.logsumexp(per_cell + log_weights[None, None, :], axis=2)
        np.add.at(log_posterior, cell_candidate[start:stop], marginal)

    if include_overall:
        rows = np.flatnonzero(usable & is_overall)
        interview = table.rating_interview[rows]
        j = table.interview_interviewer[interview]
        mean = grid[None, :] + truth.leniency[j][:, None]
        log_lik = _log_likelihood(config, table.rating_value[rows], mean, truth.noise_sd[j])
        np.add.at(log_posterior, table.interview_candidate[interview], log_lik)

    log_posterior -= log_posterior.max(axis=1, keepdims=True)
    posterior = np.exp(log_posterior)
    return np.asarray((posterior @ grid) / posterior.sum(axis=1), dtype=np.float64)


def _validate(config: SimulationConfig) -> None:
    low, high = config.interviews_per_candidate
    if not 1 <= low <= high <= config.n_interviewers:
        raise ValueError("interviews_per_candidate must fit within the number of interviewers")
    if OVERALL in config.competencies:
        raise ValueError(f"{OVERALL!r} is reserved for the overall recommendation")
    low_c, high_c = config.competencies_per_interview
    if not 1 <= low_c <= high_c <= len(config.competencies):
        raise ValueError("competencies_per_interview must fit within the competencies")
    if not 0.0 <= config.competency_loading <= 1.0:
        raise ValueError("competency_loading is a correlation in [0, 1]")
    if config.scenario not in ("baseline", "routed"):
        raise ValueError(f"unknown scenario {config.scenario!r}")


def _labels(prefix: str, count: int) -> tuple[str, ...]:
    """Zero-padded ids, so sorting them as text keeps the numeric order."""
    width = len(str(max(count, 1)))
    return tuple(f"{prefix}{index:0{width}d}" for index in range(1, count + 1))


def _assign_interviewers(
    config: SimulationConfig,
    rng: np.random.Generator,
    ability: FloatArray,
    leniency: FloatArray,
    workload: FloatArray,
    n_interviews: IntArray,
) -> IntArray:
    """Distinct interviewers per candidate by the Gumbel-top-k trick (weighted, no repeats)."""
    n_cand = ability.shape[0]
    most = int(n_interviews.max())
    log_weight = np.log(workload)
    routed = config.scenario == "routed"
    if routed:
        screen = ability + config.screen_noise_sd * rng.standard_normal(n_cand)
        screen_z = (screen - screen.mean()) / screen.std()
        harshness = leniency / config.leniency_sd
    picks = np.empty((n_cand, most), dtype=np.intp)
    block = 2048
    for start in range(0, n_cand, block):
        stop = min(start + block, n_cand)
        keys = log_weight[None, :] + rng.gumbel(size=(stop - start, log_weight.shape[0]))
        if routed:
            keys -= config.routing_strength * screen_z[start:stop, None] * harshness[None, :]
        top = np.argpartition(-keys, most - 1, axis=1)[:, :most]
        top_keys = np.take_along_axis(keys, top, axis=1)
        picks[start:stop] = np.take_along_axis(top, np.argsort(-top_keys, axis=1), axis=1)
    keep = np.arange(most)[None, :] < n_interviews[:, None]
    return picks[keep]


def _observe(config: SimulationConfig, latent: FloatArray) -> FloatArray:
    if not config.ordinal:
        return CONTINUOUS_OFFSET + latent
    cuts = np.asarray(config.thresholds)
    return 1.0 + (latent[:, None] > cuts[None, :]).sum(axis=1).astype(np.float64)


def _expected_rating(config: SimulationConfig, latent: float) -> float:
    cuts = np.asarray(config.thresholds)
    return 1.0 + float(special.ndtr((latent - cuts) / config.noise_sd_median).sum())


def _bar_latent(config: SimulationConfig) -> float:
    if not config.ordinal:
        return config.bar - CONTINUOUS_OFFSET
    from scipy import optimize  # only needed here; keeps importing the package light

    lowest, highest = config.thresholds[0] - 10.0, config.thresholds[-1] + 10.0
    return float(
        optimize.brentq(lambda t: _expected_rating(config, t) - config.bar, lowest, highest)
    )


def _log_likelihood(
    config: SimulationConfig,
    value: FloatArray,
    mean: FloatArray,
    noise_sd: FloatArray,
) -> FloatArray:
    """log p(observed rating | latent mean) broadcast over trailing grid axes of ``mean``."""
    extra = (1,) * (mean.ndim - 1)
    sd = noise_sd.reshape(-1, *extra)
    if not config.ordinal:
        observed = value.reshape(-1, *extra) - CONTINUOUS_OFFSET
        return _normal_log_density(observed, mean, sd)
    cuts = np.concatenate(([-np.inf], np.asarray(config.thresholds), [np.inf]))
    category = value.astype(np.intp)
    upper = cuts[category].reshape(-1, *extra)
    lower = cuts[category - 1].reshape(-1, *extra)
    # log(Phi(hi) - Phi(lo)) computed stably on whichever tail is smaller.
    hi, lo = (upper - mean) / sd, (lower - mean) / sd
    flip = (lo + hi) > 0
    a = np.where(flip, -hi, lo)
    b = np.where(flip, -lo, hi)
    log_b = special.log_ndtr(b)
    log_a = special.log_ndtr(a)
    return np.asarray(log_b + np.log1p(-np.exp(np.minimum(log_a - log_b, 0.0))), dtype=np.float64)


def _normal_log_density(
    value: FloatArray | float, mean: FloatArray | float, sd: FloatArray | float
) -> FloatArray:
    z = (np.asarray(value) - mean) / sd
    return np.asarray(-0.5 * z**2 - np.log(sd) - 0.5 * math.log(2.0 * math.pi), dtype=np.float64)
