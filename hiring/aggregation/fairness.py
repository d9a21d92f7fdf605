"""Adverse impact: selection rates by group, the four-fifths rule and Fisher's exact test."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

MIN_GROUP_SIZE = 5
"""Groups with fewer applicants are suppressed: too small to report without identifying people."""

FOUR_FIFTHS = 0.8


@dataclass(frozen=True)
class GroupImpact:
    """One group's line; a suppressed group shows only its name."""

    group: str
    suppressed: bool
    applicants: int | None
    selected: int | None
    rate: float | None
    impact_ratio: float | None
    four_fifths_flag: bool | None
    fisher_p: float | None
    reference: bool


@dataclass(frozen=True)
class AdverseImpactReport:
    """Groups sorted by name; the reference group is the reported group with the highest rate."""

    groups: tuple[GroupImpact, ...]
    reference_group: str | None
    min_group_size: int


def adverse_impact(
    groups: Sequence[str],
    selected: Sequence[bool],
    *,
    min_group_size: int = MIN_GROUP_SIZE,
) -> AdverseImpactReport:
    """Adverse impact from one group label and one selected flag per applicant."""
    if len(groups) != len(selected):
        raise ValueError("groups and selected must have the same length")
    tally: dict[str, list[int]] = {}
    for group, chosen in zip(groups, selected, strict=True):
        counts = tally.setdefault(str(group), [0, 0])
        counts[0] += int(bool(chosen))
        counts[1] += 1
    return adverse_impact_from_counts(
        {group: (chosen, total) for group, (chosen, total) in tally.items()},
        min_group_size=min_group_size,
    )


def adverse_impact_from_counts(
    counts: Mapping[str, tuple[int, int]],
    *,
    min_group_size: int = MIN_GROUP_SIZE,
) -> AdverseImpactReport:
    """Adverse impact from (selected, applicants) per group.

    The reference is the highest selection rate among groups that are not suppressed (ties:
    the larger group, then the name). Each other group is compared with it by the impact ratio
    (its rate over the reference rate; flagged below 0.8) and a two-sided Fisher exact test.
    """
    from scipy import stats  # imported here: scipy.stats is slow to import for the CLI

    for group, (chosen, total) in counts.items():
        if total < 0 or not 0 <= chosen <= total:
            raise ValueError(f"group {group!r}: need 0 <= selected <= applicants")
    reported = {
        group: (chosen, total)
        for group, (chosen, total) in counts.items()
        if total >= max(min_group_size, 1)
    }
    reference = None
    if reported:
        reference = max(
            sorted(reported),
            key=lambda name: (reported[name][0] / reported[name][1], reported[name][1]),
        )
    lines = []
    for group in sorted(counts):
        if group not in reported:
            lines.append(GroupImpact(group, True, None, None, None, None, None, None, False))
            continue
        chosen, total = reported[group]
        rate = chosen / total
        assert reference is not None
        ref_chosen, ref_total = reported[reference]
        ref_rate = ref_chosen / ref_total
        ratio = rate / ref_rate if ref_rate > 0 else None
        if group == reference:
            fisher_p = None
        else:
            table = [[chosen, total - chosen], [ref_chosen, ref_total - ref_chosen]]
            fisher_p = float(stats.fisher_exact(table, alternative="two-sided").pvalue)
        lines.append(
            GroupImpact(
                group=group,
                suppressed=False,
                applicants=total,
                selected=chosen,
                rate=rate,
                impact_ratio=ratio,
                four_fifths_flag=None if ratio is None else ratio < FOUR_FIFTHS,
                fisher_p=fisher_p,
                reference=group == reference,
            )
        )
    return AdverseImpactReport(tuple(lines), reference, min_group_size)
