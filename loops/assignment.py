"""Choosing interviewers for a loop: a pure function, so the rules can be tested exhaustively
and the service only gathers the facts (who is qualified, who is busy which week) and writes the
result."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

SHADOW = "shadow"
REVERSE_SHADOW = "reverse_shadow"
QUALIFIED = "qualified"


@dataclass(frozen=True)
class InterviewerFacts:
    id: int
    name: str
    kinds: frozenset[str]
    max_rank: int
    training_state: str
    weekly_cap: int
    load_by_week: dict[str, int] = field(default_factory=dict, hash=False, compare=False)
    conflicted: bool = False


@dataclass(frozen=True)
class SlotToFill:
    """One interview of the loop; `week` is its ISO week (e.g. "2026-W48"), or the current week
    when it is not scheduled yet."""

    position: int
    kind: str
    kind_name: str
    level_rank: int
    week: str


@dataclass(frozen=True)
class Assignment:
    position: int
    interviewer: int | None
    shadow: int | None
    problem: str = ""


def _eligibility(
    person: InterviewerFacts, slot: SlotToFill, in_loop: set[int], load: Counter[tuple[int, str]]
) -> str:
    """Why this person cannot take this slot; empty when they can."""
    if slot.kind not in person.kinds:
        return "not trained for this kind"
    if person.max_rank < slot.level_rank:
        return "not cleared for this level"
    if person.conflicted:
        return "has a conflict with the candidate"
    if person.id in in_loop:
        return "already in this loop"
    if load[(person.id, slot.week)] >= person.weekly_cap:
        return f"at the weekly cap ({person.weekly_cap}) in {slot.week}"
    return ""


def _lowest_load(
    people: Sequence[InterviewerFacts], week: str, load: Counter[tuple[int, str]]
) -> InterviewerFacts | None:
    if not people:
        return None
    return min(people, key=lambda p: (load[(p.id, week)], p.name, p.id))


def assign_interviewers(
    *, slots: Sequence[SlotToFill], pool: Sequence[InterviewerFacts]
) -> list[Assignment]:
    """Fill each slot with the least-loaded eligible lead; attach a shadow where training needs one.

    A reverse-shadow trainee may lead only with a qualified interviewer observing; a shadow trainee
    only observes. Nobody appears twice in a loop (as lead or shadow) and weekly caps count both.
    """
    people = sorted(pool, key=lambda p: p.id)
    load: Counter[tuple[int, str]] = Counter()
    for someone in people:
        for week, count in someone.load_by_week.items():
            load[(someone.id, week)] = count
    in_loop: set[int] = set()
    assignments = []
    for slot in sorted(slots, key=lambda s: s.position):
        reasons = {p.id: _eligibility(p, slot, in_loop, load) for p in people}
        eligible = [p for p in people if not reasons[p.id]]
        qualified = [p for p in eligible if p.training_state == QUALIFIED]
        lead: InterviewerFacts | None = _lowest_load(
            [p for p in eligible if p.training_state in (QUALIFIED, REVERSE_SHADOW)],
            slot.week,
            load,
        )
        shadow: InterviewerFacts | None = None
        if lead is not None and lead.training_state == REVERSE_SHADOW:
            shadow = _lowest_load([p for p in qualified if p.id != lead.id], slot.week, load)
            if shadow is None:
                # A trainee may not lead alone; fall back to the least-loaded qualified lead.
                lead = _lowest_load(qualified, slot.week, load)
        if lead is None:
            assignments.append(
                Assignment(slot.position, None, None, _no_one_explained(slot, people, reasons))
            )
            continue
        if shadow is None:
            trainees = [p for p in eligible if p.training_state == SHADOW and p.id != lead.id]
            shadow = _lowest_load(trainees, slot.week, load)
        for taken in (lead, shadow):
            if taken is not None:
                in_loop.add(taken.id)
                load[(taken.id, slot.week)] += 1
        assignments.append(Assignment(slot.position, lead.id, shadow.id if shadow else None))
    return assignments


def _no_one_explained(
    slot: SlotToFill, people: Sequence[InterviewerFacts], reasons: dict[int, str]
) -> str:
    trained = [p for p in people if slot.kind in p.kinds]
    if not trained:
        return f"No interviewer is trained for {slot.kind_name}."
    details = "; ".join(
        f"{p.name}: {reasons[p.id] or 'in training, cannot lead without a qualified observer'}"
        for p in trained
    )
    return f"No one can lead {slot.kind_name} at this level: {details}."
