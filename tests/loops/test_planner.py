"""The loop planner on hand-made and generated inputs: pure, no database.

`plan_violations` is an independent checker of a plan against the planner's guarantees. It does
not reuse the planner's code: it reads only the inputs and the returned plan, so the hand-made
tests, the property tests and the shipped-loop tests all hold the planner to the same contract.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loops.planner import (
    BUDGET,
    MUST_SIGNALS,
    NO_KIND,
    NO_QUESTION,
    SHOULD_SIGNALS,
    KindOption,
    LoopPlan,
    PlanConstraints,
    PlanInputs,
    PlannedExpectation,
    QuestionOption,
    plan_loop,
)

REPO = Path(__file__).resolve().parents[2]
PRIORITY_SIGNALS = {"must": MUST_SIGNALS, "should": SHOULD_SIGNALS}


# --- the independent checker ---------------------------------------------------------------------


def plan_violations(
    plan: LoopPlan,
    *,
    expectations: Iterable[PlannedExpectation],
    kinds: Iterable[KindOption],
    questions: Iterable[QuestionOption],
    constraints: PlanConstraints,
) -> list[str]:
    """Every way `plan` breaks a guarantee without saying so, or names a problem it does not have.

    An empty list means: the hard rules hold (applicable kinds, focus limits, budget, question
    rules), every failing soft guarantee (signals, a question per focus competency) has its problem,
    and every problem is about a guarantee that really fails."""
    expectations = list(expectations)
    kinds = list(kinds)
    questions = list(questions)
    errors: list[str] = []
    kind_by_key = {kind.key: kind for kind in kinds}
    question_by_key = {question.key: question for question in questions}
    priority = {e.competency: e.priority for e in expectations}
    wanted = {
        "must": constraints.must_signals,
        "should": constraints.should_signals,
        "nice": 0,
    }
    used = constraints.used_question_keys
    planned_keys = [key for interview in plan.interviews for key in interview.questions]

    if plan.budget_minutes != constraints.budget_minutes:
        errors.append("budget_minutes is not the level's budget")
    if plan.total_minutes != sum(interview.minutes for interview in plan.interviews):
        errors.append("total_minutes is not the sum of the interviews")
    if plan.total_minutes > constraints.budget_minutes:
        errors.append(f"{plan.total_minutes} minutes exceed the budget")
    if len(planned_keys) != len(set(planned_keys)):
        errors.append("a question appears twice in the loop")

    def free(competency: str) -> list[QuestionOption]:
        return [
            q
            for q in questions
            if q.competency == competency and q.key not in used and q.key not in planned_keys
        ]

    missing: set[tuple[int, str]] = set()
    for index, interview in enumerate(plan.interviews):
        where = f"interview {index} ({interview.kind})"
        kind = kind_by_key.get(interview.kind)
        if kind is None:
            errors.append(f"{where}: unknown kind")
            continue
        if constraints.level not in kind.levels:
            errors.append(f"{where}: kind does not apply to {constraints.level}")
        if interview.minutes != kind.minutes:
            errors.append(f"{where}: minutes differ from the kind's")
        if not interview.competencies:
            errors.append(f"{where}: no focus competency")
        if len(interview.competencies) > constraints.max_focus:
            errors.append(f"{where}: more than {constraints.max_focus} focus competencies")
        if len(set(interview.competencies)) != len(interview.competencies):
            errors.append(f"{where}: a focus competency twice")
        for competency in interview.competencies:
            if competency not in kind.competencies:
                errors.append(f"{where}: the kind cannot assess {competency}")
            if competency not in priority:
                errors.append(f"{where}: {competency} is not expected at this level")
        asked: list[QuestionOption] = []
        for key in interview.questions:
            question = question_by_key.get(key)
            if question is None:
                errors.append(f"{where}: unknown question {key}")
                continue
            if key in used:
                errors.append(f"{where}: {key} was asked to this candidate before")
            if question.competency not in interview.competencies:
                errors.append(f"{where}: {key} is not about a focus competency")
            asked.append(question)
        room = interview.minutes - constraints.buffer_minutes
        spare = room - sum(question.minutes for question in asked)
        if spare < 0:
            errors.append(f"{where}: questions take more than {room} minutes")
        for competency in interview.competencies:
            mine = [q for q in asked if q.competency == competency]
            if not mine:
                missing.add((index, competency))
                if any(q.minutes <= spare for q in free(competency)):
                    errors.append(f"{where}: {competency} has no question though a free one fits")
            for question in mine:
                better = [
                    q
                    for q in free(competency)
                    if (q.times_used, q.key) < (question.times_used, question.key)
                    and q.minutes <= spare + question.minutes
                ]
                if better:
                    errors.append(
                        f"{where}: {question.key} is asked though the less-used "
                        f"{better[0].key} is free and fits"
                    )

    coverage = {
        competency: tuple(
            i for i, interview in enumerate(plan.interviews) if competency in interview.competencies
        )
        for competency in priority
    }
    if dict(plan.coverage) != coverage:
        errors.append(f"coverage {dict(plan.coverage)} does not match the interviews {coverage}")

    def short(competency: str) -> bool:
        return len(coverage[competency]) < wanted[priority[competency]]

    def assessable(competency: str, *, fitting: bool) -> bool:
        return any(
            constraints.level in kind.levels
            and competency in kind.competencies
            and (not fitting or kind.minutes <= constraints.budget_minutes)
            for kind in kinds
        )

    seen: set[tuple[str | None, str, int | None]] = set()
    for problem in plan.problems:
        label = (problem.competency, problem.guarantee, problem.interview)
        if label in seen:
            errors.append(f"problem {label} is listed twice")
        seen.add(label)
        if not problem.reason:
            errors.append(f"problem {label} has no reason")
        named = problem.competency
        if problem.guarantee in (MUST_SIGNALS, SHOULD_SIGNALS):
            if named is None or PRIORITY_SIGNALS.get(priority.get(named, "")) != (
                problem.guarantee
            ):
                errors.append(f"problem {label} names the wrong guarantee")
            elif not short(named):
                errors.append(f"problem {label}: {named} does have its signals")
            elif not assessable(named, fitting=False):
                errors.append(f"problem {label} should be {NO_KIND}")
        elif problem.guarantee == NO_KIND:
            if named is None or named not in priority or not short(named):
                errors.append(f"problem {label}: no signal is missing")
            elif assessable(named, fitting=False):
                errors.append(f"problem {label}: an applicable kind can assess {named}")
        elif problem.guarantee == NO_QUESTION:
            if (problem.interview, named) not in {(i, c) for i, c in missing}:
                errors.append(f"problem {label}: that focus competency has its question")
        elif problem.guarantee == BUDGET:
            if named is not None:
                errors.append(f"problem {label}: the budget problem is about the whole loop")
        else:
            errors.append(f"problem {label}: unknown guarantee")

    for competency, level_priority in priority.items():
        if not short(competency):
            continue
        expected = PRIORITY_SIGNALS[level_priority]
        if not assessable(competency, fitting=False):
            expected = NO_KIND
        if (competency, expected, None) not in seen:
            errors.append(f"{competency} lacks signals but has no {expected} problem")
    for index, competency in sorted(missing):
        if (competency, NO_QUESTION, index) not in seen:
            errors.append(f"interview {index}: {competency} has no question and no problem")
    budget_ran_out = any(
        short(competency) and assessable(competency, fitting=True) for competency in priority
    )
    if budget_ran_out != ((None, BUDGET, None) in seen):
        errors.append(f"a budget problem is {'missing' if budget_ran_out else 'not due'}")

    if plan.ok != (not plan.problems):
        errors.append("ok does not match the problems")
    json.dumps(plan.to_dict())
    return errors


def violations_of(inputs: PlanInputs, plan: LoopPlan) -> list[str]:
    return plan_violations(
        plan,
        expectations=inputs.expectations,
        kinds=inputs.kinds,
        questions=inputs.questions,
        constraints=inputs.constraints,
    )


def check(
    expectations: Sequence[PlannedExpectation],
    kinds: Sequence[KindOption],
    questions: Sequence[QuestionOption],
    constraints: PlanConstraints,
) -> LoopPlan:
    """Plan, assert the checker finds nothing, return the plan."""
    plan = plan_loop(
        expectations=expectations, kinds=kinds, questions=questions, constraints=constraints
    )
    violations = plan_violations(
        plan, expectations=expectations, kinds=kinds, questions=questions, constraints=constraints
    )
    assert violations == [], (violations, plan)
    return plan


# --- building inputs by hand ---------------------------------------------------------------------


def expect(
    must: str = "", should: str = "", nice: str = "", bar: int = 3
) -> list[PlannedExpectation]:
    return [
        PlannedExpectation(competency, priority, bar)
        for priority, names in (("must", must), ("should", should), ("nice", nice))
        for competency in names.split()
    ]


def kind(key: str, competencies: str, minutes: int = 60, levels: str = "L1") -> KindOption:
    return KindOption(
        key=key,
        name=key.replace("-", " ").title(),
        minutes=minutes,
        levels=frozenset(levels.split()),
        competencies=frozenset(competencies.split()),
    )


def bank(competencies: str, per_competency: int = 3, minutes: int = 10) -> list[QuestionOption]:
    return [
        QuestionOption(f"{competency}-q{n}", competency, minutes)
        for competency in competencies.split()
        for n in range(per_competency)
    ]


def limits(budget: int = 240, **overrides: object) -> PlanConstraints:
    return replace(PlanConstraints(level="L1", budget_minutes=budget), **overrides)  # type: ignore[arg-type]


def focus_of(plan: LoopPlan) -> list[tuple[str, tuple[str, ...]]]:
    return [(interview.kind, interview.competencies) for interview in plan.interviews]


# --- each guarantee on hand-made inputs ----------------------------------------------------------


def test_a_must_competency_is_assessed_by_two_different_interviews():
    plan = check(
        expect(must="a"),
        [kind("alpha", "a"), kind("beta", "a b")],
        bank("a"),
        limits(),
    )

    assert plan.ok
    assert focus_of(plan) == [("alpha", ("a",)), ("beta", ("a",))]
    assert plan.coverage == {"a": (0, 1)}
    assert plan.notes == ()


def test_a_kind_is_planned_twice_only_when_nothing_else_can_and_the_plan_says_so():
    plan = check(expect(must="a", should="b"), [kind("alpha", "a b")], bank("a b"), limits())

    assert plan.ok
    assert [interview.kind for interview in plan.interviews] == ["alpha", "alpha"]
    assert plan.coverage["a"] == (0, 1)
    assert len(plan.notes) == 1
    assert "Alpha is planned 2 times" in plan.notes[0]


def test_a_should_competency_gets_one_interview_and_nice_ones_take_spare_slots():
    plan = check(
        expect(must="a", should="b", nice="c d"),
        [kind("alpha", "a b c"), kind("beta", "a d")],
        bank("a b c d"),
        limits(),
    )

    assert plan.ok
    assert focus_of(plan) == [("alpha", ("a", "b", "c")), ("beta", ("a", "d"))]


def test_nice_competencies_never_add_an_interview():
    plan = check(
        expect(must="a", nice="z"),
        [kind("alpha", "a"), kind("beta", "a"), kind("zeta", "z")],
        bank("a z"),
        limits(),
    )

    assert [interview.kind for interview in plan.interviews] == ["alpha", "beta"]


def test_a_nice_competency_without_a_question_is_left_out_instead_of_failing_the_plan():
    plan = check(
        expect(must="a", nice="z"), [kind("alpha", "a z"), kind("beta", "a z")], bank("a"), limits()
    )

    assert plan.ok
    assert all("z" not in interview.competencies for interview in plan.interviews)


@pytest.mark.parametrize(("max_focus", "interviews"), [(3, 2), (2, 3), (1, 5)])
def test_no_interview_has_more_than_max_focus_competencies(max_focus, interviews):
    plan = check(
        expect(should="a b c d e"),
        [kind("alpha", "a b c d e", minutes=45)],
        bank("a b c d e"),
        limits(budget=300, max_focus=max_focus),
    )

    assert plan.ok
    assert len(plan.interviews) == interviews
    assert all(len(interview.competencies) <= max_focus for interview in plan.interviews)


def test_the_cheapest_set_of_kinds_within_budget_is_chosen():
    kinds = [
        kind("alpha", "a b", minutes=90),
        kind("beta", "a", minutes=45),
        kind("gamma", "b", minutes=30),
        kind("delta", "a b", minutes=60),
    ]
    plan = check(expect(must="a", should="b"), kinds, bank("a b"), limits())

    assert plan.ok
    assert plan.total_minutes == 105  # beta + delta, cheaper than alpha + anything
    assert sorted(interview.kind for interview in plan.interviews) == ["beta", "delta"]


def test_only_kinds_that_apply_to_the_level_and_can_assess_the_competency_are_used():
    kinds = [
        kind("everything", "a b c", levels="L2"),
        kind("alpha", "a b"),
        kind("beta", "a c"),
    ]
    plan = check(expect(must="a b", should="c"), kinds, bank("a b c"), limits())

    assert plan.ok
    assert "everything" not in {interview.kind for interview in plan.interviews}
    for interview in plan.interviews:
        assert (
            set(interview.competencies) <= {"alpha": {"a", "b"}, "beta": {"a", "c"}}[interview.kind]
        )


def test_questions_are_least_used_first_with_ties_broken_by_key():
    questions = [
        QuestionOption("a-often", "a", 10, times_used=9),
        QuestionOption("a-zeta", "a", 10, times_used=1),
        QuestionOption("a-beta", "a", 10, times_used=1),
        QuestionOption("a-new", "a", 10, times_used=0),
    ]
    plan = check(expect(must="a"), [kind("alpha", "a"), kind("beta", "a")], questions, limits())

    assert [interview.questions for interview in plan.interviews] == [("a-new",), ("a-beta",)]


def test_questions_already_asked_to_the_candidate_are_never_reused():
    questions = bank("a", per_competency=4)
    used = frozenset({"a-q0", "a-q2"})
    plan = check(
        expect(must="a"),
        [kind("alpha", "a"), kind("beta", "a")],
        questions,
        limits(used_question_keys=used),
    )

    asked = {key for interview in plan.interviews for key in interview.questions}
    assert asked == {"a-q1", "a-q3"}


def test_every_focus_competency_gets_its_own_question_and_none_repeats():
    plan = check(
        expect(must="a b", should="c"),
        [kind("alpha", "a b c"), kind("beta", "a b")],
        bank("a b c", per_competency=2),
        limits(),
    )

    assert plan.ok
    for interview in plan.interviews:
        assert sorted(key.split("-")[0] for key in interview.questions) == sorted(
            interview.competencies
        )
    keys = [key for interview in plan.interviews for key in interview.questions]
    assert len(keys) == len(set(keys)) == 5


def test_question_minutes_fit_the_interview_less_the_buffer():
    questions = [
        QuestionOption("a-long", "a", 40, times_used=0),
        QuestionOption("a-short", "a", 15, times_used=3),
        QuestionOption("b-long", "b", 30, times_used=0),
        QuestionOption("b-short", "b", 10, times_used=3),
    ]
    plan = check(
        expect(must="a", should="b"),
        [kind("alpha", "a b", minutes=45), kind("beta", "a", minutes=45)],
        questions,
        limits(buffer_minutes=5),
    )

    assert plan.ok
    for interview in plan.interviews:
        spent = sum(q.minutes for q in questions if q.key in interview.questions)
        assert spent <= interview.minutes - 5


def test_question_minutes_are_reserved_so_a_later_interview_is_not_starved():
    # Taking questions interview by interview, alpha would grab the short, least-used a-short and
    # leave beta (where b needs 40 of its 55 minutes) only the 40-minute a-long.
    questions = [
        QuestionOption("a-short", "a", 10, times_used=0),
        QuestionOption("a-long", "a", 40, times_used=5),
        QuestionOption("b-only", "b", 40, times_used=0),
    ]
    plan = check(
        expect(must="a", should="b"),
        [kind("alpha", "a"), kind("beta", "a b")],
        questions,
        limits(),
    )

    assert plan.ok
    assert [interview.questions for interview in plan.interviews] == [
        ("a-long",),
        ("a-short", "b-only"),
    ]


def test_the_same_inputs_in_any_order_give_the_same_plan():
    expectations = expect(must="a b", should="c d", nice="e")
    kinds = [
        kind("alpha", "a b c", minutes=45),
        kind("beta", "a d e"),
        kind("gamma", "b c d"),
        kind("delta", "a b e", minutes=30),
    ]
    questions = [
        QuestionOption(f"{c}-{n}", c, 5 + 5 * n, times_used=n % 2)
        for c in "abcde"
        for n in range(3)
    ]
    constraints = limits(used_question_keys=frozenset({"a-0"}))
    first = plan_loop(
        expectations=expectations, kinds=kinds, questions=questions, constraints=constraints
    )
    again = plan_loop(
        expectations=expectations, kinds=kinds, questions=questions, constraints=constraints
    )
    shuffled = plan_loop(
        expectations=reversed(expectations),
        kinds=kinds[::-1],
        questions=sorted(questions, key=lambda q: q.key[::-1]),
        constraints=constraints,
    )

    assert first == again == shuffled
    assert first.to_dict() == shuffled.to_dict()


# --- explanations when the guarantees cannot all hold --------------------------------------------


def test_no_kind_for_a_competency_is_explained_and_the_rest_is_still_planned():
    plan = check(
        expect(must="code-fluency architecture-design"),
        [
            kind("coding", "code-fluency", levels="IC1"),
            kind("pairing", "code-fluency", levels="IC1"),
            kind("design", "architecture-design", levels="IC4"),
        ],
        bank("code-fluency architecture-design"),
        replace(limits(), level="IC1"),
    )

    assert not plan.ok
    assert [(p.competency, p.guarantee, p.reason) for p in plan.problems] == [
        (
            "architecture-design",
            NO_KIND,
            "no interview kind applicable at IC1 can assess architecture-design",
        )
    ]
    assert plan.coverage["code-fluency"] == (0, 1)


def test_a_budget_too_small_is_explained_with_the_slot_arithmetic():
    competencies = "a b c d e f g"
    kinds = [kind(key, competencies) for key in ("alpha", "beta", "gamma", "delta")]
    plan = check(expect(must=competencies), kinds, bank(competencies), limits(budget=240))

    budget = [p for p in plan.problems if p.guarantee == BUDGET]
    assert [p.reason for p in budget] == [
        "must and should competencies need 14 focus slots but the 240-minute budget fits "
        "4 interviews of 60 minutes = 12 slots"
    ]
    # The best partial plan fills all 12 slots, every must at least once before any twice.
    assert len(plan.interviews) == 4
    assert sorted(len(interviews) for interviews in plan.coverage.values()) == [1, 1, 2, 2, 2, 2, 2]
    short = [p.competency for p in plan.problems if p.guarantee == MUST_SIGNALS]
    assert len(short) == 2
    assert plan.total_minutes == 240


def test_a_budget_that_fits_the_slots_but_not_the_kinds_is_explained():
    plan = check(
        expect(must="a", should="b"),
        [kind("alpha", "a", minutes=60), kind("beta", "b", minutes=60)],
        bank("a b"),
        limits(budget=150),
    )

    problems = {(p.competency, p.guarantee) for p in plan.problems}
    assert (None, BUDGET) in problems
    assert plan.total_minutes <= 150
    # Musts come first: a gets both of its signals, b is what the budget could not fit.
    assert plan.coverage["a"] == (0, 1)
    assert ("b", SHOULD_SIGNALS) in problems


def test_a_kind_longer_than_the_budget_is_explained():
    plan = check(expect(should="a"), [kind("marathon", "a", minutes=300)], bank("a"), limits())

    assert [(p.competency, p.guarantee) for p in plan.problems] == [("a", SHOULD_SIGNALS)]
    assert "longer than the 240-minute budget" in plan.problems[0].reason
    assert plan.interviews == ()


def test_no_questions_left_is_explained_per_interview():
    plan = check(
        expect(must="a", should="b"),
        [kind("alpha", "a b"), kind("beta", "a")],
        bank("a b", per_competency=1),
        limits(used_question_keys=frozenset({"b-q0"})),
    )

    problems = [(p.competency, p.guarantee, p.interview) for p in plan.problems]
    assert sorted(problems) == [("a", NO_QUESTION, 1), ("b", NO_QUESTION, 0)]
    reasons = {p.competency: p.reason for p in plan.problems}
    assert "has not been asked to this candidate before" in reasons["b"]
    assert "already planned in another interview" in reasons["a"]


def test_a_question_too_long_for_the_interview_is_explained():
    plan = check(
        expect(must="a"),
        [kind("alpha", "a", minutes=30), kind("beta", "a", minutes=30)],
        [QuestionOption("a-epic", "a", 45), QuestionOption("a-fine", "a", 20)],
        limits(),
    )

    assert [(p.competency, p.guarantee) for p in plan.problems] == [("a", NO_QUESTION)]
    assert "fits in the 25 minutes" in plan.problems[0].reason


def test_when_no_loop_leaves_time_for_every_question_the_slots_decide_and_the_plan_says_so():
    plan = check(
        expect(must="a", should="b"),
        [kind("alpha", "a b", minutes=45), kind("beta", "a", minutes=45)],
        [
            QuestionOption("a-1", "a", 30),
            QuestionOption("a-2", "a", 30),
            QuestionOption("b-1", "b", 30),
        ],
        limits(budget=90),
    )

    assert [interview.kind for interview in plan.interviews] == ["alpha", "beta"]
    assert [p.guarantee for p in plan.problems] == [NO_QUESTION]
    assert len(plan.notes) == 1
    assert "chosen on focus slots alone" in plan.notes[0]


def test_inputs_that_make_no_sense_are_refused():
    with pytest.raises(ValueError, match="duplicate interview kind key"):
        plan_loop(
            expectations=[],
            kinds=[kind("alpha", "a"), kind("alpha", "b")],
            questions=[],
            constraints=limits(),
        )
    with pytest.raises(ValueError, match="priority"):
        plan_loop(
            expectations=[PlannedExpectation("a", "crucial", 3)],
            kinds=[],
            questions=[],
            constraints=limits(),
        )


def test_an_empty_level_gives_an_empty_plan():
    plan = check([], [kind("alpha", "a")], bank("a"), limits())

    assert plan.ok
    assert plan.interviews == ()
    assert plan.to_dict() == {
        "interviews": [],
        "total_minutes": 0,
        "budget_minutes": 240,
        "problems": [],
        "notes": [],
    }


def test_the_planner_imports_without_django_or_anything_outside_the_standard_library():
    script = (
        "import sys\n"
        "before = set(sys.modules)\n"
        "import loops.planner\n"
        "new = {name.split('.')[0] for name in set(sys.modules) - before}\n"
        "print(sorted(new - set(sys.stdlib_module_names) - {'loops'}))\n"
    )
    environment = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )

    assert result.stdout.strip() == "[]"


# --- property tests ------------------------------------------------------------------------------

COMPETENCIES = ("c0", "c1", "c2", "c3", "c4", "c5")
LEVELS = ("L1", "L2")


@st.composite
def planner_inputs(draw: st.DrawFn, *, ample_questions: bool = False) -> PlanInputs:
    """Small random levels. With `ample_questions`, every competency has more short questions
    than it can use, so only kinds, slots and the budget decide."""
    chosen = draw(st.lists(st.sampled_from(COMPETENCIES), max_size=5, unique=True))
    expectations = [
        PlannedExpectation(
            competency,
            draw(st.sampled_from(("must", "should", "nice"))),
            draw(st.integers(1, 4)),
        )
        for competency in chosen
    ]
    kinds = [
        KindOption(
            key=f"k{n}",
            name=f"Kind {n}",
            minutes=draw(st.sampled_from((30, 45, 60, 90))),
            levels=frozenset(draw(st.lists(st.sampled_from(LEVELS), min_size=1, unique=True))),
            competencies=frozenset(
                draw(st.lists(st.sampled_from(COMPETENCIES), min_size=1, max_size=4, unique=True))
            ),
        )
        for n in range(draw(st.integers(0, 4)))
    ]
    if ample_questions:
        questions = [
            QuestionOption(f"{competency}-q{n}", competency, 5, draw(st.integers(0, 3)))
            for competency in COMPETENCIES
            for n in range(3)
        ]
        used: frozenset[str] = frozenset()
    else:
        questions = [
            QuestionOption(
                f"q{n}",
                draw(st.sampled_from(COMPETENCIES)),
                draw(st.sampled_from((5, 10, 15, 20, 30, 50))),
                draw(st.integers(0, 4)),
            )
            for n in range(draw(st.integers(0, 14)))
        ]
        used = frozenset(
            draw(st.lists(st.sampled_from([q.key for q in questions] or ["none"]), unique=True))
        )
    constraints = PlanConstraints(
        level=draw(st.sampled_from(LEVELS)),
        budget_minutes=draw(st.integers(0, 16)) * 15,
        max_focus=draw(st.integers(1, 3)),
        must_signals=draw(st.integers(1, 2)),
        should_signals=1,
        buffer_minutes=draw(st.sampled_from((0, 5, 10))),
        used_question_keys=used,
    )
    return PlanInputs(tuple(expectations), tuple(kinds), tuple(questions), constraints)


PROPERTY_SETTINGS = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@PROPERTY_SETTINGS
@given(planner_inputs())
def test_every_plan_meets_its_guarantees_or_names_exactly_those_it_misses(inputs):
    assert violations_of(inputs, inputs.plan()) == []


@PROPERTY_SETTINGS
@given(planner_inputs(), st.randoms(use_true_random=False))
def test_input_order_never_changes_the_plan(inputs, random):
    shuffled = PlanInputs(
        tuple(random.sample(inputs.expectations, len(inputs.expectations))),
        tuple(random.sample(inputs.kinds, len(inputs.kinds))),
        tuple(random.sample(inputs.questions, len(inputs.questions))),
        inputs.constraints,
    )

    assert shuffled.plan() == inputs.plan()


@PROPERTY_SETTINGS
@given(planner_inputs())
def test_names_do_not_matter_only_their_order(inputs):
    """Renaming every level, competency, kind and question (keeping their sort order) gives the
    same plan under the new names: nothing branches on a name."""
    expectations, kinds, questions, constraints = (
        inputs.expectations,
        inputs.kinds,
        inputs.questions,
        inputs.constraints,
    )

    def rename(name: str) -> str:
        return f"x-{name}"

    renamed = plan_loop(
        expectations=[replace(e, competency=rename(e.competency)) for e in expectations],
        kinds=[
            replace(
                k,
                key=rename(k.key),
                levels=frozenset(map(rename, k.levels)),
                competencies=frozenset(map(rename, k.competencies)),
            )
            for k in kinds
        ],
        questions=[
            replace(q, key=rename(q.key), competency=rename(q.competency)) for q in questions
        ],
        constraints=replace(
            constraints,
            level=rename(constraints.level),
            used_question_keys=frozenset(map(rename, constraints.used_question_keys)),
        ),
    )
    original = inputs.plan()

    assert [
        (
            rename(i.kind),
            tuple(map(rename, i.competencies)),
            i.minutes,
            tuple(map(rename, i.questions)),
        )
        for i in original.interviews
    ] == [(i.kind, i.competencies, i.minutes, i.questions) for i in renamed.interviews]
    assert [
        (p.competency and rename(p.competency), p.guarantee, p.interview) for p in original.problems
    ] == [(p.competency, p.guarantee, p.interview) for p in renamed.problems]


def _max_flow_meets(
    interviews: Sequence[KindOption], demand: dict[str, int], max_focus: int
) -> bool:
    """Edmonds-Karp on source -> competency (its signals) -> interview (1 each) -> sink
    (max_focus): can every signal have its own interview?"""
    source, sink = "source", "sink"
    capacity: dict[str, dict[str, int]] = {source: {}, sink: {}}

    def edge(a: str, b: str, amount: int) -> None:
        capacity.setdefault(a, {})[b] = capacity.get(a, {}).get(b, 0) + amount
        capacity.setdefault(b, {}).setdefault(a, 0)

    for competency, signals in demand.items():
        edge(source, f"c:{competency}", signals)
        for n, interview in enumerate(interviews):
            if competency in interview.competencies:
                edge(f"c:{competency}", f"i:{n}", 1)
    for n in range(len(interviews)):
        edge(f"i:{n}", sink, max_focus)
    flow = 0
    while True:
        parents: dict[str, str] = {source: source}
        queue = deque([source])
        while queue and sink not in parents:
            node = queue.popleft()
            for neighbour, left in capacity[node].items():
                if left > 0 and neighbour not in parents:
                    parents[neighbour] = node
                    queue.append(neighbour)
        if sink not in parents:
            return flow == sum(demand.values())
        node = sink
        while node != source:
            parent = parents[node]
            capacity[parent][node] -= 1
            capacity[node][parent] += 1
            node = parent
        flow += 1


def _cheapest_feasible(inputs: PlanInputs) -> tuple[set[str], tuple[int, int] | None]:
    """By brute force: the must and should competencies some applicable kind within the budget can
    assess, and the fewest repeated kinds, then fewest minutes, of any multiset of kinds that gives
    each of them its signals (None if no multiset does)."""
    expectations, constraints = inputs.expectations, inputs.constraints
    budget = constraints.budget_minutes
    kinds = [k for k in inputs.kinds if constraints.level in k.levels and k.minutes <= budget]
    signals = {"must": constraints.must_signals, "should": constraints.should_signals}
    demand = {
        e.competency: signals[e.priority]
        for e in expectations
        if e.priority in signals and any(e.competency in k.competencies for k in kinds)
    }
    multisets: list[tuple[int, int, list[KindOption]]] = []

    def collect(position: int, picked: list[KindOption], minutes: int) -> None:
        if position == len(kinds):
            repeats = len(picked) - len({k.key for k in picked})
            multisets.append((repeats, minutes, list(picked)))
            return
        current = kinds[position]
        copies = 0
        while minutes + copies * current.minutes <= budget:
            collect(position + 1, picked + [current] * copies, minutes + copies * current.minutes)
            copies += 1

    collect(0, [], 0)
    for repeats, minutes, picked in sorted(multisets, key=lambda m: (m[0], m[1])):
        if _max_flow_meets(picked, demand, constraints.max_focus):
            return set(demand), (repeats, minutes)
    return set(demand), None


@PROPERTY_SETTINGS
@given(planner_inputs(ample_questions=True))
def test_with_enough_questions_the_plan_is_the_cheapest_that_gives_every_signal(inputs):
    """Against brute force: a loop that gives every must and should its signals is found whenever
    one exists, and no such loop repeats fewer kinds or takes fewer minutes."""
    plan = inputs.plan()
    reachable, cheapest = _cheapest_feasible(inputs)
    guarantees = {p.guarantee for p in plan.problems if p.competency in reachable | {None}}

    assert violations_of(inputs, plan) == []
    if cheapest is None:
        assert BUDGET in guarantees
        assert guarantees & {MUST_SIGNALS, SHOULD_SIGNALS}
    else:
        assert not guarantees & {MUST_SIGNALS, SHOULD_SIGNALS, BUDGET}
        kinds_used = [interview.kind for interview in plan.interviews]
        repeats = len(kinds_used) - len(set(kinds_used))
        assert (repeats, plan.total_minutes) == cheapest
        assert NO_QUESTION not in guarantees
