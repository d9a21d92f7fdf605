"""Coverage, disagreement and robustness flags."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from scipy import stats

from hiring.aggregation import (
    Calibration,
    InterviewerCalibration,
    RatingTable,
    SimulationConfig,
    VarianceComponents,
    candidate_flags,
    fit_rater_effects,
    simulate_loops,
)

HAND_CALIBRATION = Calibration(
    method="rater_effects",
    observation="rating",
    include_overall=False,
    variances=VarianceComponents(
        mu=2.5,
        mu_var=0.0,
        ability_var=0.5,
        competency_var=0.0,
        leniency_var=0.05,
        noise_var=0.3,
        item_noise_var=0.3,
        noise_prior_strength=30.0,
    ),
    interviewers={
        f"r{number}": InterviewerCalibration(
            leniency=0.0, leniency_var=0.01, noise_var=0.3, n_interviews=100
        )
        for number in range(1, 5)
    },
)


def packet(ratings: dict[str, tuple[float, ...]]) -> RatingTable:
    """One candidate; interview 'iN' is given by interviewer 'rN' and rates coding, ml_depth."""
    rows = []
    for interview, values in ratings.items():
        interviewer = "r" + interview[1:]
        for competency, value in zip(("coding", "ml_depth"), values, strict=True):
            rows.append(("cand", interviewer, interview, competency, value))
    return RatingTable.from_rows(rows)


def test_coverage_gaps_for_must_competencies():
    table = packet({"i1": (3.0, 3.0), "i2": (3.0, None), "i3": (4.0, None)})
    flags = candidate_flags(HAND_CALIBRATION, table, must={"coding", "ml_depth", "system_design"})
    assert flags[0].coverage_gaps == ("ml_depth", "system_design")
    by_candidate = candidate_flags(HAND_CALIBRATION, table, must={"cand": {"coding"}})
    assert by_candidate[0].coverage_gaps == ()


def test_robustness_names_the_interview_that_flips_the_decision():
    table = packet({"i1": (3.0, 3.0), "i2": (3.0, 3.0), "i3": (3.0, 3.0), "i4": (4.0, 4.0)})
    (flags,) = candidate_flags(HAND_CALIBRATION, table, bar=3.0)
    assert flags.recommendation is True
    assert not flags.robust
    assert flags.flipping_interviews == ("i4",)


def test_clear_candidates_are_robust():
    table = packet({"i1": (4.0, 4.0), "i2": (4.0, 3.0), "i3": (4.0, 4.0)})
    (flags,) = candidate_flags(HAND_CALIBRATION, table)
    assert flags.recommendation is True
    assert flags.robust
    assert flags.flipping_interviews == ()


def test_single_interview_is_never_robust():
    (flags,) = candidate_flags(HAND_CALIBRATION, packet({"i1": (4.0, 4.0)}))
    assert not flags.robust
    assert flags.flipping_interviews == ("i1",)
    assert np.isnan(flags.disagreement_p)
    assert flags.disagreement is False


def test_disagreement_matches_the_hand_computed_chi_square():
    table = packet({"i1": (4.0, 4.0), "i2": (1.0, 1.0), "i3": (4.0, 4.0)})
    (flags,) = candidate_flags(HAND_CALIBRATION, table, level=0.05)
    # Interview scores 4, 1, 4 minus mu: each is the mean of two ratings, so its variance is
    # (2 * 0.3 + 4 * 0.01) / 4 = 0.16 (noise plus the shared leniency error), independent.
    residuals = np.array([1.5, -1.5, 1.5])
    chi = float(((residuals - residuals.mean()) ** 2).sum() / 0.16)
    assert flags.disagreement_p == pytest.approx(stats.chi2.sf(chi, 2))
    assert flags.disagreement
    assert flags.disagreeing_competencies == ("coding", "ml_depth")


def test_agreeing_interviews_are_not_flagged():
    table = packet({"i1": (3.0, 3.0), "i2": (3.0, 3.0), "i3": (3.0, 3.0)})
    (flags,) = candidate_flags(HAND_CALIBRATION, table)
    assert not flags.disagreement
    assert flags.disagreeing_competencies == ()


def test_planted_disagreement_is_found_in_a_fit():
    loops = simulate_loops(SimulationConfig(n_candidates=200, n_interviewers=15, seed=8))
    table = loops.table
    values = table.rating_value.copy()
    first = table.interview_candidate[table.rating_interview] == 0
    interviews = np.unique(table.rating_interview[first])
    for position, interview in enumerate(interviews):
        rows = first & (table.rating_interview == interview) & np.isfinite(values)
        values[rows] = 4.0 if position % 2 == 0 else 1.0
    table = dataclasses.replace(table, rating_value=values)
    fit = fit_rater_effects(table)
    flags = candidate_flags(fit, table, must={"coding"})
    assert flags[0].disagreement
    false_alarms = np.mean([flag.disagreement for flag in flags[1:]])
    assert false_alarms < 0.1


def test_flags_cover_every_candidate_of_a_fallback_fit():
    loops = simulate_loops(
        SimulationConfig(n_candidates=5, n_interviewers=4, seed=1, interviews_per_candidate=(2, 3))
    )
    fit = fit_rater_effects(loops.table)
    assert fit.method == "plain_mean"
    flags = candidate_flags(fit, loops.table)
    assert [flag.candidate for flag in flags] == list(loops.table.candidate_ids)
    for flag, p_above in zip(flags, fit.candidates.p_above_bar, strict=True):
        assert flag.recommendation == (p_above >= 0.5)
