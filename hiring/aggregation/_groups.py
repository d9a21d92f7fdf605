"""Vectorised grouping helpers shared by the model, the flags and the simulation."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

IntArray = NDArray[np.intp]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


def within_group_pairs(group: IntArray, n_groups: int) -> tuple[IntArray, IntArray]:
    """Every ordered pair (a, b) of positions that share a group, a == b included.

    Posterior covariances between effects that meet in the same candidate (or the same
    candidate-competency cell) are sums over exactly these pairs; building them once as
    index arrays lets every EM iteration accumulate them with one ``np.bincount``.
    The number of pairs is the sum of squared group sizes (about 25 per candidate).
    """
    size = group.shape[0]
    if size == 0:
        empty = np.zeros(0, dtype=np.intp)
        return empty, empty.copy()
    order = np.argsort(group, kind="stable")
    counts = np.bincount(group, minlength=n_groups)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    sorted_group = group[order]
    repeats = counts[sorted_group]
    first_sorted = np.repeat(np.arange(size), repeats)
    offsets = np.arange(int(repeats.sum())) - np.repeat(np.cumsum(repeats) - repeats, repeats)
    second_sorted = starts[sorted_group[first_sorted]] + offsets
    return order[first_sorted].astype(np.intp), order[second_sorted].astype(np.intp)


def group_codes(*keys: IntArray) -> tuple[IntArray, IntArray, int]:
    """Dense codes for the distinct combinations of several integer keys.

    Returns (code per position, first position of each code, number of codes).
    """
    if len(keys) == 0:
        raise ValueError("at least one key is needed")
    size = keys[0].shape[0]
    if size == 0:
        empty = np.zeros(0, dtype=np.intp)
        return empty, empty.copy(), 0
    combined = np.zeros(size, dtype=np.int64)
    for key in keys:
        span = int(key.max()) + 1 if key.size else 1
        combined = combined * span + key.astype(np.int64)
    _, first, inverse = np.unique(combined, return_index=True, return_inverse=True)
    return inverse.astype(np.intp), first.astype(np.intp), int(first.shape[0])
