"""Reliability statistics against published worked examples, plus invariances."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hiring.aggregation import (
    category_counts,
    fleiss_kappa,
    fleiss_kappa_ratings,
    icc_shrout_fleiss,
    krippendorff_alpha,
)

NA = np.nan

# Krippendorff (2011), "Computing Krippendorff's alpha-reliability": 4 observers x 12 units.
KRIPPENDORFF_OBSERVERS = np.array(
    [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, NA, NA, NA],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NA, 3],
        [NA, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NA],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NA],
    ]
)

# Shrout & Fleiss (1979), Table 2: 6 targets x 4 judges.
SHROUT_FLEISS = [
    [9, 2, 5, 8],
    [6, 1, 3, 2],
    [8, 4, 6, 8],
    [7, 1, 2, 6],
    [10, 5, 6, 9],
    [6, 2, 4, 7],
]

# The textbook 10 subjects x 14 raters example: counts per category for each subject.
TEXTBOOK_COUNTS = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]

# Fleiss (1971) psychiatric diagnoses: 30 subjects, 6 raters each, 5 categories
# (depression, personality disorder, schizophrenia, neurosis, other). Transcribed from the
# `diagnoses` data set of the R package irr (as reproduced in statsmodels' inter-rater tests),
# aggregated to counts per subject.
FLEISS_1971_COUNTS = [
    [0, 0, 0, 6, 0],
    [0, 3, 0, 0, 3],
    [0, 1, 4, 0, 1],
    [0, 0, 0, 0, 6],
    [0, 3, 0, 3, 0],
    [2, 0, 4, 0, 0],
    [0, 0, 4, 0, 2],
    [2, 0, 3, 1, 0],
    [2, 0, 0, 4, 0],
    [0, 0, 0, 0, 6],
    [1, 0, 0, 5, 0],
    [1, 1, 0, 4, 0],
    [0, 3, 3, 0, 0],
    [1, 0, 0, 5, 0],
    [0, 2, 0, 3, 1],
    [0, 0, 5, 0, 1],
    [3, 0, 0, 1, 2],
    [5, 1, 0, 0, 0],
    [0, 2, 0, 4, 0],
    [1, 0, 2, 0, 3],
    [0, 0, 0, 0, 6],
    [0, 1, 0, 5, 0],
    [0, 2, 0, 1, 3],
    [2, 0, 0, 4, 0],
    [1, 0, 0, 4, 1],
    [0, 5, 0, 1, 0],
    [4, 0, 0, 0, 2],
    [0, 2, 0, 4, 0],
    [1, 0, 5, 0, 0],
    [0, 0, 0, 0, 6],
]


@pytest.mark.parametrize(
    ("metric", "expected"),
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
)
def test_krippendorff_worked_example(metric, expected):
    units_by_raters = KRIPPENDORFF_OBSERVERS.T
    assert round(krippendorff_alpha(units_by_raters, metric), 3) == expected


def test_shrout_fleiss_table_2():
    icc = icc_shrout_fleiss(SHROUT_FLEISS)
    rounded = {key: round(value, 2) for key, value in icc.items()}
    assert rounded == {
        "icc1": 0.17,
        "icc2": 0.29,
        "icc3": 0.71,
        "icc1k": 0.44,
        "icc2k": 0.62,
        "icc3k": 0.91,
    }


def test_fleiss_textbook_example():
    assert round(fleiss_kappa(TEXTBOOK_COUNTS), 3) == 0.210


def test_fleiss_1971_diagnoses():
    counts = np.array(FLEISS_1971_COUNTS)
    assert counts.shape == (30, 5)
    assert np.all(counts.sum(axis=1) == 6)
    assert counts.sum(axis=0).tolist() == [26, 26, 30, 55, 43]
    assert round(fleiss_kappa(counts), 3) == 0.430


def test_fleiss_from_raw_ratings_matches_counts():
    counts = np.array(FLEISS_1971_COUNTS)
    raw = np.array([np.repeat(np.arange(1, 6), row) for row in counts], dtype=float)
    rebuilt, categories = category_counts(raw)
    assert categories.tolist() == [1, 2, 3, 4, 5]
    assert np.array_equal(rebuilt, counts)
    assert fleiss_kappa_ratings(raw) == pytest.approx(fleiss_kappa(counts))


def test_fleiss_rejects_unequal_rater_counts():
    with pytest.raises(ValueError, match="same number"):
        fleiss_kappa([[1, 1], [2, 1]])


def test_icc_rejects_missing_values():
    with pytest.raises(ValueError, match="complete"):
        icc_shrout_fleiss([[1, 2], [3, NA]])


def test_alpha_undefined_without_variation():
    assert np.isnan(krippendorff_alpha([[2, 2], [2, 2]], "nominal"))
    assert np.isnan(krippendorff_alpha([[1, NA], [NA, 2]], "interval"))


def test_alpha_rejects_unknown_metric():
    with pytest.raises(ValueError, match="metric"):
        krippendorff_alpha([[1, 2]], "cosine")


ratings_matrix = st.integers(min_value=2, max_value=8).flatmap(
    lambda units: st.integers(min_value=2, max_value=5).flatmap(
        lambda raters: st.lists(
            st.one_of(st.none(), st.integers(min_value=1, max_value=5)),
            min_size=units * raters,
            max_size=units * raters,
        ).map(
            lambda flat: np.array(
                [np.nan if value is None else float(value) for value in flat]
            ).reshape(units, raters)
        )
    )
)


@settings(max_examples=60, deadline=None)
@given(matrix=ratings_matrix, seed=st.integers(min_value=0, max_value=2**16))
def test_alpha_invariant_to_permuting_units_and_raters(matrix, seed):
    rng = np.random.default_rng(seed)
    shuffled = matrix[rng.permutation(matrix.shape[0])][:, rng.permutation(matrix.shape[1])]
    for metric in ("nominal", "ordinal", "interval", "ratio"):
        original = krippendorff_alpha(matrix, metric)
        permuted = krippendorff_alpha(shuffled, metric)
        if np.isnan(original):
            assert np.isnan(permuted)
        else:
            assert permuted == pytest.approx(original, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(
    unit_values=st.lists(st.integers(min_value=1, max_value=5), min_size=2, max_size=10).filter(
        lambda values: len(set(values)) >= 2
    ),
    raters=st.integers(min_value=2, max_value=5),
    seed=st.integers(min_value=0, max_value=2**16),
)
def test_alpha_is_one_for_perfect_agreement(unit_values, raters, seed):
    matrix = np.repeat(np.array(unit_values, dtype=float)[:, None], raters, axis=1)
    rng = np.random.default_rng(seed)
    holes = rng.random(matrix.shape) < 0.3
    holes[:, :2] = False  # every unit stays pairable
    matrix[holes] = np.nan
    for metric in ("nominal", "ordinal", "interval", "ratio"):
        assert krippendorff_alpha(matrix, metric) == pytest.approx(1.0)
