"""Planning one interview loop: which interviews, what each one focuses on, which questions it asks.

A pure function over plain frozen values (standard library only, no Django), so a view, a worker, a
test or a benchmark can call it without a database, and the same inputs in any order give the same
plan. Nothing here looks at level, kind or competency names: loops differ by level only because the
expectations, kinds and questions passed in differ.

The guarantees (each one either holds in the returned plan or is named in `LoopPlan.problems`):

- every must competency is the focus of `must_signals` different interviews, every should competency
  of `should_signals`; nice ones fill focus slots left over in the interviews already chosen;
- no interview has more than `max_focus` focus competencies;
- the loop fits the level's time budget;
- every interview is of a kind that applies to the level and can assess each of its focus
  competencies;
- each focus competency gets a question of its own competency that was not asked to this candidate
  before and appears once in the loop; least-used questions come first (then by key), and an
  interview's questions fit in its minutes less the buffer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Protocol

MUST, SHOULD, NICE = "must", "should", "nice"
PRIORITY_RANK = {MUST: 0, SHOULD: 1, NICE: 2}

MUST_SIGNALS = "must-two-signals"
SHOULD_SIGNALS = "should-one-signal"
NO_KIND = "no-kind"
BUDGET = "budget"
NO_QUESTION = "no-question"

# How many partial kind combinations the exact search may visit before it settles for the best
# combination found so far (or, with none, for the greedy partial plan). The shipped loops need a
# few hundred.
SEARCH_LIMIT = 50_000


# --- inputs --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedExpectation:
    competency: str
    priority: str
    bar: int


@dataclass(frozen=True)
class KindOption:
    key: str
    name: str
    minutes: int
    levels: frozenset[str]
    competencies: frozenset[str]


@dataclass(frozen=True)
class QuestionOption:
    """An active question that suits the level; `times_used` counts how often it was planned
    before (across all candidates), so the bank wears evenly."""

    key: str
    competency: str
    minutes: int
    times_used: int = 0


@dataclass(frozen=True)
class PlanConstraints:
    level: str
    budget_minutes: int
    max_focus: int = 3
    must_signals: int = 2
    should_signals: int = 1
    buffer_minutes: int = 5
    used_question_keys: frozenset[str] = frozenset()


# --- output --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedInterview:
    kind: str
    competencies: tuple[str, ...]
    minutes: int
    questions: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "competencies": list(self.competencies),
            "minutes": self.minutes,
            "questions": list(self.questions),
        }


@dataclass(frozen=True)
class PlanProblem:
    """A guarantee the plan does not meet, and why; `interview` is the index of the interview it
    concerns, when it concerns one."""

    competency: str | None
    guarantee: str
    reason: str
    interview: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "competency": self.competency,
            "guarantee": self.guarantee,
            "reason": self.reason,
            "interview": self.interview,
        }


@dataclass(frozen=True)
class LoopPlan:
    interviews: tuple[PlannedInterview, ...]
    total_minutes: int
    budget_minutes: int
    problems: tuple[PlanProblem, ...]
    coverage: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {
            "interviews": [interview.to_dict() for interview in self.interviews],
            "total_minutes": self.total_minutes,
            "budget_minutes": self.budget_minutes,
            "problems": [problem.to_dict() for problem in self.problems],
            "notes": list(self.notes),
        }


# --- assigning competencies to interviews --------------------------------------------------------


class _Assignment:
    """Competencies assigned to interviews as a bipartite b-matching: each interview takes at most
    `capacity` competencies, a competency at most once per interview (so a must's signals come from
    different interviews). Assigning one more signal follows an augmenting path, which may move
    earlier assignments but never undoes one, so adding musts first, then shoulds, then nice ones
    gives each priority the most signals the interviews allow."""

    __slots__ = ("capacity", "focus", "interviews_for")

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.focus: list[list[str]] = []
        self.interviews_for: dict[str, list[int]] = {}

    def copy(self) -> _Assignment:
        twin = _Assignment(self.capacity)
        twin.focus = [list(assigned) for assigned in self.focus]
        twin.interviews_for = {c: list(ids) for c, ids in self.interviews_for.items()}
        return twin

    def add_interview(self, assessable: Iterable[str]) -> None:
        index = len(self.focus)
        self.focus.append([])
        for competency in sorted(assessable):
            self.interviews_for.setdefault(competency, []).append(index)

    def signals(self, competency: str) -> int:
        return sum(competency in self.focus[i] for i in self.interviews_for.get(competency, ()))

    def fill(self, competency: str, wanted: int) -> int:
        """Assign up to `wanted` signals in total; return how many were added."""
        added = 0
        while self.signals(competency) < wanted and self._augment(competency, set()):
            added += 1
        return added

    def _augment(self, competency: str, visited: set[int]) -> bool:
        for index in self.interviews_for.get(competency, ()):
            if index in visited or competency in self.focus[index]:
                continue
            visited.add(index)
            if len(self.focus[index]) < self.capacity:
                self.focus[index].append(competency)
                return True
            for other in list(self.focus[index]):
                if self._augment(other, visited):
                    self.focus[index].remove(other)
                    self.focus[index].append(competency)
                    return True
        return False


@dataclass(frozen=True)
class _Layout:
    """Each interview's focus competencies; with question time reserved, also which reserved
    question (an index into the competency's shortlist) each focus competency was given."""

    focus: tuple[tuple[str, ...], ...]
    reserved: tuple[tuple[int, ...], ...] | None


@dataclass(frozen=True)
class _Choice:
    """A multiset of kinds (indexes into the sorted kinds, ascending) laid out, and its score:
    fewer repeated kinds, then fewer minutes, then more nice competencies, then fewer interviews,
    then kind keys."""

    score: tuple[int, int, int, int, tuple[str, ...]]
    kinds: tuple[int, ...]
    layout: _Layout


class _SearchLimitError(Exception):
    pass


@dataclass
class _Search:
    """What one search for kinds shares. With `reserve` (for each competency, the question minutes
    each of its signals needs, shortest first) a layout must also keep each interview's reserved
    question minutes within its room, so every focus competency can get its question; without, only
    focus slots count. `steps` bounds the whole search, combinations and layout steps alike."""

    kinds: Sequence[KindOption]
    demand: Sequence[tuple[str, int]]
    nice: Sequence[str]
    capacity: int
    rooms: Sequence[int]
    reserve: Mapping[str, tuple[int, ...]] | None
    steps: int = 0

    def tick(self) -> None:
        self.steps += 1
        if self.steps > SEARCH_LIMIT:
            raise _SearchLimitError

    def lay_out(self, chosen: Sequence[int]) -> _Layout | None:
        """Each interview's focus, giving every demanded competency its signals, or None."""
        if self.reserve is not None:
            needed = sum(sum(self.reserve[c]) for c, _ in self.demand)
            if needed > sum(self.rooms[index] for index in chosen):
                return None
        flow = _Assignment(self.capacity)
        for index in chosen:
            flow.add_interview(self.kinds[index].competencies)
        for competency, wanted in self.demand:
            self.tick()
            if flow.fill(competency, wanted) < wanted:
                return None
        if self.reserve is None:
            for competency in self.nice:
                flow.fill(competency, 1)
            return _Layout(tuple(tuple(focus) for focus in flow.focus), None)
        return self._timed(chosen, self.reserve)

    def _timed(
        self, chosen: Sequence[int], reserve: Mapping[str, tuple[int, ...]]
    ) -> _Layout | None:
        """Backtracking over which interview holds each signal (most constrained competency
        first, longest reservation first), keeping every interview within its focus slots and its
        question minutes. The flow has already shown the slots alone suffice."""
        count = len(chosen)
        options = {
            competency: [
                p for p in range(count) if competency in self.kinds[chosen[p]].competencies
            ]
            for competency, _ in self.demand
        }
        order = sorted(
            range(len(self.demand)),
            key=lambda j: (
                len(options[self.demand[j][0]]) - self.demand[j][1],
                -sum(reserve[self.demand[j][0]]),
                j,
            ),
        )
        units = [
            (competency, signal, reserve[competency][signal])
            for competency, wanted in (self.demand[j] for j in order)
            for signal in sorted(range(wanted), key=lambda s: (-reserve[competency][s], s))
        ]
        slots = [self.capacity] * count
        room = [self.rooms[index] for index in chosen]
        focus: list[list[str]] = [[] for _ in range(count)]
        reserved: list[list[int]] = [[] for _ in range(count)]
        held: list[int] = [-1] * len(units)

        def place(step: int, minutes_left: int) -> bool:
            if step == len(units):
                return True
            if len(units) - step > sum(slots) or minutes_left > sum(room):
                return False
            competency, signal, minutes = units[step]
            lowest = 0
            if step and units[step - 1][0] == competency and units[step - 1][2] == minutes:
                lowest = held[step - 1] + 1  # equal reservations: one order is enough
            for p in options[competency]:
                if p < lowest or not slots[p] or room[p] < minutes or competency in focus[p]:
                    continue
                self.tick()
                slots[p] -= 1
                room[p] -= minutes
                focus[p].append(competency)
                reserved[p].append(signal)
                held[step] = p
                if place(step + 1, minutes_left - minutes):
                    return True
                slots[p] += 1
                room[p] += minutes
                focus[p].pop()
                reserved[p].pop()
            return False

        if not place(0, sum(minutes for _, _, minutes in units)):
            return None
        for competency in self.nice:
            minutes = reserve[competency][0]
            for p in range(count):
                if (
                    competency in self.kinds[chosen[p]].competencies
                    and slots[p]
                    and room[p] >= minutes
                ):
                    slots[p] -= 1
                    room[p] -= minutes
                    focus[p].append(competency)
                    reserved[p].append(0)
                    break
        return _Layout(tuple(tuple(f) for f in focus), tuple(tuple(r) for r in reserved))


# --- choosing the kinds --------------------------------------------------------------------------


def _search_kinds(
    search: _Search, usable: Sequence[int], budget: int
) -> tuple[_Choice | None, bool]:
    """Branch and bound over how many interviews of each usable kind to plan, for the best
    multiset that can be laid out; returns it (or None) and whether the search was exhaustive.
    Necessary conditions (each competency has enough interviews that can assess it, there are
    enough focus slots, the minutes can still fit) prune, so only promising multisets get laid
    out."""
    kinds, demand, capacity = search.kinds, search.demand, search.capacity
    bit = {competency: 1 << j for j, (competency, _) in enumerate(demand)}
    need = [wanted for _, wanted in demand]
    total_need = sum(need)
    masks = {i: sum(bit[c] for c in kinds[i].competencies if c in bit) for i in usable}
    useful_slots = {i: min(masks[i].bit_count(), capacity) for i in usable}
    order = sorted(
        usable,
        key=lambda i: (
            -Fraction(useful_slots[i], kinds[i].minutes),
            kinds[i].minutes,
            kinds[i].key,
        ),
    )
    most_copies = [
        min(
            budget // kinds[i].minutes,
            sum(wanted for j, wanted in enumerate(need) if masks[i] >> j & 1),
        )
        for i in order
    ]
    count = len(order)
    suffix_mask = [0] * (count + 1)
    suffix_minutes = [budget + 1] * (count + 1)
    for position in range(count - 1, -1, -1):
        index = order[position]
        suffix_mask[position] = suffix_mask[position + 1] | masks[index]
        suffix_minutes[position] = min(suffix_minutes[position + 1], kinds[index].minutes)
    members = [[j for j in range(len(demand)) if masks[i] >> j & 1] for i in order]

    available = [0] * len(demand)
    copies = [0] * count
    best: list[_Choice] = []
    state = {"minutes": 0, "repeats": 0, "slots": 0}

    def evaluate() -> bool:
        chosen = sorted(order[p] for p in range(count) for _ in range(copies[p]))
        if best and (state["repeats"], state["minutes"]) > best[0].score[:2]:
            return False
        layout = search.lay_out(chosen)
        if layout is None:
            return False
        covered = sum(1 for c in search.nice if any(c in focus for focus in layout.focus))
        score = (
            state["repeats"],
            state["minutes"],
            -covered,
            len(chosen),
            tuple(kinds[i].key for i in chosen),
        )
        if not best or score < best[0].score:
            best[:] = [_Choice(score, tuple(chosen), layout)]
        return True

    def visit(position: int, evaluated: bool) -> None:
        search.tick()
        short_mask = 0
        most_short = 0
        for j, wanted in enumerate(need):
            short = wanted - available[j]
            if short > 0:
                short_mask |= 1 << j
                most_short = max(most_short, short)
        slot_short = total_need - state["slots"]
        if not short_mask and slot_short <= 0:
            if not evaluated and evaluate():
                return  # anything added to a multiset that works costs more minutes
            more = 1
        else:
            more = max(most_short, -(-slot_short // capacity))
        if position == count or short_mask & ~suffix_mask[position]:
            return
        floor = state["minutes"] + more * suffix_minutes[position]
        if floor > budget or (best and (state["repeats"], floor) > best[0].score[:2]):
            return
        index = order[position]
        minutes = kinds[index].minutes
        for taken in (1, 0, *range(2, most_copies[position] + 1)):
            if taken > most_copies[position]:
                continue
            if taken == 0:
                visit(position + 1, True)  # the same multiset: no need to lay it out again
                continue
            copies[position] = taken
            state["minutes"] += taken * minutes
            state["repeats"] += taken - 1
            state["slots"] += taken * useful_slots[index]
            for j in members[position]:
                available[j] += taken
            if state["minutes"] <= budget:
                visit(position + 1, False)
            for j in members[position]:
                available[j] -= taken
            state["slots"] -= taken * useful_slots[index]
            state["repeats"] -= taken - 1
            state["minutes"] -= taken * minutes
            copies[position] = 0

    exhaustive = True
    try:
        visit(0, False)
    except _SearchLimitError:
        exhaustive = False
    return (best[0] if best else None), exhaustive


def _fill_in_rounds(
    assignment: _Assignment, demand: Sequence[tuple[str, int]], priorities: Mapping[str, str]
) -> list[int]:
    """Assign what the interviews allow, musts before shoulds and, within a priority, every
    competency's first signal before anyone's second (a must assessed once beats one never
    assessed); returns how many signals each round added."""
    added: list[int] = []
    for priority in (MUST, SHOULD):
        wanted_here = [(c, wanted) for c, wanted in demand if priorities[c] == priority]
        for round_number in range(1, max((w for _, w in wanted_here), default=0) + 1):
            added.append(
                sum(
                    assignment.fill(c, round_number)
                    for c, wanted in wanted_here
                    if wanted >= round_number
                )
            )
    return added


def _greedy_kinds(
    search: _Search,
    usable: Sequence[int],
    priorities: Mapping[str, str],
    budget: int,
) -> _Choice:
    """The best partial plan when no multiset gives every signal: add, one interview at a time,
    the kind that adds the most signals per minute (an earlier round of `_fill_in_rounds`
    outweighs any number of later ones), until nothing that still fits adds one."""
    kinds, demand, capacity = search.kinds, search.demand, search.capacity
    base = sum(wanted for _, wanted in demand) + 1
    chosen: list[int] = []
    assignment = _Assignment(capacity)
    remaining = budget
    while True:
        pick: tuple[tuple[Fraction, int, str], int, _Assignment] | None = None
        for index in usable:
            kind = kinds[index]
            if kind.minutes > remaining:
                continue
            trial = assignment.copy()
            trial.add_interview(kind.competencies)
            gain = 0
            for added in _fill_in_rounds(trial, demand, priorities):
                gain = gain * base + added
            if not gain:
                continue
            rank = (-Fraction(gain, kind.minutes), int(index in chosen), kind.key)
            if pick is None or rank < pick[0]:
                pick = (rank, index, trial)
        if pick is None:
            break
        _, index, assignment = pick
        chosen.append(index)
        remaining -= kinds[index].minutes
    # Rebuilt in kind order, so the interviews come out in the same order as a complete plan's.
    ordered = tuple(sorted(chosen))
    final = _Assignment(capacity)
    for index in ordered:
        final.add_interview(kinds[index].competencies)
    _fill_in_rounds(final, demand, priorities)
    for competency in search.nice:
        final.fill(competency, 1)
    minutes = sum(kinds[index].minutes for index in ordered)
    score = (0, minutes, 0, len(ordered), tuple(kinds[index].key for index in ordered))
    return _Choice(score, ordered, _Layout(tuple(tuple(f) for f in final.focus), None))


# --- choosing the questions ----------------------------------------------------------------------


def _question_rank(question: QuestionOption) -> tuple[int, str]:
    return (question.times_used, question.key)


def _pick_in_turn(
    focus: Sequence[str],
    required: Sequence[bool],
    room: int,
    candidates: Mapping[str, Sequence[QuestionOption]],
    taken: set[str],
) -> list[QuestionOption | None]:
    """One question per focus competency of one interview, fitting in `room` minutes: as many
    for must and should competencies as possible, then for nice ones, and among those the
    least-used choice position by position. An option is skipped when an earlier (less used) one
    is no longer, since it can only do worse; that keeps the exact search to a few branches."""
    options: list[list[QuestionOption]] = []
    for competency in focus:
        staircase: list[QuestionOption] = []
        for question in candidates.get(competency, ()):
            if question.key in taken or question.minutes > room:
                continue
            if not staircase or question.minutes < staircase[-1].minutes:
                staircase.append(question)
        options.append(staircase)
    required_after = [0] * (len(focus) + 1)
    optional_after = [0] * (len(focus) + 1)
    for position in range(len(focus) - 1, -1, -1):
        required_after[position] = required_after[position + 1] + int(required[position])
        optional_after[position] = optional_after[position + 1] + int(not required[position])

    best_filled = (-1, -1)
    best: list[QuestionOption | None] = []
    current: list[QuestionOption | None] = []

    def visit(position: int, left: int, filled: tuple[int, int]) -> None:
        nonlocal best_filled, best
        if position == len(focus):
            if filled > best_filled:
                best_filled, best = filled, list(current)
            return
        hopeful = (
            filled[0] + required_after[position],
            filled[1] + optional_after[position],
        )
        if hopeful <= best_filled:
            return
        gained = (filled[0] + 1, filled[1]) if required[position] else (filled[0], filled[1] + 1)
        for question in options[position]:
            if question.minutes <= left:
                current.append(question)
                visit(position + 1, left - question.minutes, gained)
                current.pop()
        current.append(None)
        visit(position + 1, left, filled)
        current.pop()

    visit(0, room, (0, 0))
    return best


def _improve(
    picks: list[list[QuestionOption | None]],
    focus: Sequence[Sequence[str]],
    rooms: Sequence[int],
    candidates: Mapping[str, Sequence[QuestionOption]],
) -> None:
    """Swap in a less-used free question wherever one fits, until none does, so the questions
    kept from reserved minutes are least-used first too."""
    taken = {q.key for row in picks for q in row if q is not None}
    changed = True
    while changed:
        changed = False
        for row, competencies, room in zip(picks, focus, rooms, strict=True):
            for position, competency in enumerate(competencies):
                current = row[position]
                spare = room - sum(q.minutes for q in row if q is not None)
                limit = spare + (current.minutes if current is not None else 0)
                for question in candidates.get(competency, ()):
                    if current is not None and _question_rank(question) >= _question_rank(current):
                        break
                    if question.key in taken or question.minutes > limit:
                        continue
                    if current is not None:
                        taken.discard(current.key)
                    taken.add(question.key)
                    row[position] = question
                    changed = True
                    break


def _pick_questions(
    focus: Sequence[Sequence[str]],
    reserved: Sequence[Sequence[int]] | None,
    required: Mapping[str, bool],
    rooms: Sequence[int],
    candidates: Mapping[str, Sequence[QuestionOption]],
    shortlist: Mapping[str, Sequence[QuestionOption]],
) -> list[list[QuestionOption | None]]:
    """Questions for every interview: least-used first, interview by interview; when that leaves
    a must or should competency without a question that the reserved minutes would have given it,
    the reserved questions instead, each then swapped for a less-used one where that fits."""
    taken: set[str] = set()
    in_turn: list[list[QuestionOption | None]] = []
    for competencies, room in zip(focus, rooms, strict=True):
        row = _pick_in_turn(
            competencies, [required[c] for c in competencies], room, candidates, taken
        )
        taken.update(q.key for q in row if q is not None)
        in_turn.append(row)
    if reserved is None:
        return in_turn
    kept: list[list[QuestionOption | None]] = [
        [
            shortlist[c][signal] if signal < len(shortlist.get(c, ())) else None
            for c, signal in zip(competencies, signals, strict=True)
        ]
        for competencies, signals in zip(focus, reserved, strict=True)
    ]

    def filled(picks: list[list[QuestionOption | None]]) -> tuple[int, int]:
        pairs = [
            (c, q)
            for row, cs in zip(picks, focus, strict=True)
            for c, q in zip(cs, row, strict=True)
        ]
        return (
            sum(1 for c, q in pairs if q is not None and required[c]),
            sum(1 for c, q in pairs if q is not None and not required[c]),
        )

    if filled(kept) <= filled(in_turn):
        return in_turn
    _improve(kept, focus, rooms, candidates)
    return kept


def _no_question_reason(
    competency: str,
    level: str,
    kind: KindOption,
    room: int,
    candidates: Sequence[QuestionOption],
    taken: set[str],
) -> str:
    if not candidates:
        return (
            f"no active question for {competency} suits {level} and has not been asked to this "
            "candidate before"
        )
    if all(question.key in taken for question in candidates):
        return (
            f"every remaining question for {competency} ({len(candidates)}) is already planned in "
            "another interview of this loop"
        )
    return (
        f"no remaining question for {competency} fits in the {room} minutes for questions in the "
        f"{kind.name} interview next to its other focus competencies"
    )


# --- the planner ---------------------------------------------------------------------------------


def _check_inputs(
    expectations: Sequence[PlannedExpectation],
    kinds: Sequence[KindOption],
    questions: Sequence[QuestionOption],
    constraints: PlanConstraints,
) -> None:
    for what, keys in (
        ("competency in expectations", [e.competency for e in expectations]),
        ("interview kind key", [k.key for k in kinds]),
        ("question key", [q.key for q in questions]),
    ):
        duplicates = sorted({key for key in keys if keys.count(key) > 1})
        if duplicates:
            raise ValueError(f"duplicate {what}: {', '.join(duplicates)}")
    for expectation in expectations:
        if expectation.priority not in PRIORITY_RANK:
            raise ValueError(
                f"{expectation.competency}: priority must be must, should or nice, "
                f"not {expectation.priority!r}"
            )
    if any(kind.minutes <= 0 for kind in kinds) or any(q.minutes <= 0 for q in questions):
        raise ValueError("interview kinds and questions need a positive length in minutes")
    if constraints.max_focus < 1:
        raise ValueError("max_focus must be at least 1")
    if min(constraints.must_signals, constraints.should_signals) < 0:
        raise ValueError("signal counts must not be negative")
    if min(constraints.budget_minutes, constraints.buffer_minutes) < 0:
        raise ValueError("minutes must not be negative")


def plan_loop(
    *,
    expectations: Iterable[PlannedExpectation],
    kinds: Iterable[KindOption],
    questions: Iterable[QuestionOption],
    constraints: PlanConstraints,
) -> LoopPlan:
    """Plan the loop for one candidate at one level; see the module docstring for what it
    guarantees and how it reports what it cannot."""
    ordered = sorted(expectations, key=lambda e: (PRIORITY_RANK.get(e.priority, 3), e.competency))
    kind_list = sorted(kinds, key=lambda k: k.key)
    bank = sorted(questions, key=lambda q: (q.competency, q.times_used, q.key))
    _check_inputs(ordered, kind_list, bank, constraints)
    return _plan(ordered, kind_list, bank, constraints)


def _plan(
    expectations: Sequence[PlannedExpectation],
    kinds: Sequence[KindOption],
    questions: Sequence[QuestionOption],
    constraints: PlanConstraints,
) -> LoopPlan:
    """The planner proper, on inputs already sorted (so nothing below depends on input order)."""
    level = constraints.level
    budget = constraints.budget_minutes
    capacity = constraints.max_focus
    priorities = {e.competency: e.priority for e in expectations}
    required = {c: priority != NICE for c, priority in priorities.items()}
    wanted_signals = {MUST: constraints.must_signals, SHOULD: constraints.should_signals, NICE: 0}
    rooms = [max(kind.minutes - constraints.buffer_minutes, 0) for kind in kinds]

    candidates: dict[str, list[QuestionOption]] = {}
    for question in questions:
        if question.key not in constraints.used_question_keys:
            candidates.setdefault(question.competency, []).append(question)

    applicable = [i for i, kind in enumerate(kinds) if level in kind.levels]
    assessable_by = {
        e.competency: [i for i in applicable if e.competency in kinds[i].competencies]
        for e in expectations
    }
    fitting_by = {
        competency: [i for i in indexes if kinds[i].minutes <= budget]
        for competency, indexes in assessable_by.items()
    }
    # The questions each competency could use, shortest first: the ones signals reserve.
    shortlist = {
        competency: sorted(
            (
                question
                for question in candidates.get(competency, ())
                if question.minutes <= max((rooms[i] for i in indexes), default=0)
            ),
            key=lambda q: (q.minutes, q.times_used, q.key),
        )
        for competency, indexes in fitting_by.items()
    }
    demand = [
        (e.competency, wanted_signals[e.priority])
        for e in expectations
        if wanted_signals[e.priority] > 0 and fitting_by[e.competency]
    ]
    nice = [
        e.competency
        for e in sorted(expectations, key=lambda e: (-e.bar, e.competency))
        if e.priority == NICE and fitting_by[e.competency] and shortlist[e.competency]
    ]
    reserve = {
        competency: tuple(
            shortlist[competency][s].minutes if s < len(shortlist[competency]) else 0
            for s in range(wanted)
        )
        for competency, wanted in [*demand, *((c, 1) for c in nice)]
    }
    demanded = {competency for competency, _ in demand}
    usable = [
        i for i in applicable if kinds[i].minutes <= budget and kinds[i].competencies & demanded
    ]

    # First with question minutes reserved, so every focus competency can get its question;
    # failing that, on focus slots alone (questions that do not fit are then reported); failing
    # that, the greedy partial plan.
    timed = _Search(kinds, demand, nice, capacity, rooms, reserve)
    untimed = _Search(kinds, demand, nice, capacity, rooms, None)
    choice, exhaustive = _search_kinds(timed, usable, budget)
    notes: list[str] = []
    if choice is None:
        choice, exhaustive = _search_kinds(untimed, usable, budget)
        if choice is not None and any(sum(minutes) for minutes in reserve.values()):
            notes.append(
                f"no combination of interview kinds applicable at {level} within the "
                f"{budget}-minute budget leaves every focus competency the minutes for a question "
                "this candidate has not been asked, so the interviews were chosen on focus slots "
                "alone"
            )
    if choice is None:
        choice = _greedy_kinds(untimed, usable, priorities, budget)

    # Focus in priority order; questions; then only what is worth keeping.
    focus: list[list[str]] = []
    reserved: list[list[int]] | None = [] if choice.layout.reserved is not None else None
    for position in range(len(choice.kinds)):
        pairs = sorted(
            zip(
                choice.layout.focus[position],
                choice.layout.reserved[position]
                if choice.layout.reserved is not None
                else [0] * len(choice.layout.focus[position]),
                strict=True,
            ),
            key=lambda pair: (PRIORITY_RANK[priorities[pair[0]]], pair[0]),
        )
        focus.append([c for c, _ in pairs])
        if reserved is not None:
            reserved.append([signal for _, signal in pairs])
    chosen_rooms = [rooms[index] for index in choice.kinds]
    picks = _pick_questions(focus, reserved, required, chosen_rooms, candidates, shortlist)

    kept_rows: list[tuple[int, list[str], list[QuestionOption | None]]] = []
    for position, index in enumerate(choice.kinds):
        worth = [
            (c, q)
            for c, q in zip(focus[position], picks[position], strict=True)
            if q is not None or required[c]  # a nice one without a question is left out
        ]
        if worth:
            kept_rows.append((index, [c for c, _ in worth], [q for _, q in worth]))
    taken = {q.key for _, _, row in kept_rows for q in row if q is not None}

    interviews: list[PlannedInterview] = []
    question_problems: list[PlanProblem] = []
    for number, (index, competencies, row) in enumerate(kept_rows):
        kind = kinds[index]
        interviews.append(
            PlannedInterview(
                kind=kind.key,
                competencies=tuple(competencies),
                minutes=kind.minutes,
                questions=tuple(q.key for q in row if q is not None),
            )
        )
        for competency, pick in zip(competencies, row, strict=True):
            if pick is None:
                reason = _no_question_reason(
                    competency, level, kind, rooms[index], candidates.get(competency, []), taken
                )
                question_problems.append(
                    PlanProblem(
                        competency, NO_QUESTION, f"interview {number + 1}: {reason}", number
                    )
                )

    coverage = {
        e.competency: tuple(
            number
            for number, interview in enumerate(interviews)
            if e.competency in interview.competencies
        )
        for e in expectations
    }
    planned_kinds = [interview.kind for interview in interviews]
    notes.extend(
        f"{kinds[index].name} is planned {planned_kinds.count(kinds[index].key)} times: no "
        f"combination of different interview kinds applicable at {level} gives every must and "
        f"should competency its signals within the {budget}-minute budget"
        for index in sorted(set(choice.kinds))
        if planned_kinds.count(kinds[index].key) > 1
    )
    problems = _signal_problems(
        expectations, coverage, wanted_signals, assessable_by, fitting_by, kinds, level, budget
    )
    # Signals missing although a kind that fits could give them: the budget is what ran out.
    if any(
        problem.guarantee in (MUST_SIGNALS, SHOULD_SIGNALS) and fitting_by[problem.competency]
        for problem in problems
        if problem.competency is not None
    ):
        problems.append(
            PlanProblem(
                None,
                BUDGET,
                _budget_reason(kinds, usable, demand, level, budget, capacity, exhaustive),
            )
        )
    problems.extend(question_problems)

    return LoopPlan(
        interviews=tuple(interviews),
        total_minutes=sum(interview.minutes for interview in interviews),
        budget_minutes=budget,
        problems=tuple(problems),
        coverage=coverage,
        notes=tuple(notes),
    )


def _signal_problems(
    expectations: Sequence[PlannedExpectation],
    coverage: Mapping[str, tuple[int, ...]],
    wanted_signals: Mapping[str, int],
    assessable_by: Mapping[str, Sequence[int]],
    fitting_by: Mapping[str, Sequence[int]],
    kinds: Sequence[KindOption],
    level: str,
    budget: int,
) -> list[PlanProblem]:
    problems: list[PlanProblem] = []
    for expectation in expectations:
        competency = expectation.competency
        wanted = wanted_signals[expectation.priority]
        got = len(coverage[competency])
        if got >= wanted:
            continue
        guarantee = MUST_SIGNALS if expectation.priority == MUST else SHOULD_SIGNALS
        needs = (
            f"{wanted} different interviews a must competency needs"
            if expectation.priority == MUST
            else f"{wanted} interview{'s' if wanted > 1 else ''} a should competency needs"
        )
        able = ", ".join(kinds[i].key for i in assessable_by[competency])
        if not assessable_by[competency]:
            problems.append(
                PlanProblem(
                    competency,
                    NO_KIND,
                    f"no interview kind applicable at {level} can assess {competency}",
                )
            )
        elif not fitting_by[competency]:
            problems.append(
                PlanProblem(
                    competency,
                    guarantee,
                    f"{competency} is assessed in {got} of the {needs}: every interview kind "
                    f"applicable at {level} that can assess it ({able}) is longer than the "
                    f"{budget}-minute budget",
                )
            )
        else:
            problems.append(
                PlanProblem(
                    competency,
                    guarantee,
                    f"{competency} is assessed in {got} of the {needs}: the {budget}-minute "
                    f"budget has no room for another interview that can assess it ({able})",
                )
            )
    return problems


def _budget_reason(
    kinds: Sequence[KindOption],
    usable: Sequence[int],
    demand: Sequence[tuple[str, int]],
    level: str,
    budget: int,
    capacity: int,
    exhaustive: bool,
) -> str:
    slots_needed = sum(wanted for _, wanted in demand)
    shortest = min(kinds[i].minutes for i in usable)
    fits = budget // shortest
    if slots_needed > fits * capacity:
        return (
            f"must and should competencies need {slots_needed} focus slots but the "
            f"{budget}-minute budget fits {fits} interviews of {shortest} minutes = "
            f"{fits * capacity} slots"
        )
    reason = (
        f"no combination of interview kinds applicable at {level} fits the {budget}-minute budget "
        "and gives every must and should competency its signals"
    )
    if not exhaustive:
        reason += f" (the search stopped after {SEARCH_LIMIT} steps)"
    return reason


# --- inputs from role-profile files --------------------------------------------------------------


class _LevelLike(Protocol):
    @property
    def code(self) -> str: ...
    @property
    def rank(self) -> int: ...
    @property
    def loop_minutes(self) -> int: ...


class _LadderLike(Protocol):
    @property
    def key(self) -> str: ...
    @property
    def levels(self) -> Sequence[_LevelLike]: ...


class _ExpectationLike(Protocol):
    @property
    def level(self) -> str: ...
    @property
    def competency(self) -> str: ...
    @property
    def priority(self) -> str: ...
    @property
    def bar(self) -> int: ...


class _ProfileLike(Protocol):
    @property
    def key(self) -> str: ...
    @property
    def ladder(self) -> str: ...
    @property
    def expectations(self) -> Sequence[_ExpectationLike]: ...


class _QuestionLike(Protocol):
    @property
    def key(self) -> str: ...
    @property
    def ladder(self) -> str: ...
    @property
    def competency(self) -> str: ...
    @property
    def min_level(self) -> str: ...
    @property
    def max_level(self) -> str: ...
    @property
    def minutes(self) -> int: ...
    @property
    def status(self) -> str: ...


class _KindLike(Protocol):
    @property
    def key(self) -> str: ...
    @property
    def ladder(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def minutes(self) -> int: ...
    @property
    def levels(self) -> Sequence[str]: ...
    @property
    def competencies(self) -> Sequence[str]: ...


class RubricBundleLike(Protocol):
    """What the planner reads from `rubrics.profile_files.RubricBundle` (described, not imported,
    so this module stays free of YAML and Django)."""

    @property
    def ladders(self) -> Sequence[_LadderLike]: ...
    @property
    def role_profiles(self) -> Sequence[_ProfileLike]: ...
    @property
    def questions(self) -> Sequence[_QuestionLike]: ...
    @property
    def interview_kinds(self) -> Sequence[_KindLike]: ...


@dataclass(frozen=True)
class PlanInputs:
    expectations: tuple[PlannedExpectation, ...]
    kinds: tuple[KindOption, ...]
    questions: tuple[QuestionOption, ...]
    constraints: PlanConstraints

    def plan(self) -> LoopPlan:
        return plan_loop(
            expectations=self.expectations,
            kinds=self.kinds,
            questions=self.questions,
            constraints=self.constraints,
        )


def profile_levels(bundle: RubricBundleLike) -> list[tuple[str, str]]:
    """Every (role profile key, level code) the bundle has expectations for, sorted."""
    return sorted(
        {(profile.key, e.level) for profile in bundle.role_profiles for e in profile.expectations}
    )


def plan_inputs_from_bundle(
    bundle: RubricBundleLike,
    *,
    profile: str,
    level: str,
    used_question_keys: frozenset[str] = frozenset(),
    times_used: Mapping[str, int] | None = None,
) -> PlanInputs:
    """The planner's inputs for one role profile at one level, straight from role-profile files:
    the level's expectations, the ladder's interview kinds, and the active questions whose level
    range includes the level by rank."""
    role = next(p for p in bundle.role_profiles if p.key == profile)
    ladder = next(ladder for ladder in bundle.ladders if ladder.key == role.ladder)
    ranks = {spec.code: spec.rank for spec in ladder.levels}
    spec = next(spec for spec in ladder.levels if spec.code == level)
    counts = times_used or {}
    return PlanInputs(
        expectations=tuple(
            PlannedExpectation(e.competency, e.priority, e.bar)
            for e in role.expectations
            if e.level == level
        ),
        kinds=tuple(
            KindOption(
                key=kind.key,
                name=kind.name,
                minutes=kind.minutes,
                levels=frozenset(kind.levels),
                competencies=frozenset(kind.competencies),
            )
            for kind in bundle.interview_kinds
            if kind.ladder == ladder.key
        ),
        questions=tuple(
            QuestionOption(
                key=question.key,
                competency=question.competency,
                minutes=question.minutes,
                times_used=counts.get(question.key, 0),
            )
            for question in bundle.questions
            if question.ladder == ladder.key
            and question.status == "active"
            and ranks[question.min_level] <= spec.rank <= ranks[question.max_level]
        ),
        constraints=PlanConstraints(
            level=level,
            budget_minutes=spec.loop_minutes,
            used_question_keys=used_question_keys,
        ),
    )
