"""The synthetic loops: deterministic, well-formed, and shaped as documented."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pytest

from hiring.aggregation import OVERALL, SimulationConfig, oracle_scores, simulate_loops

SMALL = SimulationConfig(n_candidates=300, n_interviewers=25, seed=21)


def test_same_seed_same_data_other_seed_other_data():
    first, again = simulate_loops(SMALL), simulate_loops(SMALL)
    assert np.array_equal(first.table.rating_value, again.table.rating_value, equal_nan=True)
    assert np.array_equal(first.table.interview_interviewer, again.table.interview_interviewer)
    other = simulate_loops(SimulationConfig(n_candidates=300, n_interviewers=25, seed=22))
    assert not np.array_equal(first.truth.ability, other.truth.ability)


def test_loops_are_well_formed():
    loops = simulate_loops(SMALL)
    table = loops.table
    per_candidate = np.bincount(table.interview_candidate, minlength=table.n_candidates)
    assert set(per_candidate.tolist()) <= {4, 5}
    pairs = set(
        zip(table.interview_candidate.tolist(), table.interview_interviewer.tolist(), strict=True)
    )
    assert len(pairs) == table.n_interviews  # distinct interviewers within a candidate
    values = table.rating_value[np.isfinite(table.rating_value)]
    assert set(np.unique(values).tolist()) <= {1.0, 2.0, 3.0, 4.0}
    overall = table.rating_competency == table.competency_keys.index(OVERALL)
    assert overall.sum() == table.n_interviews
    missing = np.isnan(table.rating_value[~overall]).mean()
    assert missing == pytest.approx(SMALL.missing_rate, abs=0.03)
    workload = np.bincount(table.interview_interviewer, minlength=table.n_interviewers)
    assert workload.max() > 3 * workload.min()
    assert loops.truth.above_bar.mean() == pytest.approx(0.27, abs=0.07)


def test_routing_sends_strong_candidates_to_harsh_interviewers():
    def ability_leniency_correlation(scenario: Literal["baseline", "routed"]) -> float:
        loops = simulate_loops(
            SimulationConfig(n_candidates=600, n_interviewers=30, seed=3, scenario=scenario)
        )
        table = loops.table
        leniency = loops.truth.leniency[table.interview_interviewer]
        counts = np.bincount(table.interview_candidate)
        mean_leniency = np.bincount(table.interview_candidate, leniency) / counts
        return float(np.corrcoef(loops.truth.ability, mean_leniency)[0, 1])

    assert ability_leniency_correlation("routed") < -0.3
    assert abs(ability_leniency_correlation("baseline")) < 0.15


def test_competency_abilities_follow_the_loading():
    loops = simulate_loops(SimulationConfig(n_candidates=3000, n_interviewers=10, seed=4))
    correlation = np.corrcoef(loops.truth.ability, loops.truth.competency_ability[:, 0])[0, 1]
    assert correlation == pytest.approx(0.8, abs=0.05)


def test_oracle_ranks_better_than_chance_and_beats_the_raw_mean():
    loops = simulate_loops(SMALL)
    oracle = oracle_scores(loops)
    table = loops.table
    usable = np.isfinite(table.rating_value) & (
        table.rating_competency != table.competency_keys.index(OVERALL)
    )
    candidate = table.interview_candidate[table.rating_interview[usable]]
    mean = np.bincount(candidate, table.rating_value[usable]) / np.bincount(candidate)
    truth = loops.truth.ability
    assert np.corrcoef(oracle, truth)[0, 1] > np.corrcoef(mean, truth)[0, 1]


def test_rejects_impossible_configurations():
    with pytest.raises(ValueError, match="interviewers"):
        simulate_loops(SimulationConfig(n_candidates=10, n_interviewers=3))
    with pytest.raises(ValueError, match="reserved"):
        simulate_loops(SimulationConfig(competencies=("coding", OVERALL)))
