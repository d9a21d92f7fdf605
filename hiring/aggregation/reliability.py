"""Inter-rater reliability statistics; every function takes units along rows, NaN = missing."""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from ._groups import FloatArray

Metric = Literal["nominal", "ordinal", "interval", "ratio"]
METRICS: tuple[Metric, ...] = ("nominal", "ordinal", "interval", "ratio")


def krippendorff_alpha(ratings: ArrayLike, metric: Metric = "interval") -> float:
    """Krippendorff's alpha from the coincidence matrix (Krippendorff 2011).

    ``ratings`` is units x raters with NaN for a missing value. Units with fewer than two values
    are not pairable and are ignored. Returns NaN when alpha is undefined (no pairable values,
    or every pairable value is the same so there is no expected disagreement).
    """
    data = np.asarray(ratings, dtype=np.float64)
    if data.ndim != 2:
        raise ValueError("ratings must be a units x raters matrix")
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {METRICS}, not {metric!r}")
    present = np.isfinite(data)
    values, codes = np.unique(data[present], return_inverse=True)
    n_values = values.shape[0]
    if n_values == 0:
        return float("nan")
    unit = np.nonzero(present)[0]
    counts = np.zeros((data.shape[0], n_values))
    np.add.at(counts, (unit, codes), 1.0)
    per_unit = counts.sum(axis=1)
    pairable = per_unit >= 2
    counts, per_unit = counts[pairable], per_unit[pairable]
    if counts.shape[0] == 0:
        return float("nan")
    scaled = counts / (per_unit - 1.0)[:, None]
    coincidence = scaled.T @ counts - np.diag(scaled.sum(axis=0))
    marginals = coincidence.sum(axis=1)
    total = marginals.sum()
    delta = _squared_distance(values, marginals, metric)
    observed = float((coincidence * delta).sum())
    expected = float((np.outer(marginals, marginals) * delta).sum())
    if expected <= 0.0:
        return float("nan")
    return 1.0 - (total - 1.0) * observed / expected


def _squared_distance(values: FloatArray, marginals: FloatArray, metric: Metric) -> FloatArray:
    if metric == "nominal":
        return 1.0 - np.eye(values.shape[0])
    if metric == "interval":
        return np.subtract.outer(values, values) ** 2
    if metric == "ratio":
        total = np.add.outer(values, values)
        difference = np.subtract.outer(values, values)
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = np.where(total != 0.0, difference / total, 0.0)
        return ratio**2
    cumulative = np.cumsum(marginals)
    low = np.minimum.outer(np.arange(values.shape[0]), np.arange(values.shape[0]))
    high = np.maximum.outer(np.arange(values.shape[0]), np.arange(values.shape[0]))
    between = cumulative[high] - cumulative[low] + marginals[low]
    return (between - (marginals[low] + marginals[high]) / 2.0) ** 2


def icc_shrout_fleiss(ratings: ArrayLike) -> dict[str, float]:
    """The six intraclass correlations of Shrout & Fleiss (1979).

    ``ratings`` is a complete targets x judges matrix. Keys: icc1, icc2, icc3 (single rater:
    ICC(1,1), (2,1), (3,1)) and icc1k, icc2k, icc3k (mean of the k judges).
    """
    data = np.asarray(ratings, dtype=np.float64)
    if data.ndim != 2 or data.shape[0] < 2 or data.shape[1] < 2:
        raise ValueError("ICC needs a targets x judges matrix with at least two of each")
    if not np.all(np.isfinite(data)):
        raise ValueError("ICC needs a complete matrix (no missing values)")
    n, k = data.shape
    grand = data.mean()
    target_means = data.mean(axis=1)
    judge_means = data.mean(axis=0)
    between_targets = k * float(((target_means - grand) ** 2).sum())
    between_judges = n * float(((judge_means - grand) ** 2).sum())
    total = float(((data - grand) ** 2).sum())
    residual = total - between_targets - between_judges
    bms = between_targets / (n - 1)
    wms = (total - between_targets) / (n * (k - 1))
    jms = between_judges / (k - 1)
    ems = residual / ((n - 1) * (k - 1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return {
            "icc1": float(np.divide(bms - wms, bms + (k - 1) * wms)),
            "icc2": float(np.divide(bms - ems, bms + (k - 1) * ems + k * (jms - ems) / n)),
            "icc3": float(np.divide(bms - ems, bms + (k - 1) * ems)),
            "icc1k": float(np.divide(bms - wms, bms)),
            "icc2k": float(np.divide(bms - ems, bms + (jms - ems) / n)),
            "icc3k": float(np.divide(bms - ems, bms)),
        }


def fleiss_kappa(counts: ArrayLike) -> float:
    """Fleiss' kappa from a subjects x categories matrix of rater counts.

    Every subject must have the same number of ratings (at least two).
    """
    table = np.asarray(counts, dtype=np.float64)
    if table.ndim != 2 or table.shape[0] == 0:
        raise ValueError("counts must be a non-empty subjects x categories matrix")
    if np.any(table < 0):
        raise ValueError("counts cannot be negative")
    per_subject = table.sum(axis=1)
    raters = per_subject[0]
    if not np.allclose(per_subject, raters) or raters < 2:
        raise ValueError("every subject needs the same number of ratings, at least two")
    agreement = ((table**2).sum(axis=1) - raters) / (raters * (raters - 1.0))
    shares = table.sum(axis=0) / table.sum()
    expected = float((shares**2).sum())
    if expected >= 1.0:
        return float("nan")
    return (float(agreement.mean()) - expected) / (1.0 - expected)


def category_counts(ratings: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Subjects x categories counts from raw subjects x raters ratings (NaN = missing).

    Returns (counts, categories) with categories sorted.
    """
    data = np.asarray(ratings, dtype=np.float64)
    if data.ndim != 2:
        raise ValueError("ratings must be a subjects x raters matrix")
    present = np.isfinite(data)
    categories, codes = np.unique(data[present], return_inverse=True)
    counts = np.zeros((data.shape[0], categories.shape[0]))
    np.add.at(counts, (np.nonzero(present)[0], codes), 1.0)
    return counts, categories


def fleiss_kappa_ratings(ratings: ArrayLike) -> float:
    """Fleiss' kappa from raw subjects x raters ratings (categories are the distinct values)."""
    counts, _ = category_counts(ratings)
    return fleiss_kappa(counts)
