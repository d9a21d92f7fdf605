import factory

from loops.models import (
    Interview,
    Interviewer,
    InterviewerConflict,
    InterviewFocus,
    InterviewQuestion,
    Loop,
    TrainingState,
)
from tests.factories.accounts import UserFactory
from tests.factories.rubrics import (
    CompetencyFactory,
    InterviewKindFactory,
    LevelFactory,
    QuestionFactory,
    RoleProfileFactory,
)


class InterviewerFactory(factory.django.DjangoModelFactory[Interviewer]):
    class Meta:
        model = Interviewer
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    max_level = factory.SubFactory(LevelFactory, rank=5)
    training_state = TrainingState.QUALIFIED
    weekly_cap = 4

    @factory.post_generation
    def kinds(self, create: bool, extracted: list[object] | None, **kwargs: object) -> None:
        if create and extracted:
            self.kinds.set(extracted)


class InterviewerConflictFactory(factory.django.DjangoModelFactory[InterviewerConflict]):
    class Meta:
        model = InterviewerConflict

    interviewer = factory.SubFactory(InterviewerFactory)
    email = factory.Sequence(lambda n: f"person{n}@example.com")


class LoopFactory(factory.django.DjangoModelFactory[Loop]):
    class Meta:
        model = Loop

    role_profile = factory.SubFactory(RoleProfileFactory)
    level = factory.SubFactory(LevelFactory, ladder=factory.SelfAttribute("..role_profile.ladder"))
    budget_minutes = 300
    total_minutes = 240


class InterviewFactory(factory.django.DjangoModelFactory[Interview]):
    class Meta:
        model = Interview

    loop = factory.SubFactory(LoopFactory)
    position = factory.Sequence(lambda n: n + 1)
    kind = factory.SubFactory(
        InterviewKindFactory, ladder=factory.SelfAttribute("..loop.level.ladder")
    )
    minutes = 60


class InterviewFocusFactory(factory.django.DjangoModelFactory[InterviewFocus]):
    class Meta:
        model = InterviewFocus

    interview = factory.SubFactory(InterviewFactory)
    competency = factory.SubFactory(CompetencyFactory)
    position = factory.Sequence(lambda n: n + 1)


class InterviewQuestionFactory(factory.django.DjangoModelFactory[InterviewQuestion]):
    class Meta:
        model = InterviewQuestion

    interview = factory.SubFactory(InterviewFactory)
    question = factory.SubFactory(QuestionFactory)
    position = factory.Sequence(lambda n: n + 1)
