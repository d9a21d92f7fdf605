"""Long-format tables: coding, validation, round trips."""

from __future__ import annotations

import math

import numpy as np
import pytest

from hiring.aggregation import RatingTable, TableError

ROWS = [
    ("c2", "r1", "i1", "coding", 3),
    ("c2", "r1", "i1", "overall", None),
    ("c1", "r2", "i2", "coding", 2.5),
    ("c1", "r2", "i2", "ml_depth", ""),
]


def test_codes_and_labels():
    table = RatingTable.from_rows(ROWS)
    assert table.candidate_ids == ("c1", "c2")
    assert table.interview_ids == ("i1", "i2")
    assert table.interview_candidate.tolist() == [1, 0]
    assert table.n_ratings == 2
    assert math.isnan(table.rating_value[1])
    assert math.isnan(table.rating_value[3])


def test_round_trip_through_rows():
    table = RatingTable.from_rows(ROWS)
    again = RatingTable.from_rows(table.to_rows())
    assert again.candidate_ids == table.candidate_ids
    assert np.array_equal(again.rating_value, table.rating_value, equal_nan=True)


def test_select_candidates():
    table = RatingTable.from_rows(ROWS)
    one = table.select_candidates(["c1"])
    assert one.candidate_ids == ("c1",)
    assert one.n_interviews == 1
    with pytest.raises(TableError):
        table.select_candidates(["nobody"])


@pytest.mark.parametrize(
    ("rows", "message", "row"),
    [
        ([*ROWS, ("c3", "r1", "i1", "design", 3)], "more than one candidate", 4),
        ([*ROWS, ("c2", "r9", "i1", "design", 3)], "more than one interviewer", 4),
        ([*ROWS, ("c2", "r1", "i1", "coding", 4)], "more than once", 4),
        ([*ROWS, ("c2", "r1", "i1", "design", "high")], "not a number", 4),
        ([*ROWS, ("c2", "r1", "i1", "design", float("inf"))], "not finite", 4),
        ([("c1", "r1", "i1", "coding")], "five fields", 0),
    ],
)
def test_inconsistent_rows_are_rejected_with_the_row(rows, message, row):
    with pytest.raises(TableError, match=message) as caught:
        RatingTable.from_rows(rows)
    assert caught.value.row == row


def test_arrays_are_read_only():
    table = RatingTable.from_rows(ROWS)
    with pytest.raises(ValueError, match="read-only"):
        table.rating_value[0] = 1.0
