"""The role profiles Debrief ships: they import cleanly and cover what the seed documents give.

These tests read rubrics/profiles/ (part of the project), never the seed documents themselves."""

from collections import defaultdict

import pytest

from rubrics.models import Competency, Expectation, Priority, Question, RoleProfile
from rubrics.services import SHIPPED_PROFILES_DIR, role_profiles_import

pytestmark = pytest.mark.django_db

SEED_FILES = {
    "000_1ec83191dc455b09.txt",  # staff MLE career-framework page
    "001_cc5e8ae22c4d21c1.txt",  # MLE job posting
    "002_a29d874657a68cdf.txt",  # essay on MLE career stages
    "003_3cf4dca8fdb1b132.txt",  # ML engineering manager profile
    "004_41618078fc070a62.txt",  # staff MLE overview
}
FRAMEWORK_RESPONSIBILITIES = {
    "Impact",
    "Ownership",
    "Decision Making",
    "Agility",
    "Innovation",
    "Strategy",
    "Personal Growth",
    "Hiring",
    "Talent Development",
    "Collaboration",
    "Organizational Health",
    "Communication",
    "ML Fluency",
    "ML Design",
    "Code Fluency",
    "Software Design",
    "Architecture Design",
    "Technical Strategy",
}


@pytest.fixture
def shipped():
    return role_profiles_import(paths=[SHIPPED_PROFILES_DIR])


def test_shipped_files_import_cleanly_and_a_second_import_changes_nothing(shipped):
    assert shipped.changed

    again = role_profiles_import(paths=[SHIPPED_PROFILES_DIR])

    assert not again.changed


def test_the_three_profiles_and_their_levels(shipped):
    levels = {
        profile.key: sorted(
            set(
                Expectation.objects.filter(role_profile=profile).values_list(
                    "level__code", flat=True
                )
            )
        )
        for profile in RoleProfile.objects.filter(is_current=True)
    }

    assert levels == {
        "machine-learning-engineer": ["IC1", "IC2", "IC3", "IC4"],
        "staff-machine-learning-engineer": ["IC5"],
        "machine-learning-engineering-manager": ["M1"],
    }


def test_every_seed_is_a_source_of_some_profile(shipped):
    cited = {file for p in RoleProfile.objects.all() for file in p.source_files}

    assert cited == SEED_FILES
    mle = RoleProfile.objects.get(key="machine-learning-engineer")
    assert set(mle.source_files) == {"001_cc5e8ae22c4d21c1.txt", "002_a29d874657a68cdf.txt"}
    assert mle.compensation, "the posting's pay zones are carried"


def test_every_framework_responsibility_is_a_competency_plus_what_other_seeds_add(shipped):
    names = set(Competency.objects.values_list("name", flat=True))

    assert names >= FRAMEWORK_RESPONSIBILITIES
    assert {"people-management", "production-ml", "data-infrastructure"} <= set(
        Competency.objects.values_list("key", flat=True)
    )


def test_anchors_are_written_for_their_level(shipped):
    by_competency = defaultdict(list)
    for expectation in Expectation.objects.filter(role_profile__key="machine-learning-engineer"):
        texts = [text for _, _, text in expectation.anchors()]
        assert all(len(text) >= 20 for text in texts), expectation
        assert len(set(texts)) == 4, expectation
        by_competency[expectation.competency_id].append(tuple(texts))
    for anchors in by_competency.values():
        assert len(set(anchors)) == len(anchors), "each level has its own anchor text"


def test_every_must_or_should_expectation_has_three_questions_for_its_level(shipped):
    questions = list(
        Question.objects.filter(status="active").select_related("min_level", "max_level")
    )
    expectations = Expectation.objects.filter(
        role_profile__is_current=True, priority__in=[Priority.MUST, Priority.SHOULD]
    ).select_related("level", "competency")
    short = []
    for expectation in expectations:
        suitable = [
            q
            for q in questions
            if q.competency_id == expectation.competency_id
            and q.min_level.rank <= expectation.level.rank <= q.max_level.rank
        ]
        if len(suitable) < 3:
            short.append(f"{expectation.competency.key}@{expectation.level.code}: {len(suitable)}")
    assert not short, short


def test_questions_are_spread_across_level_ranges(shipped):
    ranges = defaultdict(set)
    for question in Question.objects.select_related("min_level", "max_level"):
        ranges[question.competency.key].add((question.min_level.code, question.max_level.code))

    needed = set(
        Expectation.objects.filter(priority__in=[Priority.MUST, Priority.SHOULD]).values_list(
            "competency__key", flat=True
        )
    )
    assert {key for key in needed if len(ranges[key]) < 2} == set()


def test_shipped_text_is_clean(shipped):
    for path in SHIPPED_PROFILES_DIR.glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        for mojibake in ("â€", "Ã", "ðŸ", "\ufffd"):
            assert mojibake not in text, f"{path.name} carries broken UTF-8"
        assert "dropbox" not in text.lower(), f"{path.name} names the source company"
