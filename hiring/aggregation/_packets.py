"""Scoring candidates against a fixed calibration, one small dense system per candidate.

Given a calibration, a candidate's observations are y_k = r_k - mu - b_j(k) with covariance

    diag(sigma_j^2) + s_g^2 [same cell] + Var(b_j) [same interviewer]

(leniency is known up to its posterior variance; leniency errors of different interviewers are
treated as independent). The posterior of theta is then Gaussian with precision
1/s_t^2 + 1' Sigma^-1 1. Candidates are padded to the same length and solved in batches, so
leaving one interview out (robustness) is one more batched solve per interview slot.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ._groups import BoolArray, FloatArray, IntArray, group_codes
from .table import OVERALL, RatingTable

_CHUNK = 2048


@dataclass(frozen=True)
class PacketObservations:
    """Observations of a table in a calibration's terms, sorted by candidate then interview."""

    n_candidates: int
    candidate: IntArray
    interview: IntArray
    interviewer: IntArray
    cell: IntArray
    residual: FloatArray
    noise_var: FloatArray
    leniency_var: FloatArray
    slot: IntArray
    """Index of the observation's interview among its candidate's interviews."""


@dataclass(frozen=True)
class PacketPosteriors:
    """Per-candidate Gaussian (precision and precision-weighted mean of theta).

    ``drop_*`` arrays have one column per interview slot: the same quantities with that
    interview left out (NaN where the candidate has no such slot).
    """

    precision: FloatArray
    weighted: FloatArray
    drop_precision: FloatArray
    drop_weighted: FloatArray
    slot_interview: IntArray
    chi_square: FloatArray
    dof: IntArray


def observation_rows(
    table: RatingTable, *, observation: str, include_overall: bool
) -> tuple[IntArray, FloatArray, IntArray]:
    """(interview code, value, cell code) of every observation the model uses.

    Rating mode: each rated item, cell = (candidate, competency). Interview mode: each
    interview's mean rating, cell = the interview itself.
    """
    usable = np.isfinite(table.rating_value)
    if not include_overall and OVERALL in table.competency_keys:
        usable &= table.rating_competency != table.competency_keys.index(OVERALL)
    rows = np.flatnonzero(usable)
    interview = table.rating_interview[rows]
    if observation == "rating":
        candidate = table.interview_candidate[interview]
        cell, _, _ = group_codes(candidate, table.rating_competency[rows])
        return interview, table.rating_value[rows], cell
    totals = np.bincount(interview, table.rating_value[rows], minlength=table.n_interviews)
    counts = np.bincount(interview, minlength=table.n_interviews)
    scored = np.flatnonzero(counts > 0).astype(np.intp)
    return scored, totals[scored] / counts[scored], np.arange(scored.shape[0], dtype=np.intp)


def packet_observations(
    table: RatingTable,
    *,
    observation: str,
    include_overall: bool,
    mu: float,
    leniency: FloatArray,
    leniency_var: FloatArray,
    noise_var: FloatArray,
) -> PacketObservations:
    """Residuals against known offsets; interviewer arrays are indexed by table codes."""
    interview, value, cell = observation_rows(
        table, observation=observation, include_overall=include_overall
    )
    candidate = table.interview_candidate[interview]
    order = np.lexsort((interview, candidate))
    interview, value, cell, candidate = (
        interview[order],
        value[order],
        cell[order],
        candidate[order],
    )
    interviewer = table.interview_interviewer[interview]
    code, first, _ = group_codes(candidate, interview)
    first_code_of_candidate = np.full(table.n_candidates, 0, dtype=np.intp)
    if code.size:
        candidate_of_code = candidate[first]
        starts = np.flatnonzero(np.r_[True, candidate_of_code[1:] != candidate_of_code[:-1]])
        first_code_of_candidate[candidate_of_code[starts]] = starts
    slot = code - first_code_of_candidate[candidate]
    return PacketObservations(
        n_candidates=table.n_candidates,
        candidate=candidate,
        interview=interview,
        interviewer=interviewer,
        cell=cell,
        residual=value - mu - leniency[interviewer],
        noise_var=noise_var[interviewer],
        leniency_var=leniency_var[interviewer],
        slot=slot.astype(np.intp),
    )


def packet_posteriors(
    packets: PacketObservations,
    *,
    ability_var: float,
    competency_var: float,
    leave_one_out: bool = False,
) -> PacketPosteriors:
    """Batched dense posteriors of theta for every candidate (and, optionally, drop-one)."""
    n_cand = packets.n_candidates
    counts = np.bincount(packets.candidate, minlength=n_cand)
    n_slots = int(packets.slot.max()) + 1 if packets.slot.size else 0
    prior = 0.0 if math.isinf(ability_var) else 1.0 / ability_var
    precision = np.full(n_cand, prior)
    weighted = np.zeros(n_cand)
    drop_precision = np.full((n_cand, n_slots), np.nan)
    drop_weighted = np.full((n_cand, n_slots), np.nan)
    slot_interview = np.full((n_cand, n_slots), -1, dtype=np.intp)
    chi_square = np.full(n_cand, np.nan)
    dof = np.zeros(n_cand, dtype=np.intp)
    if packets.candidate.size == 0:
        return PacketPosteriors(
            precision, weighted, drop_precision, drop_weighted, slot_interview, chi_square, dof
        )
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    position = np.arange(packets.candidate.shape[0]) - starts[packets.candidate]
    slot_interview[packets.candidate, packets.slot] = packets.interview
    for low in range(0, n_cand, _CHUNK):
        high = min(low + _CHUNK, n_cand)
        rows = np.flatnonzero((packets.candidate >= low) & (packets.candidate < high))
        if rows.size == 0:
            continue
        width = int(counts[low:high].max())
        block = _Block.build(packets, rows, position, low, high - low, width, competency_var)
        total, weight = block.information(block.valid)
        precision[low:high] += total
        weighted[low:high] += weight
        chi, df = block.interview_chi_square(n_slots)
        chi_square[low:high] = chi
        dof[low:high] = df
        if leave_one_out:
            for slot in range(n_slots):
                has_slot = (block.slot == slot) & block.valid
                owners = has_slot.any(axis=1)
                total_d, weight_d = block.information(block.valid & ~has_slot)
                drop_precision[low:high, slot] = np.where(owners, prior + total_d, np.nan)
                drop_weighted[low:high, slot] = np.where(owners, weight_d, np.nan)
    return PacketPosteriors(
        precision, weighted, drop_precision, drop_weighted, slot_interview, chi_square, dof
    )


@dataclass(frozen=True)
class _Block:
    """A chunk of candidates padded to ``width`` observations each."""

    valid: BoolArray
    residual: FloatArray
    covariance: FloatArray
    slot: IntArray

    @classmethod
    def build(
        cls,
        packets: PacketObservations,
        rows: IntArray,
        position: IntArray,
        offset: int,
        size: int,
        width: int,
        competency_var: float,
    ) -> _Block:
        owner = packets.candidate[rows] - offset
        at = position[rows]
        valid = np.zeros((size, width), dtype=bool)
        valid[owner, at] = True

        def padded(values: FloatArray | IntArray, fill: float) -> FloatArray:
            out = np.full((size, width), fill, dtype=np.float64)
            out[owner, at] = values[rows]
            return out

        residual = padded(packets.residual, 0.0)
        noise = padded(packets.noise_var, 1.0)
        leniency_var = padded(packets.leniency_var, 0.0)
        cell = padded(packets.cell, -1.0)
        interviewer = padded(packets.interviewer, -1.0)
        slot = np.full((size, width), -1, dtype=np.intp)
        slot[owner, at] = packets.slot[rows]
        both = valid[:, :, None] & valid[:, None, :]
        same_cell = (cell[:, :, None] == cell[:, None, :]) & both
        same_interviewer = (interviewer[:, :, None] == interviewer[:, None, :]) & both
        covariance = competency_var * same_cell + leniency_var[:, :, None] * same_interviewer
        diagonal = np.arange(width)
        covariance[:, diagonal, diagonal] += noise
        return cls(valid=valid, residual=residual, covariance=covariance, slot=slot)

    def information(self, keep: BoolArray) -> tuple[FloatArray, FloatArray]:
        """(1' S^-1 1, 1' S^-1 y) over the kept observations of each candidate."""
        both = keep[:, :, None] & keep[:, None, :]
        width = keep.shape[1]
        eye = np.broadcast_to(np.eye(width, dtype=bool), both.shape)
        matrix = np.where(both, self.covariance, eye.astype(np.float64))
        ones = keep.astype(np.float64)
        rhs = np.stack((ones, np.where(keep, self.residual, 0.0)), axis=2)
        solved = np.linalg.solve(matrix, rhs)
        total = np.einsum("nk,nk->n", ones, solved[:, :, 0])
        weight = np.einsum("nk,nk->n", ones, solved[:, :, 1])
        return total, weight

    def interview_chi_square(self, n_slots: int) -> tuple[FloatArray, IntArray]:
        """GLS spread of calibrated interview scores against their modelled covariance."""
        size, width = self.valid.shape
        if n_slots == 0:
            return np.full(size, np.nan), np.zeros(size, dtype=np.intp)
        averaging = np.zeros((size, n_slots, width))
        owner, at = np.nonzero(self.valid)
        averaging[owner, self.slot[owner, at], at] = 1.0
        per_slot = averaging.sum(axis=2)
        present = per_slot > 0
        averaging /= np.where(present, per_slot, 1.0)[:, :, None]
        scores = np.einsum("nsk,nk->ns", averaging, self.residual)
        omega = np.einsum("nsk,nkl,ntl->nst", averaging, self.covariance, averaging)
        both = present[:, :, None] & present[:, None, :]
        eye = np.broadcast_to(np.eye(n_slots), omega.shape)
        omega = np.where(both, omega, eye)
        ones = present.astype(np.float64)
        rhs = np.stack((ones, np.where(present, scores, 0.0)), axis=2)
        solved = np.linalg.solve(omega, rhs)
        one_w_one = np.einsum("ns,ns->n", ones, solved[:, :, 0])
        one_w_y = np.einsum("ns,ns->n", ones, solved[:, :, 1])
        y_w_y = np.einsum("ns,ns->n", np.where(present, scores, 0.0), solved[:, :, 1])
        dof = present.sum(axis=1) - 1
        with np.errstate(invalid="ignore", divide="ignore"):
            chi = y_w_y - one_w_y**2 / one_w_one
        return np.where(dof >= 1, np.maximum(chi, 0.0), np.nan), dof.astype(np.intp)
