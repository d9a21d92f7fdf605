"""Long-format ratings as integer-coded arrays.

One row per (interview, competency): the candidate and interviewer hang off the interview, so a
table can never say that one interview was given by two interviewers. A rating of NaN is "no
signal" (the interviewer did not assess that competency), never a zero.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._groups import IntArray

OVERALL = "overall"
"""Competency key of the overall hire / no-hire recommendation."""


class TableError(ValueError):
    """Inconsistent long-format input; ``row`` is the 0-based data row at fault, if known."""

    def __init__(self, message: str, row: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.row = row


def _frozen(array: NDArray[np.generic]) -> NDArray[np.generic]:
    array.setflags(write=False)
    return array


@dataclass(frozen=True)
class RatingTable:
    """Ratings in long format with integer codes into the id tuples.

    Interview-level arrays are indexed by interview code; rating-level arrays by row.
    """

    candidate_ids: tuple[str, ...]
    interviewer_ids: tuple[str, ...]
    interview_ids: tuple[str, ...]
    competency_keys: tuple[str, ...]
    interview_candidate: IntArray
    interview_interviewer: IntArray
    rating_interview: IntArray
    rating_competency: IntArray
    rating_value: NDArray[np.float64]

    def __post_init__(self) -> None:
        n_interviews = len(self.interview_ids)
        if self.interview_candidate.shape != (n_interviews,) or (
            self.interview_interviewer.shape != (n_interviews,)
        ):
            raise TableError("interview arrays must have one entry per interview id")
        n_rows = self.rating_value.shape[0]
        if self.rating_interview.shape != (n_rows,) or self.rating_competency.shape != (n_rows,):
            raise TableError("rating arrays must have the same length")
        for codes, labels, name in (
            (self.interview_candidate, self.candidate_ids, "candidate"),
            (self.interview_interviewer, self.interviewer_ids, "interviewer"),
            (self.rating_interview, self.interview_ids, "interview"),
            (self.rating_competency, self.competency_keys, "competency"),
        ):
            if codes.size and (codes.min() < 0 or codes.max() >= len(labels)):
                raise TableError(f"{name} codes out of range")
        for array in (
            self.interview_candidate,
            self.interview_interviewer,
            self.rating_interview,
            self.rating_competency,
            self.rating_value,
        ):
            _frozen(array)

    @property
    def n_candidates(self) -> int:
        return len(self.candidate_ids)

    @property
    def n_interviewers(self) -> int:
        return len(self.interviewer_ids)

    @property
    def n_interviews(self) -> int:
        return len(self.interview_ids)

    @property
    def n_ratings(self) -> int:
        """Rating rows that carry a signal (NaN rows excluded)."""
        return int(np.isfinite(self.rating_value).sum())

    @classmethod
    def from_arrays(
        cls,
        candidate: Sequence[str] | NDArray[np.str_],
        interviewer: Sequence[str] | NDArray[np.str_],
        interview: Sequence[str] | NDArray[np.str_],
        competency: Sequence[str] | NDArray[np.str_],
        rating: ArrayLike,
    ) -> RatingTable:
        """Code parallel columns of a long-format table (one entry per rating row)."""
        columns = [np.asarray(column, dtype=str) for column in (candidate, interviewer)]
        interview_column = np.asarray(interview, dtype=str)
        competency_column = np.asarray(competency, dtype=str)
        values = np.asarray(rating, dtype=np.float64).reshape(-1)
        n_rows = values.shape[0]
        for column in (*columns, interview_column, competency_column):
            if column.shape != (n_rows,):
                raise TableError("all columns must have the same length")
        candidate_labels, candidate_code = np.unique(columns[0], return_inverse=True)
        interviewer_labels, interviewer_code = np.unique(columns[1], return_inverse=True)
        interview_labels, first_row, interview_code = np.unique(
            interview_column, return_index=True, return_inverse=True
        )
        competency_labels, competency_code = np.unique(competency_column, return_inverse=True)
        interview_candidate = candidate_code[first_row]
        interview_interviewer = interviewer_code[first_row]
        for codes, per_interview, name in (
            (candidate_code, interview_candidate, "candidate"),
            (interviewer_code, interview_interviewer, "interviewer"),
        ):
            mismatch = np.flatnonzero(codes != per_interview[interview_code])
            if mismatch.size:
                row = int(mismatch[0])
                raise TableError(
                    f"interview {str(interview_column[row])!r} has more than one {name}", row=row
                )
        cell = interview_code.astype(np.int64) * max(len(competency_labels), 1) + competency_code
        order = np.argsort(cell, kind="stable")
        repeated = np.flatnonzero(cell[order][1:] == cell[order][:-1])
        if repeated.size:
            row = int(order[1:][repeated].min())
            raise TableError(
                f"interview {str(interview_column[row])!r} rates competency "
                f"{str(competency_column[row])!r} more than once",
                row=row,
            )
        infinite = np.flatnonzero(np.isinf(values))
        if infinite.size:
            raise TableError("ratings must be finite or NaN (no signal)", row=int(infinite[0]))
        return cls(
            candidate_ids=tuple(str(label) for label in candidate_labels),
            interviewer_ids=tuple(str(label) for label in interviewer_labels),
            interview_ids=tuple(str(label) for label in interview_labels),
            competency_keys=tuple(str(label) for label in competency_labels),
            interview_candidate=interview_candidate.astype(np.intp),
            interview_interviewer=interview_interviewer.astype(np.intp),
            rating_interview=interview_code.astype(np.intp),
            rating_competency=competency_code.astype(np.intp),
            rating_value=values.copy(),
        )

    @classmethod
    def from_rows(cls, rows: Iterable[Sequence[object]]) -> RatingTable:
        """Build from (candidate, interviewer, interview, competency, rating) tuples.

        A rating of None, NaN or "" is no signal.
        """
        columns: tuple[list[str], list[str], list[str], list[str]] = ([], [], [], [])
        ratings: list[float] = []
        for index, row in enumerate(rows):
            if len(row) != 5:
                raise TableError("each row needs exactly five fields", row=index)
            for column, value in zip(columns, row[:4], strict=True):
                column.append(str(value))
            ratings.append(_as_rating(row[4], index))
        return cls.from_arrays(*columns, rating=ratings)

    def to_rows(self) -> list[tuple[str, str, str, str, float]]:
        """Rows in long format (NaN for no signal), e.g. to write a CSV."""
        candidate = np.asarray(self.candidate_ids, dtype=object)
        interviewer = np.asarray(self.interviewer_ids, dtype=object)
        interview = np.asarray(self.interview_ids, dtype=object)
        competency = np.asarray(self.competency_keys, dtype=object)
        by_interview = self.rating_interview
        return list(
            zip(
                candidate[self.interview_candidate[by_interview]].tolist(),
                interviewer[self.interview_interviewer[by_interview]].tolist(),
                interview[by_interview].tolist(),
                competency[self.rating_competency].tolist(),
                self.rating_value.tolist(),
                strict=True,
            )
        )

    def select_candidates(self, candidate_ids: Iterable[str]) -> RatingTable:
        """The sub-table of some candidates (ids keep their labels; codes are re-numbered)."""
        wanted = set(candidate_ids)
        keep_candidate = np.array([label in wanted for label in self.candidate_ids], dtype=bool)
        keep_interview = keep_candidate[self.interview_candidate]
        keep_row = keep_interview[self.rating_interview]
        rows = [row for row, keep in zip(self.to_rows(), keep_row.tolist(), strict=True) if keep]
        if not rows:
            raise TableError("none of those candidates is in the table")
        return RatingTable.from_rows(rows)


def _as_rating(value: object, row: int) -> float:
    if value is None or value == "":
        return float("nan")
    if isinstance(value, bool) or not isinstance(value, int | float | str | np.number):
        raise TableError(f"rating {value!r} is not a number", row=row)
    try:
        number = float(value)
    except ValueError:
        raise TableError(f"rating {value!r} is not a number", row=row) from None
    if np.isinf(number):
        raise TableError(f"rating {value!r} is not finite", row=row)
    return number
