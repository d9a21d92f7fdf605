"""One factory per model. Import them from here."""

from tests.factories.accounts import UserFactory
from tests.factories.rubrics import (
    CompetencyFactory,
    ExpectationFactory,
    LadderFactory,
    LevelFactory,
    QuestionFactory,
    RoleProfileFactory,
)

__all__ = [
    "CompetencyFactory",
    "ExpectationFactory",
    "LadderFactory",
    "LevelFactory",
    "QuestionFactory",
    "RoleProfileFactory",
    "UserFactory",
]
