"""Adverse impact against hand-computed numbers."""

from __future__ import annotations

from math import comb

import pytest

from hiring.aggregation import adverse_impact, adverse_impact_from_counts


def hypergeometric_two_sided(a: int, b: int, c: int, d: int) -> float:
    """Fisher's exact two-sided p-value, by enumerating every table with the same margins."""
    row1, col1, total = a + b, a + c, a + b + c + d

    def probability(x: int) -> float:
        return comb(col1, x) * comb(total - col1, row1 - x) / comb(total, row1)

    observed = probability(a)
    low, high = max(0, row1 - (total - col1)), min(row1, col1)
    return sum(
        probability(x) for x in range(low, high + 1) if probability(x) <= observed * (1 + 1e-7)
    )


def test_rates_ratios_flags_and_fisher():
    # A: 20 of 50 hired (0.40); B: 10 of 40 (0.25); C: 9 of 25 (0.36); D: 3 applicants.
    counts = {"A": (20, 50), "B": (10, 40), "C": (9, 25), "D": (1, 3)}
    report = adverse_impact_from_counts(counts, min_group_size=5)
    lines = {line.group: line for line in report.groups}
    assert report.reference_group == "A"
    assert lines["A"].reference
    assert lines["A"].rate == pytest.approx(0.40)
    assert lines["A"].impact_ratio == pytest.approx(1.0)
    assert lines["A"].fisher_p is None
    assert lines["B"].rate == pytest.approx(0.25)
    assert lines["B"].impact_ratio == pytest.approx(0.625)
    assert lines["B"].four_fifths_flag is True
    assert lines["B"].fisher_p == pytest.approx(hypergeometric_two_sided(10, 30, 20, 30))
    assert lines["C"].impact_ratio == pytest.approx(0.9)
    assert lines["C"].four_fifths_flag is False
    assert lines["C"].fisher_p == pytest.approx(hypergeometric_two_sided(9, 16, 20, 30))
    suppressed = lines["D"]
    assert suppressed.suppressed
    assert suppressed.rate is None
    assert suppressed.selected is None
    assert suppressed.applicants is None
    assert suppressed.impact_ratio is None


def test_per_applicant_input_matches_counts():
    groups = ["x"] * 10 + ["y"] * 8
    selected = [True] * 6 + [False] * 4 + [True] * 2 + [False] * 6
    report = adverse_impact(groups, selected, min_group_size=5)
    lines = {line.group: line for line in report.groups}
    assert lines["x"].rate == pytest.approx(0.6)
    assert lines["y"].rate == pytest.approx(0.25)
    assert lines["y"].impact_ratio == pytest.approx(0.25 / 0.6)
    assert lines["y"].fisher_p == pytest.approx(hypergeometric_two_sided(2, 6, 6, 4))


def test_reference_ignores_suppressed_groups():
    report = adverse_impact_from_counts({"big": (5, 20), "tiny": (2, 2)}, min_group_size=5)
    assert report.reference_group == "big"


def test_nobody_selected_gives_no_ratio():
    report = adverse_impact_from_counts({"a": (0, 10), "b": (0, 12)})
    assert all(line.impact_ratio is None for line in report.groups)


def test_rejects_inconsistent_counts():
    with pytest.raises(ValueError, match="selected"):
        adverse_impact_from_counts({"a": (5, 3)})
