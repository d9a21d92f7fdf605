"""Writes to the rubric. Every entry point (command, admin) goes through these functions."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max

from rubrics.models import (
    Competency,
    Expectation,
    InterviewKind,
    Ladder,
    Level,
    Question,
    RoleProfile,
)
from rubrics.profile_files import (
    CompetencySpec,
    ExpectationSpec,
    InterviewKindSpec,
    LadderSpec,
    QuestionSpec,
    RoleProfileSpec,
    rubric_files_read,
)
from rubrics.selectors import known_rubric_get

SHIPPED_PROFILES_DIR = Path(__file__).resolve().parent / "profiles"

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"

ModelT = TypeVar("ModelT", bound=models.Model)


@dataclass(frozen=True)
class ImportOutcome:
    kind: str
    key: str
    outcome: str

    def __str__(self) -> str:
        return f"{self.kind} {self.key}: {self.outcome}"


@dataclass
class ImportReport:
    dry_run: bool = False
    outcomes: list[ImportOutcome] = field(default_factory=list)

    def add(self, kind: str, key: str, outcome: str) -> None:
        self.outcomes.append(ImportOutcome(kind, key, outcome))

    @property
    def changed(self) -> bool:
        return any(o.outcome != UNCHANGED for o in self.outcomes)

    def summary(self) -> str:
        counts = Counter(
            "new version" if o.outcome.startswith("new version") else o.outcome
            for o in self.outcomes
        )
        parts = [f"{counts[name]} {name}" for name in (CREATED, "new version", UPDATED, UNCHANGED)]
        prefix = "Dry run, nothing written: " if self.dry_run else ""
        return prefix + ", ".join(parts)


def _upsert(
    model: type[ModelT], lookup: dict[str, Any], values: dict[str, Any]
) -> tuple[ModelT, str]:
    """Create, update or leave alone one row, telling which."""
    instance = model._default_manager.select_for_update().filter(**lookup).first()
    if instance is None:
        instance = model(**lookup, **values)
        instance.full_clean()
        instance.save()
        return instance, CREATED
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    if not changed:
        return instance, UNCHANGED
    for name in changed:
        setattr(instance, name, values[name])
    instance.full_clean()
    instance.save(update_fields=changed)
    return instance, UPDATED


def _ladder_upsert(spec: LadderSpec) -> str:
    ladder, outcome = _upsert(
        Ladder, {"key": spec.key}, {"name": spec.name, "description": spec.description}
    )
    for level in spec.levels:
        _, level_outcome = _upsert(
            Level,
            {"ladder": ladder, "code": level.code},
            {
                "name": level.name,
                "track": level.track,
                "rank": level.rank,
                "years_min": level.years_min,
                "years_max": level.years_max,
                "loop_minutes": level.loop_minutes,
                "description": level.description,
            },
        )
        if outcome == UNCHANGED and level_outcome != UNCHANGED:
            outcome = UPDATED
    return outcome


def _competency_upsert(spec: CompetencySpec) -> str:
    _, outcome = _upsert(
        Competency,
        {"key": spec.key},
        {"name": spec.name, "family": spec.family, "description": spec.description},
    )
    return outcome


def _role_profile_import(spec: RoleProfileSpec) -> str:
    """A changed profile becomes a new current version; the old version is kept."""
    versions = RoleProfile.objects.select_for_update().filter(key=spec.key)
    current = versions.filter(is_current=True).first()
    content_hash = spec.content_hash
    if current is not None and current.content_hash == content_hash:
        return UNCHANGED
    latest = versions.aggregate(latest=Max("version"))["latest"] or 0
    if current is not None:
        current.is_current = False
        current.save(update_fields=["is_current"])
    ladder = Ladder.objects.get(key=spec.ladder)
    profile = RoleProfile(
        key=spec.key,
        version=latest + 1,
        is_current=True,
        name=spec.name,
        ladder=ladder,
        summary=spec.summary,
        sources=[dict(source) for source in spec.sources],
        compensation=[dict(band) for band in spec.compensation],
        level_summaries=dict(spec.level_summaries),
        content_hash=content_hash,
    )
    profile.full_clean()
    profile.save()
    levels = {level.code: level for level in ladder.levels.all()}
    competencies = Competency.objects.in_bulk(
        {e.competency for e in spec.expectations}, field_name="key"
    )
    Expectation.objects.bulk_create(
        [
            _expectation_build(profile, levels[e.level], competencies[e.competency], e)
            for e in spec.expectations
        ]
    )
    return CREATED if current is None and latest == 0 else f"new version {profile.version}"


def _expectation_build(
    profile: RoleProfile, level: Level, competency: Competency, spec: ExpectationSpec
) -> Expectation:
    strong_no, no, yes, strong_yes = spec.anchors
    return Expectation(
        role_profile=profile,
        level=level,
        competency=competency,
        priority=spec.priority,
        bar=spec.bar,
        anchor_strong_no=strong_no,
        anchor_no=no,
        anchor_yes=yes,
        anchor_strong_yes=strong_yes,
    )


def _question_upsert(spec: QuestionSpec) -> str:
    levels = {
        level.code: level
        for level in Level.objects.filter(
            ladder__key=spec.ladder, code__in=[spec.min_level, spec.max_level]
        )
    }
    _, outcome = _upsert(
        Question,
        {"key": spec.key},
        {
            "competency": Competency.objects.get(key=spec.competency),
            "min_level": levels[spec.min_level],
            "max_level": levels[spec.max_level],
            "prompt": spec.prompt,
            "follow_ups": list(spec.follow_ups),
            "good_answer": spec.good_answer,
            "minutes": spec.minutes,
            "status": spec.status,
        },
    )
    return outcome


def _interview_kind_upsert(spec: InterviewKindSpec) -> str:
    ladder = Ladder.objects.get(key=spec.ladder)
    kind, outcome = _upsert(
        InterviewKind,
        {"key": spec.key},
        {
            "ladder": ladder,
            "name": spec.name,
            "description": spec.description,
            "minutes": spec.minutes,
        },
    )
    levels = set(ladder.levels.filter(code__in=spec.levels))
    competencies = set(Competency.objects.filter(key__in=spec.competencies))
    if set(kind.levels.all()) != levels or set(kind.competencies.all()) != competencies:
        kind.levels.set(levels)
        kind.competencies.set(competencies)
        if outcome == UNCHANGED:
            outcome = UPDATED
    return outcome


def role_profiles_import(*, paths: Sequence[Path], dry_run: bool = False) -> ImportReport:
    """Import rubric files all or nothing. Raises RubricImportError (file:line messages) before
    writing anything when any file is invalid."""
    bundle = rubric_files_read(paths, known=known_rubric_get())
    report = ImportReport(dry_run=dry_run)
    with transaction.atomic():
        for ladder in bundle.ladders:
            report.add("ladder", ladder.key, _ladder_upsert(ladder))
        for competency in bundle.competencies:
            report.add("competency", competency.key, _competency_upsert(competency))
        for profile in bundle.role_profiles:
            report.add("role profile", profile.key, _role_profile_import(profile))
        for question in bundle.questions:
            report.add("question", question.key, _question_upsert(question))
        for kind in bundle.interview_kinds:
            report.add("interview kind", kind.key, _interview_kind_upsert(kind))
        if dry_run:
            transaction.set_rollback(True)
    return report


# --- export ---------------------------------------------------------------------------------------


def _role_profile_document(profile: RoleProfile) -> dict[str, Any]:
    levels: dict[str, Any] = {}
    expectations = profile.expectations.select_related("level", "competency").order_by(
        "level__rank", "level__code", "competency__family", "competency__key"
    )
    for expectation in expectations:
        level = levels.setdefault(expectation.level.code, {})
        summary = profile.level_summaries.get(expectation.level.code)
        if summary and "summary" not in level:
            level["summary"] = summary
        level.setdefault("expectations", {})[expectation.competency.key] = {
            "priority": expectation.priority,
            "bar": expectation.bar,
            "anchors": {point: text for point, _, text in expectation.anchors()},
        }
    document: dict[str, Any] = {
        "kind": "role_profile",
        "key": profile.key,
        "name": profile.name,
        "ladder": profile.ladder.key,
    }
    if profile.summary:
        document["summary"] = profile.summary
    document["sources"] = profile.sources
    if profile.compensation:
        document["compensation"] = [
            {k: v for k, v in band.items() if v not in ("", None)} for band in profile.compensation
        ]
    document["levels"] = levels
    return document


def _ladder_document(ladder: Ladder) -> dict[str, Any]:
    levels = []
    for level in ladder.levels.order_by("rank", "track", "code"):
        years: dict[str, int] = {"min": level.years_min}
        if level.years_max is not None:
            years["max"] = level.years_max
        levels.append(
            {
                "code": level.code,
                "name": level.name,
                "track": level.track,
                "rank": level.rank,
                "years": years,
                "loop_minutes": level.loop_minutes,
                "description": level.description,
            }
        )
    return {
        "kind": "ladder",
        "key": ladder.key,
        "name": ladder.name,
        "description": ladder.description,
        "levels": levels,
    }


def _question_document(question: Question) -> dict[str, Any]:
    return {
        "key": question.key,
        "competency": question.competency.key,
        "levels": {"from": question.min_level.code, "to": question.max_level.code},
        "minutes": question.minutes,
        "prompt": question.prompt,
        "follow_ups": question.follow_ups,
        "good_answer": question.good_answer,
        "status": question.status,
    }


def _yaml_write(path: Path, document: dict[str, Any]) -> Path:
    path.write_text(
        yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100),
        encoding="utf-8",
    )
    return path


def role_profiles_export(*, output_dir: Path) -> list[Path]:
    """Write the rubric (current profile versions) as files that import back unchanged."""
    output_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for ladder in Ladder.objects.all():
        written.append(
            _yaml_write(output_dir / f"ladder-{ladder.key}.yaml", _ladder_document(ladder))
        )
    competencies = [
        {"key": c.key, "name": c.name, "family": c.family, "description": c.description}
        for c in Competency.objects.order_by("family", "key")
    ]
    if competencies:
        written.append(
            _yaml_write(
                output_dir / "competencies.yaml",
                {"kind": "competencies", "competencies": competencies},
            )
        )
    for profile in RoleProfile.objects.filter(is_current=True).select_related("ladder"):
        written.append(
            _yaml_write(output_dir / f"role-{profile.key}.yaml", _role_profile_document(profile))
        )
    questions = Question.objects.select_related(
        "competency", "min_level__ladder", "max_level"
    ).order_by("min_level__ladder__key", "competency__key", "key")
    banks: dict[str, list[dict[str, Any]]] = {}
    for question in questions:
        banks.setdefault(question.min_level.ladder.key, []).append(_question_document(question))
    for ladder_key, bank in banks.items():
        written.append(
            _yaml_write(
                output_dir / f"questions-{ladder_key}.yaml",
                {"kind": "question_bank", "ladder": ladder_key, "questions": bank},
            )
        )
    kinds_by_ladder: dict[str, list[dict[str, Any]]] = {}
    for kind in InterviewKind.objects.select_related("ladder").prefetch_related(
        "levels", "competencies"
    ):
        kinds_by_ladder.setdefault(kind.ladder.key, []).append(
            {
                "key": kind.key,
                "name": kind.name,
                "description": kind.description,
                "minutes": kind.minutes,
                "levels": [level.code for level in sorted(kind.levels.all(), key=_level_order)],
                "competencies": sorted(c.key for c in kind.competencies.all()),
            }
        )
    for ladder_key, kinds in kinds_by_ladder.items():
        written.append(
            _yaml_write(
                output_dir / f"interview-kinds-{ladder_key}.yaml",
                {"kind": "interview_kinds", "ladder": ladder_key, "interview_kinds": kinds},
            )
        )
    return written


def _level_order(level: Level) -> tuple[int, str, str]:
    return (level.rank, level.track, level.code)


def role_profile_level_require(*, role_profile: RoleProfile, level: Level) -> None:
    """A loop or requisition needs a level this profile has expectations at."""
    if (
        level.ladder_id != role_profile.ladder_id
        or not role_profile.expectations.filter(level=level).exists()
    ):
        raise ValidationError(
            {"level": f"{role_profile.name} has no expectations at {level.code}."}
        )


def questions_retire(*, questions: Any) -> int:
    """Retired questions stay for the scorecards that used them but are never planned again."""
    return int(questions.exclude(status="retired").update(status="retired"))
