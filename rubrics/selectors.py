"""Reads of the rubric, each with the joins its callers need."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from rubrics.models import (
    Competency,
    Expectation,
    Ladder,
    Level,
    Priority,
    Question,
    QuestionStatus,
    RoleProfile,
)
from rubrics.profile_files import KnownRubric


def ladder_list() -> QuerySet[Ladder]:
    return Ladder.objects.prefetch_related(
        Prefetch("levels", queryset=Level.objects.order_by("rank", "track", "code"))
    )


def competency_list(*, family: str | None = None) -> QuerySet[Competency]:
    competencies = Competency.objects.all()
    if family:
        competencies = competencies.filter(family=family)
    return competencies


def role_profile_list(
    *, include_all_versions: bool = False, ladder_key: str | None = None
) -> QuerySet[RoleProfile]:
    profiles = RoleProfile.objects.select_related("ladder")
    if not include_all_versions:
        profiles = profiles.filter(is_current=True)
    if ladder_key:
        profiles = profiles.filter(ladder__key=ladder_key)
    return profiles


def role_profile_get(*, key: str, version: int | None = None) -> RoleProfile:
    """The current version, or the one asked for. Raises RoleProfile.DoesNotExist."""
    profiles = RoleProfile.objects.select_related("ladder").filter(key=key)
    if version is None:
        return profiles.get(is_current=True)
    return profiles.get(version=version)


def role_profile_levels(*, role_profile: RoleProfile) -> list[Level]:
    """The levels this profile has expectations at, most junior first."""
    return list(
        Level.objects.filter(expectations__role_profile=role_profile)
        .distinct()
        .order_by("rank", "track", "code")
    )


def role_profile_level_find(*, role_profile: RoleProfile, code: str) -> Level | None:
    """The level with this code if the profile has expectations there, else None."""
    return (
        Level.objects.filter(ladder_id=role_profile.ladder_id, code=code)
        .filter(expectations__role_profile=role_profile)
        .distinct()
        .first()
    )


def role_profile_levels_many(*, role_profiles: list[RoleProfile]) -> dict[int, list[Level]]:
    """Levels per profile for a list page, in one query."""
    levels: dict[int, list[Level]] = defaultdict(list)
    pairs = list(
        Expectation.objects.filter(role_profile__in=role_profiles)
        .order_by()
        .values_list("role_profile_id", "level_id")
        .distinct()
    )
    level_ids = {level_id for _, level_id in pairs}
    by_id = Level.objects.in_bulk(level_ids)
    for profile_id, level_id in pairs:
        levels[profile_id].append(by_id[level_id])
    for profile_levels in levels.values():
        profile_levels.sort(key=lambda level: (level.rank, level.track, level.code))
    return dict(levels)


def expectation_list(*, role_profile: RoleProfile, level: Level) -> QuerySet[Expectation]:
    return (
        Expectation.objects.filter(role_profile=role_profile, level=level)
        .select_related("competency", "level")
        .order_by("priority", "competency__family", "competency__name")
    )


def _questions_for_level(level: Level) -> Q:
    return Q(
        min_level__ladder_id=level.ladder_id,
        min_level__rank__lte=level.rank,
        max_level__rank__gte=level.rank,
    )


def question_list(
    *,
    competency_key: str | None = None,
    level_code: str | None = None,
    ladder_key: str | None = None,
    status: str | None = QuestionStatus.ACTIVE,
) -> QuerySet[Question]:
    """Questions, optionally only those suiting a level (by rank within the level's ladder)."""
    questions = Question.objects.select_related("competency", "min_level", "max_level")
    if competency_key:
        questions = questions.filter(competency__key=competency_key)
    if ladder_key:
        questions = questions.filter(min_level__ladder__key=ladder_key)
    if status:
        questions = questions.filter(status=status)
    if level_code:
        levels = Level.objects.filter(code=level_code)
        if ladder_key:
            levels = levels.filter(ladder__key=ladder_key)
        suits = Q(pk__in=[])
        for level in levels:
            suits |= _questions_for_level(level)
        questions = questions.filter(suits)
    return questions


@dataclass(frozen=True)
class CompetencyAtLevel:
    expectation: Expectation
    questions: list[Question]


@dataclass(frozen=True)
class LevelRubric:
    """What an interviewer needs to prepare: for each competency, its anchors and questions."""

    role_profile: RoleProfile
    level: Level
    summary: str
    by_priority: dict[str, list[CompetencyAtLevel]]


def level_rubric_get(*, role_profile: RoleProfile, level: Level) -> LevelRubric:
    expectations = list(expectation_list(role_profile=role_profile, level=level))
    questions: dict[int, list[Question]] = defaultdict(list)
    for question in question_list(level_code=None).filter(
        _questions_for_level(level),
        competency_id__in=[e.competency_id for e in expectations],
    ):
        questions[question.competency_id].append(question)
    by_priority: dict[str, list[CompetencyAtLevel]] = {p.value: [] for p in Priority}
    for expectation in expectations:
        by_priority[expectation.priority].append(
            CompetencyAtLevel(expectation, questions[expectation.competency_id])
        )
    return LevelRubric(
        role_profile=role_profile,
        level=level,
        summary=role_profile.level_summaries.get(level.code, ""),
        by_priority=by_priority,
    )


def known_rubric_get() -> KnownRubric:
    """What import files may refer to without defining it themselves."""
    ranks: dict[str, dict[str, int]] = defaultdict(dict)
    for ladder_key, code, rank in Level.objects.values_list("ladder__key", "code", "rank"):
        ranks[ladder_key][code] = rank
    return KnownRubric(
        competencies=frozenset(Competency.objects.values_list("key", flat=True)),
        level_ranks=dict(ranks),
    )
