"""The interviewer-assignment rules, on plain facts (no database)."""

from loops.assignment import (
    QUALIFIED,
    REVERSE_SHADOW,
    SHADOW,
    InterviewerFacts,
    SlotToFill,
    assign_interviewers,
)

WEEK = "2026-W48"


def person(
    pid, name, *, kinds=("coding",), rank=5, state=QUALIFIED, cap=4, load=0, conflicted=False
):
    return InterviewerFacts(
        id=pid,
        name=name,
        kinds=frozenset(kinds),
        max_rank=rank,
        training_state=state,
        weekly_cap=cap,
        load_by_week={WEEK: load} if load else {},
        conflicted=conflicted,
    )


def slot(position, kind="coding", rank=3, week=WEEK):
    return SlotToFill(
        position=position, kind=kind, kind_name=kind.title(), level_rank=rank, week=week
    )


def test_lowest_load_leads_and_ties_break_by_name():
    pool = [person(1, "Zoe", load=2), person(2, "Bea", load=1), person(3, "Al", load=1)]

    [assignment] = assign_interviewers(slots=[slot(1)], pool=pool)

    assert assignment.interviewer == 3  # Al and Bea tie on load; Al sorts first


def test_only_people_trained_for_the_kind_and_cleared_for_the_level():
    pool = [person(1, "Ann", kinds=("design",)), person(2, "Ben", rank=2), person(3, "Cid")]

    [assignment] = assign_interviewers(slots=[slot(1, rank=3)], pool=pool)

    assert assignment.interviewer == 3


def test_nobody_appears_twice_in_a_loop():
    pool = [person(1, "Ann"), person(2, "Ben")]

    assignments = assign_interviewers(slots=[slot(1), slot(2), slot(3)], pool=pool)

    leads = [a.interviewer for a in assignments]
    assert leads[:2] == [1, 2]
    assert leads[2] is None
    assert "already in this loop" in assignments[2].problem


def test_weekly_cap_counts_existing_load_per_week():
    pool = [person(1, "Ann", cap=2, load=2), person(2, "Ben", cap=1), person(3, "Cy", cap=1)]

    first, second = assign_interviewers(slots=[slot(1), slot(2, week="2026-W49")], pool=pool)

    assert first.interviewer == 2  # Ann is full in W48; Ben and Cy tie, Ben sorts first
    assert second.interviewer == 1  # W49 is a new week for Ann, who leads on name


def test_cap_reached_is_explained():
    [assignment] = assign_interviewers(slots=[slot(1)], pool=[person(1, "Ann", cap=1, load=1)])

    assert assignment.interviewer is None
    assert "Ann: at the weekly cap (1) in 2026-W48" in assignment.problem


def test_conflicts_are_skipped_and_explained():
    [assignment] = assign_interviewers(slots=[slot(1)], pool=[person(1, "Ann", conflicted=True)])

    assert assignment.interviewer is None
    assert "has a conflict with the candidate" in assignment.problem


def test_no_one_trained_says_so():
    [assignment] = assign_interviewers(slots=[slot(1, kind="design")], pool=[person(1, "Ann")])

    assert assignment.problem == "No interviewer is trained for Design."


def test_a_shadow_trainee_observes_but_never_leads():
    pool = [person(1, "Ann", state=SHADOW), person(2, "Ben")]

    [assignment] = assign_interviewers(slots=[slot(1)], pool=pool)

    assert (assignment.interviewer, assignment.shadow) == (2, 1)


def test_a_lone_shadow_trainee_cannot_take_the_interview():
    [assignment] = assign_interviewers(slots=[slot(1)], pool=[person(1, "Ann", state=SHADOW)])

    assert assignment.interviewer is None
    assert "in training" in assignment.problem


def test_a_reverse_shadow_trainee_leads_with_a_qualified_observer():
    pool = [person(1, "Ann", state=REVERSE_SHADOW), person(2, "Ben", load=3)]

    [assignment] = assign_interviewers(slots=[slot(1)], pool=pool)

    assert (assignment.interviewer, assignment.shadow) == (1, 2)


def test_a_reverse_shadow_trainee_without_an_observer_gives_way():
    [assignment] = assign_interviewers(
        slots=[slot(1)], pool=[person(1, "Ann", state=REVERSE_SHADOW)]
    )

    assert assignment.interviewer is None


def test_same_facts_same_assignment_whatever_the_order():
    pool = [person(i, f"P{i}", load=i % 3) for i in range(1, 9)]
    slots = [slot(i) for i in range(1, 5)]

    assert assign_interviewers(slots=slots, pool=pool) == assign_interviewers(
        slots=list(reversed(slots)), pool=list(reversed(pool))
    )
