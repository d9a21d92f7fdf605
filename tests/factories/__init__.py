"""One factory per model. Import them from here."""

from tests.factories.accounts import UserFactory
from tests.factories.committee import DecisionFactory, PacketFactory, VoteFactory
from tests.factories.hiring import (
    ApplicationFactory,
    CandidateFactory,
    CompetencyRatingFactory,
    FeedbackReminderFactory,
    RequisitionFactory,
    ScorecardFactory,
)
from tests.factories.loops import (
    InterviewerConflictFactory,
    InterviewerFactory,
    InterviewFactory,
    InterviewFocusFactory,
    InterviewQuestionFactory,
    LoopFactory,
)
from tests.factories.rubrics import (
    CompetencyFactory,
    ExpectationFactory,
    InterviewKindFactory,
    LadderFactory,
    LevelFactory,
    QuestionFactory,
    RoleProfileFactory,
)

__all__ = [
    "ApplicationFactory",
    "CandidateFactory",
    "CompetencyFactory",
    "CompetencyRatingFactory",
    "DecisionFactory",
    "ExpectationFactory",
    "FeedbackReminderFactory",
    "InterviewFactory",
    "InterviewFocusFactory",
    "InterviewKindFactory",
    "InterviewQuestionFactory",
    "InterviewerConflictFactory",
    "InterviewerFactory",
    "LadderFactory",
    "LevelFactory",
    "LoopFactory",
    "PacketFactory",
    "QuestionFactory",
    "RequisitionFactory",
    "RoleProfileFactory",
    "ScorecardFactory",
    "UserFactory",
    "VoteFactory",
]
