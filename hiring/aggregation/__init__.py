"""Debrief's aggregation engine: calibrated interview scores, flags, reliability, fairness.

Pure numpy / scipy / standard library: nothing here imports Django or the rest of the project,
so the engine can be used, tested and benchmarked on its own. See docs/aggregation.md.

Typical use::

    table = RatingTable.from_rows(rows)          # (candidate, interviewer, interview,
    fit = fit_rater_effects(table)               #  competency, rating or None)
    fit.candidate("c-17").p_above_bar
    flags = candidate_flags(fit, table, must={"coding", "ml_depth"})
    packet = score_candidate(fit.calibration, one_candidate_table)
"""

from .cli import InputError, main, read_ratings_csv, read_reliability_csv
from .fairness import (
    AdverseImpactReport,
    GroupImpact,
    adverse_impact,
    adverse_impact_from_counts,
)
from .flags import DISAGREEMENT_LEVEL, MIN_SIGNALS, CandidateFlags, candidate_flags
from .model import (
    DEFAULT_BAR,
    DEFAULT_INTERVAL,
    DEFAULT_INTERVIEW_SD,
    MODEL_VERSION,
    NOISE_PRIOR_INTERVIEWS,
    Calibration,
    CandidateEstimates,
    CandidateScore,
    CompetencyEstimates,
    CompetencyScore,
    FitResult,
    InterviewerCalibration,
    InterviewerEstimates,
    InterviewScores,
    MinimumData,
    VarianceComponents,
    fit_rater_effects,
    interview_scores,
    score_candidate,
    score_table,
)
from .reliability import (
    category_counts,
    fleiss_kappa,
    fleiss_kappa_ratings,
    icc_shrout_fleiss,
    krippendorff_alpha,
)
from .simulation import (
    SimulatedLoops,
    SimulationConfig,
    SimulationTruth,
    oracle_scores,
    simulate_loops,
)
from .table import OVERALL, RatingTable, TableError

__all__ = [
    "DEFAULT_BAR",
    "DEFAULT_INTERVAL",
    "DEFAULT_INTERVIEW_SD",
    "DISAGREEMENT_LEVEL",
    "MIN_SIGNALS",
    "MODEL_VERSION",
    "NOISE_PRIOR_INTERVIEWS",
    "OVERALL",
    "AdverseImpactReport",
    "Calibration",
    "CandidateEstimates",
    "CandidateFlags",
    "CandidateScore",
    "CompetencyEstimates",
    "CompetencyScore",
    "FitResult",
    "GroupImpact",
    "InputError",
    "InterviewScores",
    "InterviewerCalibration",
    "InterviewerEstimates",
    "MinimumData",
    "RatingTable",
    "SimulatedLoops",
    "SimulationConfig",
    "SimulationTruth",
    "TableError",
    "VarianceComponents",
    "adverse_impact",
    "adverse_impact_from_counts",
    "candidate_flags",
    "category_counts",
    "fit_rater_effects",
    "fleiss_kappa",
    "fleiss_kappa_ratings",
    "icc_shrout_fleiss",
    "interview_scores",
    "krippendorff_alpha",
    "main",
    "oracle_scores",
    "read_ratings_csv",
    "read_reliability_csv",
    "score_candidate",
    "score_table",
    "simulate_loops",
]
