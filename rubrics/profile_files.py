"""Reading and validating role-profile YAML files (format: docs/role-profiles.md).

Parsing and validation need no database: the caller passes what the database already holds, so every
error can be reported as file:line before anything is written.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LEVEL_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
TRACKS = ("ic", "manager")
PRIORITIES = ("must", "should", "nice")
FAMILIES = ("results", "direction", "talent", "culture", "craft", "management")
QUESTION_STATUSES = ("active", "retired")
RATING_POINTS = (1, 2, 3, 4)
YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class FileError:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(frozen=True)
class LevelSpec:
    code: str
    name: str
    track: str
    rank: int
    years_min: int
    years_max: int | None
    loop_minutes: int
    description: str


@dataclass(frozen=True)
class LadderSpec:
    key: str
    name: str
    description: str
    levels: tuple[LevelSpec, ...]
    origin: str


@dataclass(frozen=True)
class CompetencySpec:
    key: str
    name: str
    family: str
    description: str
    origin: str


@dataclass(frozen=True)
class ExpectationSpec:
    level: str
    competency: str
    priority: str
    bar: int
    anchors: tuple[str, str, str, str]


@dataclass(frozen=True)
class RoleProfileSpec:
    key: str
    name: str
    ladder: str
    summary: str
    sources: tuple[dict[str, str], ...]
    compensation: tuple[dict[str, Any], ...]
    level_summaries: dict[str, str]
    expectations: tuple[ExpectationSpec, ...]
    origin: str

    @property
    def content_hash(self) -> str:
        """Identifies the content, so re-importing an unchanged file creates no new version."""
        content = asdict(self)
        del content["origin"]
        content["expectations"] = sorted(
            content["expectations"], key=lambda e: (e["level"], e["competency"])
        )
        encoded = json.dumps(content, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(encoded.encode()).hexdigest()


@dataclass(frozen=True)
class QuestionSpec:
    key: str
    ladder: str
    competency: str
    min_level: str
    max_level: str
    prompt: str
    follow_ups: tuple[str, ...]
    good_answer: str
    minutes: int
    status: str
    origin: str


@dataclass(frozen=True)
class InterviewKindSpec:
    key: str
    ladder: str
    name: str
    description: str
    minutes: int
    levels: tuple[str, ...]
    competencies: tuple[str, ...]
    origin: str


@dataclass
class RubricBundle:
    ladders: list[LadderSpec] = field(default_factory=list)
    competencies: list[CompetencySpec] = field(default_factory=list)
    role_profiles: list[RoleProfileSpec] = field(default_factory=list)
    questions: list[QuestionSpec] = field(default_factory=list)
    interview_kinds: list[InterviewKindSpec] = field(default_factory=list)


@dataclass(frozen=True)
class KnownRubric:
    """What the database already holds, so files may refer to it."""

    competencies: frozenset[str] = frozenset()
    level_ranks: Mapping[str, Mapping[str, int]] = field(default_factory=dict)


class RubricImportError(Exception):
    def __init__(self, errors: list[FileError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(error) for error in errors))


# --- YAML with line numbers -------------------------------------------------------------------


class LinedDict(dict[Any, Any]):
    line: int = 0
    key_lines: dict[Any, int]


class LinedList(list[Any]):
    line: int = 0
    item_lines: list[int]


class DuplicateKeyError(yaml.MarkedYAMLError):
    pass


class _LineLoader(yaml.SafeLoader):
    """A safe loader that remembers where each mapping, key and list item starts, and rejects
    duplicate keys (PyYAML silently keeps the last one)."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LinedDict:
    loader.flatten_mapping(node)
    mapping = LinedDict()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in mapping:
            raise DuplicateKeyError(
                problem=f"duplicate key {key!r} (first at line {mapping.key_lines[key]})",
                problem_mark=key_node.start_mark,
            )
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = key_node.start_mark.line + 1
    return mapping


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> LinedList:
    sequence = LinedList(loader.construct_object(child, deep=True) for child in node.value)
    sequence.line = node.start_mark.line + 1
    sequence.item_lines = [child.start_mark.line + 1 for child in node.value]
    return sequence


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


# --- validation ---------------------------------------------------------------------------------


class _FileReader:
    """Validates one parsed file, collecting every error with its line."""

    def __init__(self, path: str, errors: list[FileError]) -> None:
        self.path = path
        self.errors = errors

    def error(self, line: int, message: str) -> None:
        self.errors.append(FileError(self.path, line, message))

    def mapping(self, value: Any, line: int, what: str) -> LinedDict | None:
        if not isinstance(value, LinedDict):
            self.error(line, f"{what} must be a mapping")
            return None
        return value

    def fields(
        self,
        mapping: LinedDict,
        what: str,
        *,
        required: Iterable[str],
        optional: Iterable[str] = (),
    ) -> bool:
        required = tuple(required)
        allowed = set(required) | set(optional)
        ok = True
        for key in mapping:
            if key not in allowed:
                expected = ", ".join(sorted(allowed))
                self.error(
                    mapping.key_lines[key],
                    f"unknown field {key!r} in {what} (expected: {expected})",
                )
                ok = False
        for key in required:
            if key not in mapping:
                self.error(mapping.line, f"{what} is missing the required field {key!r}")
                ok = False
        return ok

    def line_of(self, mapping: LinedDict, key: str) -> int:
        return mapping.key_lines.get(key, mapping.line)

    def text(self, mapping: LinedDict, key: str, what: str, *, required: bool = True) -> str:
        value = mapping.get(key)
        if value is None:
            if required and key in mapping:
                self.error(self.line_of(mapping, key), f"{what}: {key!r} must not be empty")
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.error(self.line_of(mapping, key), f"{what}: {key!r} must be text")
            return ""
        text = str(value).strip()
        if required and not text:
            self.error(self.line_of(mapping, key), f"{what}: {key!r} must not be empty")
        return text

    def slug(self, mapping: LinedDict, key: str, what: str) -> str:
        value = self.text(mapping, key, what)
        if value and not SLUG.match(value):
            self.error(
                self.line_of(mapping, key),
                f"{what}: {key!r} {value!r} must be lowercase letters, digits and hyphens",
            )
        return value

    def integer(
        self, mapping: LinedDict, key: str, what: str, *, low: int, high: int | None = None
    ) -> int | None:
        value = mapping.get(key)
        span = f"from {low} to {high}" if high is not None else f"of at least {low}"
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or value < low
            or (high is not None and value > high)
        ):
            self.error(
                self.line_of(mapping, key),
                f"{what}: {key!r} must be a whole number {span}, not {value!r}",
            )
            return None
        return value

    def choice(self, mapping: LinedDict, key: str, what: str, choices: tuple[str, ...]) -> str:
        value = mapping.get(key)
        if value not in choices:
            self.error(
                self.line_of(mapping, key),
                f"{what}: {key!r} must be one of {', '.join(choices)}, not {value!r}",
            )
            return ""
        return str(value)

    def sequence(self, mapping: LinedDict, key: str, what: str, *, required: bool) -> LinedList:
        value = mapping.get(key)
        if value is None and not required:
            empty = LinedList()
            empty.line, empty.item_lines = self.line_of(mapping, key), []
            return empty
        if not isinstance(value, LinedList) or (required and not value):
            self.error(self.line_of(mapping, key), f"{what}: {key!r} must be a non-empty list")
            empty = LinedList()
            empty.line, empty.item_lines = self.line_of(mapping, key), []
            return empty
        return value


class _BundleBuilder:
    def __init__(self, known: KnownRubric) -> None:
        self.known = known
        self.errors: list[FileError] = []
        self.bundle = RubricBundle()
        # Where each key was first defined in this import, to report duplicates precisely.
        self.seen: dict[tuple[str, str], str] = {}
        self.pending_profiles: list[tuple[_FileReader, LinedDict]] = []
        self.pending_questions: list[tuple[_FileReader, LinedDict]] = []
        self.pending_kinds: list[tuple[_FileReader, LinedDict]] = []

    def claim(self, reader: _FileReader, kind: str, key: str, line: int) -> bool:
        if not key:
            return False
        where = f"{reader.path}:{line}"
        first = self.seen.setdefault((kind, key), where)
        if first != where:
            reader.error(line, f"duplicate {kind} key {key!r} (first defined at {first})")
            return False
        return True

    def add_file(self, path: Path, text: str) -> None:
        reader = _FileReader(str(path), self.errors)
        try:
            document = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark is not None else 1
            message = f"YAML syntax error: {exc.problem or 'invalid YAML'}"
            if exc.context and exc.context_mark is not None:
                message += f" ({exc.context} started at line {exc.context_mark.line + 1})"
            reader.error(line, message)
            return
        except yaml.YAMLError as exc:
            reader.error(1, f"YAML syntax error: {exc}")
            return
        root = reader.mapping(document, 1, "the file")
        if root is None:
            return
        kind = root.get("kind")
        if kind == "ladder":
            self.read_ladder(reader, root)
        elif kind == "competencies":
            self.read_competencies(reader, root)
        elif kind == "role_profile":
            self.pending_profiles.append((reader, root))
        elif kind == "question_bank":
            self.pending_questions.append((reader, root))
        elif kind == "interview_kinds":
            self.pending_kinds.append((reader, root))
        else:
            reader.error(
                reader.line_of(root, "kind"),
                "'kind' must be one of ladder, competencies, role_profile, question_bank, "
                "interview_kinds; "
                f"not {kind!r}",
            )

    def read_ladder(self, reader: _FileReader, root: LinedDict) -> None:
        reader.fields(
            root, "ladder", required=("kind", "key", "name", "levels"), optional=("description",)
        )
        key = reader.slug(root, "key", "ladder")
        levels: list[LevelSpec] = []
        codes: dict[str, int] = {}
        items = reader.sequence(root, "levels", "ladder", required=True)
        for item, line in zip(items, items.item_lines, strict=True):
            level = reader.mapping(item, line, "a level")
            if level is None:
                continue
            reader.fields(
                level,
                "level",
                required=("code", "name", "track", "rank", "loop_minutes"),
                optional=("years", "description"),
            )
            code = reader.text(level, "code", "level")
            if code and not LEVEL_CODE.match(code):
                reader.error(reader.line_of(level, "code"), f"level code {code!r} is not valid")
            if code in codes:
                reader.error(
                    reader.line_of(level, "code"),
                    f"duplicate level code {code!r} (first at line {codes[code]})",
                )
            codes.setdefault(code, reader.line_of(level, "code"))
            years_min, years_max = 0, None
            if "years" in level:
                years = reader.mapping(level["years"], reader.line_of(level, "years"), "years")
                if years is not None:
                    reader.fields(years, "years", required=("min",), optional=("max",))
                    years_min = reader.integer(years, "min", "years", low=0) or 0
                    if years.get("max") is not None:
                        years_max = reader.integer(years, "max", "years", low=0)
                        if years_max is not None and years_max < years_min:
                            reader.error(years.line, "years: 'max' must not be less than 'min'")
            rank = reader.integer(level, "rank", f"level {code}", low=1)
            minutes = reader.integer(level, "loop_minutes", f"level {code}", low=1)
            levels.append(
                LevelSpec(
                    code=code,
                    name=reader.text(level, "name", f"level {code}"),
                    track=reader.choice(level, "track", f"level {code}", TRACKS),
                    rank=rank or 0,
                    years_min=years_min,
                    years_max=years_max,
                    loop_minutes=minutes or 0,
                    description=reader.text(level, "description", f"level {code}", required=False),
                )
            )
        if self.claim(reader, "ladder", key, reader.line_of(root, "key")):
            self.bundle.ladders.append(
                LadderSpec(
                    key=key,
                    name=reader.text(root, "name", "ladder"),
                    description=reader.text(root, "description", "ladder", required=False),
                    levels=tuple(levels),
                    origin=reader.path,
                )
            )

    def read_competencies(self, reader: _FileReader, root: LinedDict) -> None:
        reader.fields(root, "competencies file", required=("kind", "competencies"))
        items = reader.sequence(root, "competencies", "competencies file", required=True)
        for item, line in zip(items, items.item_lines, strict=True):
            competency = reader.mapping(item, line, "a competency")
            if competency is None:
                continue
            reader.fields(
                competency, "competency", required=("key", "name", "family", "description")
            )
            key = reader.slug(competency, "key", "competency")
            spec = CompetencySpec(
                key=key,
                name=reader.text(competency, "name", f"competency {key}"),
                family=reader.choice(competency, "family", f"competency {key}", FAMILIES),
                description=reader.text(competency, "description", f"competency {key}"),
                origin=reader.path,
            )
            if self.claim(reader, "competency", key, reader.line_of(competency, "key")):
                self.bundle.competencies.append(spec)

    # Profiles and questions refer to ladders and competencies, which may come from any file.
    def level_ranks(self) -> dict[str, dict[str, int]]:
        ranks = {ladder: dict(levels) for ladder, levels in self.known.level_ranks.items()}
        for ladder in self.bundle.ladders:
            ranks[ladder.key] = {level.code: level.rank for level in ladder.levels}
        return ranks

    def competency_keys(self) -> set[str]:
        return set(self.known.competencies) | {c.key for c in self.bundle.competencies}

    def read_role_profile(
        self,
        reader: _FileReader,
        root: LinedDict,
        ranks: dict[str, dict[str, int]],
        competencies: set[str],
    ) -> None:
        reader.fields(
            root,
            "role profile",
            required=("kind", "key", "name", "ladder", "sources", "levels"),
            optional=("summary", "compensation"),
        )
        key = reader.slug(root, "key", "role profile")
        ladder = reader.slug(root, "ladder", f"role profile {key}")
        ladder_levels = ranks.get(ladder)
        if ladder and ladder_levels is None:
            reader.error(reader.line_of(root, "ladder"), f"unknown ladder {ladder!r}")
        sources = []
        items = reader.sequence(root, "sources", f"role profile {key}", required=True)
        for item, line in zip(items, items.item_lines, strict=True):
            source = reader.mapping(item, line, "a source")
            if source is not None:
                reader.fields(source, "source", required=("file", "title", "gives"))
                sources.append(
                    {
                        part: reader.text(source, part, "source")
                        for part in ("file", "title", "gives")
                    }
                )
        compensation = self.read_compensation(reader, root, ladder_levels)
        level_summaries: dict[str, str] = {}
        expectations: list[ExpectationSpec] = []
        levels = reader.mapping(root.get("levels"), reader.line_of(root, "levels"), "'levels'")
        if levels is not None and not levels:
            reader.error(levels.line, f"role profile {key}: 'levels' must not be empty")
        for code, level_value in (levels or {}).items():
            line = levels.key_lines[code] if levels is not None else root.line
            code = str(code)
            if ladder_levels is not None and code not in ladder_levels:
                reader.error(line, f"unknown level {code!r} in ladder {ladder!r}")
            level = reader.mapping(level_value, line, f"level {code}")
            if level is None:
                continue
            reader.fields(level, f"level {code}", required=("expectations",), optional=("summary",))
            level_summaries[code] = reader.text(level, "summary", f"level {code}", required=False)
            by_competency = reader.mapping(
                level.get("expectations"),
                reader.line_of(level, "expectations"),
                f"level {code}: 'expectations'",
            )
            if by_competency is not None and not by_competency:
                reader.error(by_competency.line, f"level {code}: 'expectations' must not be empty")
            for competency, value in (by_competency or {}).items():
                assert by_competency is not None
                expectation = self.read_expectation(
                    reader,
                    code,
                    str(competency),
                    value,
                    by_competency.key_lines[competency],
                    competencies,
                )
                if expectation is not None:
                    expectations.append(expectation)
        if self.claim(reader, "role profile", key, reader.line_of(root, "key")):
            self.bundle.role_profiles.append(
                RoleProfileSpec(
                    key=key,
                    name=reader.text(root, "name", f"role profile {key}"),
                    ladder=ladder,
                    summary=reader.text(root, "summary", f"role profile {key}", required=False),
                    sources=tuple(sources),
                    compensation=tuple(compensation),
                    level_summaries=level_summaries,
                    expectations=tuple(expectations),
                    origin=reader.path,
                )
            )

    def read_expectation(
        self,
        reader: _FileReader,
        level: str,
        competency: str,
        value: Any,
        line: int,
        competencies: set[str],
    ) -> ExpectationSpec | None:
        what = f"expectation {competency} at {level}"
        if competency not in competencies:
            reader.error(line, f"unknown competency {competency!r}")
        mapping = reader.mapping(value, line, what)
        if mapping is None:
            return None
        reader.fields(mapping, what, required=("priority", "bar", "anchors"))
        priority = reader.choice(mapping, "priority", what, PRIORITIES)
        bar = reader.integer(mapping, "bar", what, low=1, high=4)
        anchors_line = reader.line_of(mapping, "anchors")
        anchors = reader.mapping(mapping.get("anchors"), anchors_line, f"{what}: 'anchors'")
        texts: list[str] = []
        if anchors is not None:
            for point in anchors:
                if point not in RATING_POINTS:
                    reader.error(
                        anchors.key_lines[point],
                        f"{what}: anchor {point!r} is not a rating point (1, 2, 3 or 4)",
                    )
            for point in RATING_POINTS:
                if point not in anchors:
                    reader.error(anchors.line, f"{what}: rating point {point} has no anchor text")
                    texts.append("")
                    continue
                text = anchors[point]
                if not isinstance(text, str) or not text.strip():
                    reader.error(
                        anchors.key_lines[point],
                        f"{what}: rating point {point} has no anchor text",
                    )
                    texts.append("")
                else:
                    texts.append(text.strip())
        if anchors is None or bar is None or not priority or not all(texts):
            return None
        return ExpectationSpec(
            level=level,
            competency=competency,
            priority=priority,
            bar=bar,
            anchors=(texts[0], texts[1], texts[2], texts[3]),
        )

    def read_compensation(
        self, reader: _FileReader, root: LinedDict, ladder_levels: Mapping[str, int] | None
    ) -> list[dict[str, Any]]:
        bands: list[dict[str, Any]] = []
        items = reader.sequence(root, "compensation", "role profile", required=False)
        for item, line in zip(items, items.item_lines, strict=True):
            band = reader.mapping(item, line, "a compensation band")
            if band is None:
                continue
            reader.fields(
                band,
                "compensation band",
                required=("level", "zone", "currency", "minimum", "midpoint", "maximum"),
                optional=("locations",),
            )
            level = reader.text(band, "level", "compensation band")
            if ladder_levels is not None and level and level not in ladder_levels:
                reader.error(reader.line_of(band, "level"), f"unknown level {level!r}")
            amounts = [
                reader.integer(band, part, "compensation band", low=0)
                for part in ("minimum", "midpoint", "maximum")
            ]
            if None not in amounts and not (amounts[0] <= amounts[1] <= amounts[2]):  # type: ignore[operator]
                reader.error(band.line, "compensation band: minimum <= midpoint <= maximum")
            bands.append(
                {
                    "level": level,
                    "zone": reader.text(band, "zone", "compensation band"),
                    "currency": reader.text(band, "currency", "compensation band"),
                    "minimum": amounts[0],
                    "midpoint": amounts[1],
                    "maximum": amounts[2],
                    "locations": reader.text(
                        band, "locations", "compensation band", required=False
                    ),
                }
            )
        return bands

    def read_question_bank(
        self,
        reader: _FileReader,
        root: LinedDict,
        ranks: dict[str, dict[str, int]],
        competencies: set[str],
    ) -> None:
        reader.fields(root, "question bank", required=("kind", "ladder", "questions"))
        ladder = reader.slug(root, "ladder", "question bank")
        ladder_levels = ranks.get(ladder)
        if ladder and ladder_levels is None:
            reader.error(reader.line_of(root, "ladder"), f"unknown ladder {ladder!r}")
        items = reader.sequence(root, "questions", "question bank", required=True)
        for item, line in zip(items, items.item_lines, strict=True):
            question = reader.mapping(item, line, "a question")
            if question is None:
                continue
            reader.fields(
                question,
                "question",
                required=("key", "competency", "levels", "minutes", "prompt", "good_answer"),
                optional=("follow_ups", "status"),
            )
            key = reader.slug(question, "key", "question")
            what = f"question {key}"
            competency = reader.slug(question, "competency", what)
            if competency and competency not in competencies:
                reader.error(
                    reader.line_of(question, "competency"), f"unknown competency {competency!r}"
                )
            min_level = max_level = ""
            levels = reader.mapping(
                question.get("levels"), reader.line_of(question, "levels"), f"{what}: 'levels'"
            )
            if levels is not None:
                reader.fields(levels, f"{what}: 'levels'", required=("from", "to"))
                min_level = reader.text(levels, "from", f"{what}: 'levels'")
                max_level = reader.text(levels, "to", f"{what}: 'levels'")
                if ladder_levels is not None:
                    for code, part in ((min_level, "from"), (max_level, "to")):
                        if code and code not in ladder_levels:
                            reader.error(
                                reader.line_of(levels, part),
                                f"unknown level {code!r} in ladder {ladder!r}",
                            )
                    if (
                        min_level in ladder_levels
                        and max_level in ladder_levels
                        and ladder_levels[min_level] > ladder_levels[max_level]
                    ):
                        reader.error(
                            levels.line, f"{what}: level {min_level} is above level {max_level}"
                        )
            follow_ups = reader.sequence(question, "follow_ups", what, required=False)
            for follow_up, follow_line in zip(follow_ups, follow_ups.item_lines, strict=True):
                if not isinstance(follow_up, str) or not follow_up.strip():
                    reader.error(follow_line, f"{what}: a follow-up must be non-empty text")
            minutes = reader.integer(question, "minutes", what, low=1, high=120)
            status = (
                reader.choice(question, "status", what, QUESTION_STATUSES)
                if "status" in question
                else "active"
            )
            spec = QuestionSpec(
                key=key,
                ladder=ladder,
                competency=competency,
                min_level=min_level,
                max_level=max_level,
                prompt=reader.text(question, "prompt", what),
                follow_ups=tuple(str(f).strip() for f in follow_ups if isinstance(f, str)),
                good_answer=reader.text(question, "good_answer", what),
                minutes=minutes or 0,
                status=status,
                origin=reader.path,
            )
            if self.claim(reader, "question", key, reader.line_of(question, "key")):
                self.bundle.questions.append(spec)

    def read_interview_kinds(
        self,
        reader: _FileReader,
        root: LinedDict,
        ranks: dict[str, dict[str, int]],
        competencies: set[str],
    ) -> None:
        reader.fields(root, "interview kinds file", required=("kind", "ladder", "interview_kinds"))
        ladder = reader.slug(root, "ladder", "interview kinds file")
        ladder_levels = ranks.get(ladder)
        if ladder and ladder_levels is None:
            reader.error(reader.line_of(root, "ladder"), f"unknown ladder {ladder!r}")
        items = reader.sequence(root, "interview_kinds", "interview kinds file", required=True)
        for item, line in zip(items, items.item_lines, strict=True):
            kind = reader.mapping(item, line, "an interview kind")
            if kind is None:
                continue
            reader.fields(
                kind,
                "interview kind",
                required=("key", "name", "minutes", "levels", "competencies"),
                optional=("description",),
            )
            key = reader.slug(kind, "key", "interview kind")
            what = f"interview kind {key}"
            levels = self.read_keys(reader, kind, "levels", what)
            for code, code_line in zip(levels, levels.item_lines, strict=True):
                if ladder_levels is not None and code not in ladder_levels:
                    reader.error(code_line, f"unknown level {code!r} in ladder {ladder!r}")
            assessed = self.read_keys(reader, kind, "competencies", what)
            for competency, competency_line in zip(assessed, assessed.item_lines, strict=True):
                if competency not in competencies:
                    reader.error(competency_line, f"unknown competency {competency!r}")
            spec = InterviewKindSpec(
                key=key,
                ladder=ladder,
                name=reader.text(kind, "name", what),
                description=reader.text(kind, "description", what, required=False),
                minutes=reader.integer(kind, "minutes", what, low=10, high=240) or 0,
                levels=tuple(str(code) for code in levels),
                competencies=tuple(str(c) for c in assessed),
                origin=reader.path,
            )
            if self.claim(reader, "interview kind", key, reader.line_of(kind, "key")):
                self.bundle.interview_kinds.append(spec)

    def read_keys(self, reader: _FileReader, mapping: LinedDict, key: str, what: str) -> LinedList:
        """A non-empty list of distinct keys or codes."""
        items = reader.sequence(mapping, key, what, required=True)
        seen: set[str] = set()
        for value, line in zip(items, items.item_lines, strict=True):
            if not isinstance(value, str) or not value.strip():
                reader.error(line, f"{what}: {key!r} must list keys as text")
            elif value in seen:
                reader.error(line, f"{what}: {value!r} is listed twice in {key!r}")
            else:
                seen.add(value)
        return items

    def finish(self) -> RubricBundle:
        ranks = self.level_ranks()
        competencies = self.competency_keys()
        for reader, root in self.pending_profiles:
            self.read_role_profile(reader, root, ranks, competencies)
        for reader, root in self.pending_questions:
            self.read_question_bank(reader, root, ranks, competencies)
        for reader, root in self.pending_kinds:
            self.read_interview_kinds(reader, root, ranks, competencies)
        if self.errors:
            raise RubricImportError(sorted(set(self.errors), key=lambda e: (e.path, e.line)))
        return self.bundle


def rubric_files_expand(paths: Iterable[Path]) -> list[Path]:
    """Folders become their YAML files (recursively, sorted); files are kept as given."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                sorted(p for p in path.rglob("*") if p.suffix in YAML_SUFFIXES and p.is_file())
            )
        else:
            files.append(path)
    return files


def rubric_files_read(paths: Iterable[Path], *, known: KnownRubric) -> RubricBundle:
    """Parse and validate every file; raise RubricImportError listing all problems, or return the
    bundle ready to write."""
    builder = _BundleBuilder(known)
    files = rubric_files_expand(paths)
    if not files:
        raise RubricImportError([FileError(".", 0, "no role-profile files (*.yaml, *.yml) found")])
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            builder.errors.append(FileError(str(path), 0, "no such file"))
            continue
        except (UnicodeDecodeError, OSError) as exc:
            builder.errors.append(FileError(str(path), 0, f"cannot read the file: {exc}"))
            continue
        builder.add_file(path, text)
    return builder.finish()
