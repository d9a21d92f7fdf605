"""The rater-effects model: exact posterior, recovery, calibration, fallback, packets."""

from __future__ import annotations

import dataclasses
import math
from functools import cache
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from hiring.aggregation import (
    MODEL_VERSION,
    Calibration,
    MinimumData,
    RatingTable,
    SimulationConfig,
    fit_rater_effects,
    interview_scores,
    score_candidate,
    score_table,
    simulate_loops,
)
from hiring.aggregation._engine import Design, Observations, VarianceState, e_step
from hiring.aggregation.simulation import CONTINUOUS_OFFSET

# Tolerances stated once, used by the tests below.
LENIENCY_CORRELATION = 0.9
LENIENCY_MAE = 0.1  # 1-4 scale, continuous ratings, interviewers with >= 20 interviews
COVERAGE_RANGE = (0.85, 0.95)
PACKET_SCORE_TOLERANCE = 0.03
PACKET_SD_TOLERANCE = 0.02


@cache
def simulated(**changes: Any):
    return simulate_loops(dataclasses.replace(SimulationConfig(), **changes))


def plain_means(table: RatingTable) -> np.ndarray:
    scores = interview_scores(table)
    counts = np.bincount(scores.candidate, minlength=table.n_candidates)
    return np.bincount(scores.candidate, scores.score, minlength=table.n_candidates) / counts


def test_posterior_matches_dense_solution():
    """The Schur-complement E-step equals the brute-force Gaussian posterior."""
    rng = np.random.default_rng(0)
    rows = []
    for candidate in range(12):
        for interviewer in rng.choice(5, size=rng.integers(2, 4), replace=False):
            for competency in rng.choice(3, size=rng.integers(1, 3), replace=False):
                rows.append((candidate, interviewer, candidate * 3 + competency, rng.normal()))
    rows.append((3, rows[-1][1], 9, 0.4))  # a repeated (cell, interviewer)
    data = np.array(rows)
    candidate, interviewer = data[:, 0].astype(np.intp), data[:, 1].astype(np.intp)
    cell, value = data[:, 2].astype(np.intp), data[:, 3]
    design = Design.build(Observations(value, candidate, interviewer, cell, 12, 5, 36))
    _, cell_code = np.unique(cell, return_inverse=True)
    n_cells = design.n_cells
    size = 12 + n_cells + 5 + 1
    design_matrix = np.zeros((value.size, size))
    rows_index = np.arange(value.size)
    design_matrix[rows_index, candidate] = 1
    design_matrix[rows_index, 12 + cell_code] = 1
    design_matrix[rows_index, 12 + n_cells + interviewer] = 1
    design_matrix[:, -1] = 1
    noise = rng.uniform(0.3, 1.0, 5)
    state = VarianceState(ability=0.5, competency=0.3, leniency=0.2, noise=noise)
    weight = 1 / noise[interviewer]
    prior = np.concatenate(
        [np.full(12, 1 / 0.5), np.full(n_cells, 1 / 0.3), np.full(5, 1 / 0.2), [0.0]]
    )
    precision = design_matrix.T @ (weight[:, None] * design_matrix) + np.diag(prior)
    covariance = np.linalg.inv(precision)
    mean = covariance @ (design_matrix.T @ (weight * value))
    posterior = e_step(design, state)
    assert np.allclose(posterior.theta, mean[:12], atol=1e-10)
    assert np.allclose(posterior.gamma, mean[12 : 12 + n_cells], atol=1e-10)
    assert np.allclose(posterior.beta, mean[12 + n_cells :], atol=1e-10)
    assert np.allclose(posterior.theta_var, np.diag(covariance)[:12], atol=1e-10)
    assert np.allclose(posterior.beta_cov, covariance[12 + n_cells :, 12 + n_cells :], atol=1e-10)
    assert np.allclose(posterior.mu_cross, -covariance[:12, -1], atol=1e-10)


def test_planted_leniencies_are_recovered():
    """Continuous ratings share the 1-4 scale with the truth, so the error is comparable."""
    loops = simulated(n_candidates=600, n_interviewers=20, seed=11, ordinal=False)
    fit = fit_rater_effects(loops.table)
    assert fit.method == "rater_effects"
    truth = loops.truth.leniency
    estimate = fit.interviewers.leniency
    busy = fit.interviewers.n_interviews >= 20
    assert busy.sum() >= 15
    assert np.corrcoef(truth, estimate)[0, 1] > LENIENCY_CORRELATION
    centred_error = (estimate - estimate.mean()) - (truth - truth.mean())
    assert np.mean(np.abs(centred_error[busy])) < LENIENCY_MAE


def test_leniency_ranking_recovered_from_ordinal_ratings():
    loops = simulated(n_candidates=600, n_interviewers=20, seed=12)
    fit = fit_rater_effects(loops.table)
    assert np.corrcoef(loops.truth.leniency, fit.interviewers.leniency)[0, 1] > LENIENCY_CORRELATION


def test_intervals_have_nominal_coverage():
    """90% intervals cover the true ability for 85-95% of candidates (pooled over 4 loops).

    Continuous ratings with competencies equal to overall ability: the model's assumptions.
    Candidates of one data set share the error of the overall offset, hence the pooling.
    """
    hits = []
    for seed in range(4):
        loops = simulated(
            n_candidates=300, n_interviewers=30, seed=seed, ordinal=False, competency_loading=1.0
        )
        fit = fit_rater_effects(loops.table, interval=0.9)
        truth = CONTINUOUS_OFFSET + loops.truth.ability
        hits.append((fit.candidates.lower <= truth) & (truth <= fit.candidates.upper))
    coverage = np.concatenate(hits).mean()
    low, high = COVERAGE_RANGE
    assert low <= coverage <= high


def test_model_beats_plain_mean_when_strong_candidates_meet_harsh_interviewers():
    loops = simulated(n_candidates=600, n_interviewers=30, seed=5, scenario="routed")
    fit = fit_rater_effects(loops.table)
    model = stats.spearmanr(fit.candidates.score, loops.truth.ability).statistic
    mean = stats.spearmanr(plain_means(loops.table), loops.truth.ability).statistic
    assert model > mean + 0.05


def test_interview_level_model_is_available_and_also_helps():
    loops = simulated(n_candidates=600, n_interviewers=30, seed=5, scenario="routed")
    fit = fit_rater_effects(loops.table, observation="interview")
    assert fit.observation == "interview"
    assert fit.variances.competency_var == 0.0
    model = stats.spearmanr(fit.candidates.score, loops.truth.ability).statistic
    mean = stats.spearmanr(plain_means(loops.table), loops.truth.ability).statistic
    assert model > mean + 0.05


def test_outputs_are_consistent():
    loops = simulated(n_candidates=200, n_interviewers=15, seed=3)
    fit = fit_rater_effects(loops.table, bar=3.0, interval=0.8)
    estimates = fit.candidates
    z = stats.norm.ppf(0.9)
    assert fit.converged
    assert fit.reason == ""
    assert fit.model_version == MODEL_VERSION
    assert np.allclose(estimates.upper - estimates.score, z * estimates.sd)
    assert np.allclose(estimates.p_above_bar, stats.norm.sf(3.0, estimates.score, estimates.sd))
    one = fit.candidate(estimates.ids[7])
    assert one.score == estimates.score[7]
    assert one.recommendation == (estimates.p_above_bar[7] >= 0.5)
    assert {item.competency for item in one.competencies} <= set(loops.table.competency_keys)
    assert all(item.lower < item.mean < item.upper for item in one.competencies)
    with pytest.raises(KeyError):
        fit.candidate("nobody")


def test_packet_scoring_agrees_with_the_full_fit():
    loops = simulated(n_candidates=300, n_interviewers=20, seed=2)
    fit = fit_rater_effects(loops.table)
    for candidate in loops.table.candidate_ids[:40:4]:
        packet = loops.table.select_candidates([candidate])
        scored = score_candidate(fit.calibration, packet)
        full = fit.candidate(candidate)
        assert scored.score == pytest.approx(full.score, abs=PACKET_SCORE_TOLERANCE)
        assert scored.sd == pytest.approx(full.sd, abs=PACKET_SD_TOLERANCE)
        assert [c.competency for c in scored.competencies] == [
            c.competency for c in full.competencies
        ]
        for mine, theirs in zip(scored.competencies, full.competencies, strict=True):
            assert mine.mean == pytest.approx(theirs.mean, abs=1e-9)
    everyone = score_table(fit.calibration, loops.table)
    assert np.nanmax(np.abs(everyone.score - fit.candidates.score)) < PACKET_SCORE_TOLERANCE


def test_packet_with_unknown_interviewer_uses_the_prior():
    loops = simulated(n_candidates=300, n_interviewers=20, seed=2)
    fit = fit_rater_effects(loops.table)
    rows = [
        ("new", "stranger", "n1", "coding", 3.0),
        ("new", "stranger", "n1", "ml_depth", 4.0),
        ("new", loops.table.interviewer_ids[0], "n2", "coding", 3.0),
    ]
    scored = score_candidate(fit.calibration, RatingTable.from_rows(rows))
    known = fit.calibration.interviewers[loops.table.interviewer_ids[0]]
    assert scored.n_interviews == 2
    assert math.isfinite(scored.score)
    assert scored.sd > 0
    alone = score_candidate(fit.calibration, RatingTable.from_rows(rows[2:]))
    assert alone.score == pytest.approx(
        fit.variances.mu
        + (3.0 - fit.variances.mu - known.leniency)
        / (
            1
            + (known.noise_var + known.leniency_var + fit.variances.competency_var)
            / fit.variances.ability_var
        ),
        abs=1e-9,
    )


def test_calibration_round_trips_through_a_dict():
    loops = simulated(n_candidates=200, n_interviewers=15, seed=3)
    fit = fit_rater_effects(loops.table)
    restored = Calibration.from_dict(fit.calibration.to_dict())
    assert restored == fit.calibration
    plain = fit_rater_effects(loops.table.select_candidates(loops.table.candidate_ids[:3]))
    assert Calibration.from_dict(plain.calibration.to_dict()) == plain.calibration


def test_falls_back_to_plain_means_with_too_little_data():
    loops = simulated(n_candidates=5, n_interviewers=4, seed=1, interviews_per_candidate=(2, 3))
    fit = fit_rater_effects(loops.table)
    assert fit.method == "plain_mean"
    assert "scored interviews" in fit.reason
    assert np.allclose(fit.candidates.score, plain_means(loops.table))
    scores = interview_scores(loops.table)
    deviations = scores.score - fit.candidates.score[scores.candidate]
    dof = len(scores.score) - loops.table.n_candidates
    pooled_sd = math.sqrt(float((deviations**2).sum()) / dof)
    counts = np.bincount(scores.candidate)
    assert np.allclose(fit.candidates.sd, pooled_sd / np.sqrt(counts))
    assert np.all(fit.interviewers.leniency == 0.0)
    packet = score_candidate(fit.calibration, loops.table.select_candidates(["c1"]))
    assert packet.method == "plain_mean"
    assert packet.score == pytest.approx(fit.candidates.score[0])
    assert packet.sd == pytest.approx(fit.candidates.sd[0])


def test_fallback_uses_default_sd_without_repeat_candidates():
    rows = [(f"c{i}", "r1", f"i{i}", "coding", 1 + i % 4) for i in range(6)]
    fit = fit_rater_effects(RatingTable.from_rows(rows))
    assert fit.method == "plain_mean"
    assert "default" in fit.reason
    assert np.allclose(fit.candidates.sd, 0.75)


def test_fallback_when_scores_do_not_vary():
    loops = simulated(n_candidates=60, n_interviewers=8, seed=4)
    flat = dataclasses.replace(
        loops.table, rating_value=np.where(np.isnan(loops.table.rating_value), np.nan, 3.0)
    )
    fit = fit_rater_effects(flat)
    assert fit.method == "plain_mean"
    assert fit.reason.startswith("interview scores do not vary")


def test_fallback_thresholds_are_configurable():
    loops = simulated(n_candidates=60, n_interviewers=8, seed=4)
    assert fit_rater_effects(loops.table).method == "rater_effects"
    strict = fit_rater_effects(loops.table, minimum=MinimumData(repeat_interviewers=50))
    assert strict.method == "plain_mean"
    assert "interviewers" in strict.reason


def test_candidates_without_signal_get_no_score():
    loops = simulated(n_candidates=60, n_interviewers=8, seed=4)
    values = loops.table.rating_value.copy()
    silent = loops.table.interview_candidate[loops.table.rating_interview] == 0
    values[silent] = np.nan
    fit = fit_rater_effects(dataclasses.replace(loops.table, rating_value=values))
    assert fit.candidates.n_interviews[0] == 0
    assert np.isnan(fit.candidates.score[0])
    assert np.isnan(fit.candidates.p_above_bar[0])
    assert np.all(np.isfinite(fit.candidates.score[1:]))


def test_rejects_bad_interval():
    loops = simulated(n_candidates=60, n_interviewers=8, seed=4)
    with pytest.raises(ValueError, match="interval"):
        fit_rater_effects(loops.table, interval=1.0)


random_tables = st.integers(min_value=0, max_value=2**31 - 1).map(
    lambda seed: _random_table(np.random.default_rng(seed))
)


def _random_table(rng: np.random.Generator) -> RatingTable:
    rows = []
    n_interviewers = int(rng.integers(4, 7))
    for candidate in range(int(rng.integers(8, 16))):
        chosen = rng.choice(n_interviewers, size=int(rng.integers(1, 5)), replace=False)
        for number, interviewer in enumerate(chosen):
            for competency in ("coding", "design", "overall"):
                value = float(rng.integers(1, 5)) if rng.random() > 0.2 else None
                rows.append(
                    (
                        f"c{candidate}",
                        f"r{interviewer}",
                        f"c{candidate}-{number}",
                        competency,
                        value,
                    )
                )
    return RatingTable.from_rows(rows)


@settings(max_examples=30, deadline=None)
@given(table=random_tables, include_overall=st.booleans())
def test_random_valid_inputs_give_well_formed_outputs(table, include_overall):
    fit = fit_rater_effects(table, include_overall=include_overall)
    estimates = fit.candidates
    assert estimates.score.shape == (table.n_candidates,)
    assert fit.interviewers.leniency.shape == (table.n_interviewers,)
    scored = estimates.n_interviews > 0
    for array in (estimates.score, estimates.sd, estimates.lower, estimates.upper):
        assert np.all(np.isfinite(array[scored]))
        assert np.all(np.isnan(array[~scored]))
    assert np.all(estimates.sd[scored] > 0)
    assert np.all((estimates.p_above_bar[scored] >= 0) & (estimates.p_above_bar[scored] <= 1))
    assert np.all(estimates.lower[scored] <= estimates.upper[scored])
    assert np.all(np.isfinite(fit.interviewers.leniency))
    assert np.all(np.isfinite(fit.competencies.mean))
    assert fit.method in ("rater_effects", "plain_mean")


@cache
def shift_fixture():
    loops = simulated(n_candidates=200, n_interviewers=10, seed=4, ordinal=False)
    return loops.table, fit_rater_effects(loops.table)


@settings(max_examples=12, deadline=None)
@given(
    interviewer=st.integers(min_value=0, max_value=9),
    shift=st.floats(min_value=-1.0, max_value=1.0).filter(lambda value: abs(value) > 0.05),
)
def test_constant_shift_moves_that_interviewers_leniency_not_the_candidates(interviewer, shift):
    """Only the centred leniencies are identified: the shift lands on b_j minus the others' mean.

    Candidates' scores may move together by shift / J (the overall offset) but not apart.
    """
    table, base = shift_fixture()
    values = table.rating_value.copy()
    values[table.interview_interviewer[table.rating_interview] == interviewer] += shift
    fit = fit_rater_effects(dataclasses.replace(table, rating_value=values))
    moved = fit.interviewers.leniency - base.interviewers.leniency
    others = np.delete(moved, interviewer)
    assert moved[interviewer] - others.mean() == pytest.approx(shift, abs=0.1 * abs(shift))
    score_change = fit.candidates.score - base.candidates.score
    assert np.abs(score_change - score_change.mean()).max() < 0.05 * abs(shift)
    assert abs(score_change.mean()) < 0.2 * abs(shift)
