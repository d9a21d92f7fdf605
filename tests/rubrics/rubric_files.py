"""A small, valid set of rubric files for importer tests, written as text so that tests can break
one line and check the reported line number."""

from pathlib import Path

LADDER = """\
kind: ladder
key: test-ladder
name: Test Ladder
levels:
  - code: J1
    name: Junior
    track: ic
    rank: 1
    years: {min: 0, max: 2}
    loop_minutes: 240
  - code: S1
    name: Senior
    track: ic
    rank: 2
    years: {min: 3}
    loop_minutes: 300
"""

COMPETENCIES = """\
kind: competencies
competencies:
  - key: ml-fluency
    name: ML Fluency
    family: craft
    description: Knows machine learning.
  - key: communication
    name: Communication
    family: culture
    description: Explains clearly.
"""

PROFILE = """\
kind: role_profile
key: test-engineer
name: Test Engineer
ladder: test-ladder
summary: Builds things.
sources:
  - file: seed-a.txt
    title: Seed A
    gives: Everything.
levels:
  J1:
    summary: Learns.
    expectations:
      ml-fluency:
        priority: must
        bar: 3
        anchors:
          1: Cannot explain overfitting.
          2: Explains overfitting with prompting.
          3: Explains overfitting and how to detect it.
          4: Also explains regularisation trade-offs.
      communication:
        priority: should
        bar: 3
        anchors:
          1: Unclear.
          2: Mostly clear.
          3: Clear.
          4: Clear and concise.
  S1:
    expectations:
      ml-fluency:
        priority: must
        bar: 3
        anchors:
          1: Cannot design an evaluation.
          2: Designs an evaluation with gaps.
          3: Designs a sound evaluation.
          4: Designs a sound evaluation and anticipates drift.
"""

QUESTIONS = """\
kind: question_bank
ladder: test-ladder
questions:
  - key: ml-fluency-overfitting
    competency: ml-fluency
    levels: {from: J1, to: S1}
    minutes: 15
    prompt: How do you know a model overfits?
    follow_ups:
      - What would you change first?
    good_answer: Compares training and validation curves.
  - key: communication-explain
    competency: communication
    levels: {from: J1, to: J1}
    minutes: 10
    prompt: Explain a model to a product manager.
    good_answer: No jargon, checks understanding.
"""

KINDS = """\
kind: interview_kinds
ladder: test-ladder
interview_kinds:
  - key: ml-deep-dive
    name: ML deep dive
    minutes: 60
    levels: [J1, S1]
    competencies: [ml-fluency, communication]
"""

FILES = {
    "ladder.yaml": LADDER,
    "competencies.yaml": COMPETENCIES,
    "profile.yaml": PROFILE,
    "questions.yaml": QUESTIONS,
    "kinds.yaml": KINDS,
}


def write_rubric(folder: Path, **replacements: str) -> Path:
    """Write the valid set into folder; a keyword (file stem) replaces that file's text."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in FILES.items():
        (folder / name).write_text(replacements.get(Path(name).stem, text), encoding="utf-8")
    return folder


def line_of(text: str, fragment: str) -> int:
    """1-based number of the first line containing fragment."""
    for number, line in enumerate(text.splitlines(), start=1):
        if fragment in line:
            return number
    raise AssertionError(f"{fragment!r} not in text")
