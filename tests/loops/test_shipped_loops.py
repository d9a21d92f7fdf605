"""Every shipped role profile, at each of its levels, can be planned meeting every guarantee.

Reads rubrics/profiles/ without a database and covers new profiles, levels and kinds on its own:
the cases come from the bundle."""

from __future__ import annotations

from pathlib import Path

import pytest

from loops.planner import LoopPlan, plan_inputs_from_bundle, profile_levels
from rubrics.profile_files import KnownRubric, RubricBundle, rubric_files_read
from tests.loops.test_planner import violations_of

PROFILES_DIR = Path(__file__).resolve().parents[2] / "rubrics" / "profiles"
BUNDLE: RubricBundle = rubric_files_read([PROFILES_DIR], known=KnownRubric())
CASES = profile_levels(BUNDLE)


def plan_for(profile: str, level: str) -> LoopPlan:
    return plan_inputs_from_bundle(BUNDLE, profile=profile, level=level).plan()


def focus(plan: LoopPlan) -> set[str]:
    return {competency for interview in plan.interviews for competency in interview.competencies}


def test_the_bundle_has_interview_kinds_and_every_profile_level_is_a_case():
    assert BUNDLE.interview_kinds
    expected = {
        (profile.key, expectation.level)
        for profile in BUNDLE.role_profiles
        for expectation in profile.expectations
    }
    assert set(CASES) == expected
    assert len(CASES) >= 6


@pytest.mark.parametrize(("profile", "level"), CASES, ids=[f"{p}-{lv}" for p, lv in CASES])
def test_the_shipped_loop_meets_every_guarantee(profile, level):
    inputs = plan_inputs_from_bundle(BUNDLE, profile=profile, level=level)
    plan = inputs.plan()

    assert plan.ok, [problem.reason for problem in plan.problems]
    assert violations_of(inputs, plan) == []
    assert plan.total_minutes <= inputs.constraints.budget_minutes
    musts = {e.competency for e in inputs.expectations if e.priority == "must"}
    assert all(len(plan.coverage[competency]) >= 2 for competency in musts)


@pytest.mark.parametrize(("profile", "level"), CASES, ids=[f"{p}-{lv}" for p, lv in CASES])
def test_the_shipped_loop_still_meets_every_guarantee_once_the_bank_has_been_used(profile, level):
    """Usage counts shift which questions come first, never whether the loop works."""
    counts = {
        question.key: (position * 7) % 5 for position, question in enumerate(BUNDLE.questions)
    }
    inputs = plan_inputs_from_bundle(BUNDLE, profile=profile, level=level, times_used=counts)
    plan = inputs.plan()

    assert plan.ok, [problem.reason for problem in plan.problems]
    assert violations_of(inputs, plan) == []
    assert plan != plan_for(profile, level)


@pytest.mark.parametrize(("profile", "level"), CASES, ids=[f"{p}-{lv}" for p, lv in CASES])
def test_a_second_loop_for_the_same_candidate_asks_new_questions(profile, level):
    first = plan_for(profile, level)
    asked = frozenset(key for interview in first.interviews for key in interview.questions)
    inputs = plan_inputs_from_bundle(BUNDLE, profile=profile, level=level, used_question_keys=asked)
    second = inputs.plan()

    assert violations_of(inputs, second) == []
    assert asked.isdisjoint(key for interview in second.interviews for key in interview.questions)


def test_loops_differ_by_level():
    by_level = {level: plan_for(profile, level) for profile, level in CASES}

    assert {"code-fluency", "ml-fluency"} <= focus(by_level["IC1"])
    assert {"architecture-design", "technical-strategy"} <= focus(by_level["IC5"])
    assert "people-management" in focus(by_level["M1"])
    assert "architecture-design" not in focus(by_level["IC1"])
    assert "people-management" not in focus(by_level["IC5"])
    kinds = {level: {i.kind for i in plan.interviews} for level, plan in by_level.items()}
    assert "coding" in kinds["IC1"]
    assert "coding" not in kinds["M1"]
    assert "people-management" in kinds["M1"]
    assert kinds["IC1"] != kinds["IC3"] != kinds["IC5"]
    minutes = [by_level[level].total_minutes for level in ("IC1", "IC3", "IC5")]
    assert minutes == sorted(minutes)


def test_kinds_apply_only_where_the_issue_says():
    levels = {kind.key: set(kind.levels) for kind in BUNDLE.interview_kinds}
    ladder = {level.code for ladder in BUNDLE.ladders for level in ladder.levels}

    assert levels["coding"] == ladder - {"M1"}
    assert levels["people-management"] == {"M1"}
    for kind in BUNDLE.interview_kinds:
        assert 30 <= kind.minutes <= 60, kind.key
