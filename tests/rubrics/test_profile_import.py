import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError

from rubrics import services
from rubrics.models import (
    Competency,
    Expectation,
    InterviewKind,
    Ladder,
    Level,
    Question,
    RoleProfile,
)
from rubrics.profile_files import RubricImportError
from rubrics.services import role_profiles_export, role_profiles_import
from tests.rubrics.rubric_files import (
    COMPETENCIES,
    KINDS,
    LADDER,
    PROFILE,
    QUESTIONS,
    line_of,
    write_rubric,
)

pytestmark = pytest.mark.django_db

MODELS = (Ladder, Level, Competency, RoleProfile, Expectation, Question, InterviewKind)


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def import_errors(folder: Path) -> list[str]:
    with pytest.raises(RubricImportError) as caught:
        role_profiles_import(paths=[folder])
    return [str(error) for error in caught.value.errors]


def test_good_files_import_everything(tmp_path):
    report = role_profiles_import(paths=[write_rubric(tmp_path)])

    assert report.changed
    assert {str(o) for o in report.outcomes} >= {
        "ladder test-ladder: created",
        "competency ml-fluency: created",
        "role profile test-engineer: created",
        "question ml-fluency-overfitting: created",
        "interview kind ml-deep-dive: created",
    }
    profile = RoleProfile.objects.get(key="test-engineer")
    assert (profile.version, profile.is_current) == (1, True)
    assert profile.source_files == ["seed-a.txt"]
    assert profile.level_summaries == {"J1": "Learns.", "S1": ""}
    expectation = Expectation.objects.get(role_profile=profile, level__code="S1")
    assert [text for _, _, text in expectation.anchors()] == [
        "Cannot design an evaluation.",
        "Designs an evaluation with gaps.",
        "Designs a sound evaluation.",
        "Designs a sound evaluation and anticipates drift.",
    ]
    kind = InterviewKind.objects.get(key="ml-deep-dive")
    assert sorted(kind.levels.values_list("code", flat=True)) == ["J1", "S1"]
    assessed = sorted(kind.competencies.values_list("key", flat=True))
    assert assessed == ["communication", "ml-fluency"]
    question = Question.objects.get(key="ml-fluency-overfitting")
    assert (question.min_level.code, question.max_level.code) == ("J1", "S1")
    assert question.follow_ups == ["What would you change first?"]


def test_the_same_files_twice_report_unchanged_and_write_nothing(tmp_path):
    folder = write_rubric(tmp_path)
    role_profiles_import(paths=[folder])
    before = row_counts()

    report = role_profiles_import(paths=[folder])

    assert not report.changed
    assert {o.outcome for o in report.outcomes} == {"unchanged"}
    assert row_counts() == before


def test_changed_profile_becomes_a_new_version_and_keeps_the_old(tmp_path):
    role_profiles_import(paths=[write_rubric(tmp_path / "v1")])
    changed = PROFILE.replace("Designs a sound evaluation.", "Designs a sound offline evaluation.")

    report = role_profiles_import(paths=[write_rubric(tmp_path / "v2", profile=changed)])

    assert "role profile test-engineer: new version 2" in {str(o) for o in report.outcomes}
    old, new = RoleProfile.objects.filter(key="test-engineer").order_by("version")
    assert (old.version, old.is_current, new.version, new.is_current) == (1, False, 2, True)
    assert old.expectations.filter(anchor_yes="Designs a sound evaluation.").exists()
    assert new.expectations.filter(anchor_yes="Designs a sound offline evaluation.").exists()
    assert old.expectations.count() == new.expectations.count() == 3


def test_reordering_a_profile_file_is_not_a_change(tmp_path):
    role_profiles_import(paths=[write_rubric(tmp_path / "a")])
    j1, s1 = PROFILE.split("  S1:\n")
    head, j1_levels = j1.split("levels:\n")
    reordered = f"{head}levels:\n  S1:\n{s1}{j1_levels}"

    report = role_profiles_import(paths=[write_rubric(tmp_path / "b", profile=reordered)])

    assert not report.changed


def test_questions_and_competencies_update_in_place(tmp_path):
    role_profiles_import(paths=[write_rubric(tmp_path / "a")])
    retired = QUESTIONS.replace(
        "    good_answer: No jargon", "    status: retired\n    good_answer: No jargon"
    )

    report = role_profiles_import(paths=[write_rubric(tmp_path / "b", questions=retired)])

    assert "question communication-explain: updated" in {str(o) for o in report.outcomes}
    assert Question.objects.get(key="communication-explain").status == "retired"
    assert Question.objects.count() == 2


def test_an_interview_kind_gains_a_level_in_place(tmp_path):
    role_profiles_import(paths=[write_rubric(tmp_path / "a")])
    narrower = KINDS.replace("levels: [J1, S1]", "levels: [S1]")

    report = role_profiles_import(paths=[write_rubric(tmp_path / "b", kinds=narrower)])

    assert "interview kind ml-deep-dive: updated" in {str(o) for o in report.outcomes}
    kind = InterviewKind.objects.get()
    assert list(kind.levels.values_list("code", flat=True)) == ["S1"]


def test_dry_run_reports_but_writes_nothing(tmp_path):
    report = role_profiles_import(paths=[write_rubric(tmp_path)], dry_run=True)

    assert report.changed
    assert report.summary().startswith("Dry run, nothing written")
    assert all(count == 0 for count in row_counts().values())


def test_files_may_refer_to_what_the_database_already_holds(tmp_path):
    role_profiles_import(paths=[write_rubric(tmp_path / "base")])
    only_profile = tmp_path / "next" / "profile.yaml"
    only_profile.parent.mkdir()
    only_profile.write_text(PROFILE.replace("key: test-engineer", "key: other-engineer"))

    report = role_profiles_import(paths=[only_profile])

    assert [str(o) for o in report.outcomes] == ["role profile other-engineer: created"]


BAD_FILES = [
    pytest.param(
        "profile",
        PROFILE.replace("      communication:", "      comms:"),
        "      comms:",
        "unknown competency 'comms'",
        id="unknown-competency",
    ),
    pytest.param(
        "profile",
        PROFILE.replace("  S1:", "  X9:"),
        "  X9:",
        "unknown level 'X9' in ladder 'test-ladder'",
        id="unknown-level",
    ),
    pytest.param(
        "profile",
        PROFILE.replace("          2: Mostly clear.\n", ""),
        "          1: Unclear.",
        "rating point 2 has no anchor text",
        id="missing-anchor",
    ),
    pytest.param(
        "profile",
        PROFILE.replace("          3: Clear.", "          3: ''"),
        "          3: ''",
        "rating point 3 has no anchor text",
        id="empty-anchor",
    ),
    pytest.param(
        "profile",
        PROFILE.replace("          4: Clear and concise.", "          5: Beyond."),
        "          5: Beyond.",
        "anchor 5 is not a rating point",
        id="rating-point-out-of-scale",
    ),
    pytest.param(
        "profile",
        PROFILE.replace("priority: should", "priority: maybe"),
        "priority: maybe",
        "'priority' must be one of must, should, nice",
        id="bad-priority",
    ),
    pytest.param(
        "profile",
        PROFILE.replace(
            "        priority: should\n        bar: 3", "        priority: should\n        bar: 5"
        ),
        "        bar: 5",
        "'bar' must be a whole number from 1 to 4",
        id="bar-out-of-range",
    ),
    pytest.param(
        "profile",
        PROFILE.replace("name: Test Engineer\n", ""),
        "kind: role_profile",
        "missing the required field 'name'",
        id="missing-required-field",
    ),
    pytest.param(
        "profile",
        PROFILE.replace("        priority: should", "        priority: should\n        anchor: 3"),
        "        anchor: 3",
        "unknown field 'anchor'",
        id="unknown-field",
    ),
    pytest.param(
        "profile",
        PROFILE.replace("summary: Builds things.", "summary: [unclosed"),
        "summary: [unclosed",
        "YAML syntax error",
        id="yaml-syntax",
    ),
    pytest.param(
        "profile",
        PROFILE.replace("      communication:\n", "      ml-fluency:\n", 1),
        "      ml-fluency:",
        "duplicate key 'ml-fluency'",
        id="duplicate-competency-in-level",
    ),
    pytest.param(
        "questions",
        QUESTIONS.replace("key: communication-explain", "key: ml-fluency-overfitting"),
        "key: ml-fluency-overfitting",
        "duplicate question key 'ml-fluency-overfitting'",
        id="duplicate-question-key",
    ),
    pytest.param(
        "questions",
        QUESTIONS.replace("{from: J1, to: S1}", "{from: S1, to: J1}"),
        "{from: S1, to: J1}",
        "level S1 is above level J1",
        id="inverted-level-range",
    ),
    pytest.param(
        "ladder",
        LADDER.replace("code: S1", "code: J1"),
        "  - code: J1",
        "duplicate level code 'J1'",
        id="duplicate-level-code",
    ),
    pytest.param(
        "competencies",
        COMPETENCIES.replace("family: culture", "family: vibes"),
        "family: vibes",
        "'family' must be one of",
        id="bad-family",
    ),
]


@pytest.mark.parametrize(("stem", "text", "fragment", "message"), BAD_FILES)
def test_a_bad_file_is_rejected_with_file_line_and_nothing_is_written(
    tmp_path, stem, text, fragment, message
):
    folder = write_rubric(tmp_path, **{stem: text})

    errors = import_errors(folder)

    expected_prefix = f"{folder / f'{stem}.yaml'}:"
    matching = [e for e in errors if message in e]
    assert matching, errors
    # The duplicate-level case names the second occurrence; others name the first matching line.
    lines = [n for n, line in enumerate(text.splitlines(), 1) if fragment in line]
    assert any(
        e.startswith(expected_prefix)
        and (int(e.split(":")[1]) in lines or any(f"line {n})" in e for n in lines))
        for e in matching
    ), matching
    assert all(count == 0 for count in row_counts().values())


def test_a_bad_file_leaves_an_existing_rubric_exactly_as_it_was(tmp_path):
    role_profiles_import(paths=[write_rubric(tmp_path / "good")])
    before = row_counts()
    changed_but_broken = PROFILE.replace("Clear and concise.", "Crisp.").replace(
        "      communication:", "      comms:"
    )

    import_errors(write_rubric(tmp_path / "bad", profile=changed_but_broken))

    assert row_counts() == before
    assert RoleProfile.objects.get().version == 1


def test_a_failure_while_writing_rolls_everything_back(tmp_path, monkeypatch):
    def failing_question_upsert(spec):
        raise IntegrityError("simulated failure half way through the write")

    monkeypatch.setattr(services, "_question_upsert", failing_question_upsert)

    with pytest.raises(IntegrityError):
        role_profiles_import(paths=[write_rubric(tmp_path)])

    assert all(count == 0 for count in row_counts().values())


def test_every_error_is_reported_at_once(tmp_path):
    broken = PROFILE.replace("priority: should", "priority: maybe").replace(
        "      communication:", "      comms:"
    )

    errors = import_errors(write_rubric(tmp_path, profile=broken))

    assert len(errors) >= 2


def test_export_then_import_is_unchanged(tmp_path):
    role_profiles_import(paths=[write_rubric(tmp_path / "source")])

    written = role_profiles_export(output_dir=tmp_path / "export")
    report = role_profiles_import(paths=[tmp_path / "export"])

    assert len(written) == 5
    assert not report.changed, [str(o) for o in report.outcomes if o.outcome != "unchanged"]


def test_command_reports_unchanged_on_the_second_run(tmp_path):
    folder = write_rubric(tmp_path)
    call_command("import_role_profiles", str(folder), stdout=StringIO())
    out = StringIO()

    call_command("import_role_profiles", str(folder), stdout=out)

    assert "0 created, 0 new version, 0 updated, 7 unchanged" in out.getvalue()


def test_command_fails_naming_file_and_line(tmp_path):
    broken = PROFILE.replace("priority: should", "priority: maybe")
    folder = write_rubric(tmp_path, profile=broken)
    err = StringIO()

    with pytest.raises(CommandError, match="1 error; nothing was imported"):
        call_command("import_role_profiles", str(folder), stderr=err)

    assert f"{folder / 'profile.yaml'}:{line_of(broken, 'priority: maybe')}:" in err.getvalue()


def test_command_exits_non_zero_from_the_shell(tmp_path):
    folder = write_rubric(tmp_path, profile=PROFILE.replace("bar: 3", "bar: high", 1))
    repo = Path(__file__).resolve().parents[2]

    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'shell.sqlite3'}"}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=repo, env=env, check=True
    )

    result = subprocess.run(
        [sys.executable, "manage.py", "import_role_profiles", str(folder)],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 1
    assert "1 error; nothing was imported" in result.stderr
    assert (
        f"profile.yaml:{line_of(PROFILE, 'bar: 3')}: expectation ml-fluency at J1" in result.stderr
    )


def test_export_command_writes_importable_files(tmp_path):
    role_profiles_import(paths=[write_rubric(tmp_path / "source")])
    out = StringIO()

    call_command("export_role_profiles", "--output", str(tmp_path / "out"), stdout=out)

    assert (tmp_path / "out" / "role-test-engineer.yaml").exists()
    assert "wrote" in out.getvalue()
