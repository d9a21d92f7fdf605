import factory
from django.utils import timezone

from hiring.models import (
    Application,
    Candidate,
    CompetencyRating,
    FeedbackReminder,
    LevelAssessment,
    ReminderKind,
    Requisition,
    Scorecard,
    ScorecardStatus,
)
from tests.factories.accounts import UserFactory
from tests.factories.loops import InterviewerFactory, InterviewFactory, LoopFactory
from tests.factories.rubrics import CompetencyFactory, LevelFactory, RoleProfileFactory


class CandidateFactory(factory.django.DjangoModelFactory[Candidate]):
    class Meta:
        model = Candidate

    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"candidate{n}@example.com")


class RequisitionFactory(factory.django.DjangoModelFactory[Requisition]):
    class Meta:
        model = Requisition
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Machine learning engineer {n}")
    role_profile = factory.SubFactory(RoleProfileFactory)
    level = factory.SubFactory(LevelFactory, ladder=factory.SelfAttribute("..role_profile.ladder"))
    hiring_manager = factory.SubFactory(UserFactory)
    recruiter = factory.SubFactory(UserFactory)

    @factory.post_generation
    def committee_members(
        self, create: bool, extracted: list[object] | None, **kwargs: object
    ) -> None:
        if create and extracted:
            self.committee_members.set(extracted)


class ApplicationFactory(factory.django.DjangoModelFactory[Application]):
    """An application with its loop, planned for the requisition's role and level."""

    class Meta:
        model = Application

    candidate = factory.SubFactory(CandidateFactory)
    requisition = factory.SubFactory(RequisitionFactory)
    loop = factory.SubFactory(
        LoopFactory,
        role_profile=factory.SelfAttribute("..requisition.role_profile"),
        level=factory.SelfAttribute("..requisition.level"),
    )


class ScorecardFactory(factory.django.DjangoModelFactory[Scorecard]):
    """A draft by the interview's lead (or a new interviewer); `submitted=True` completes it."""

    class Meta:
        model = Scorecard

    class Params:
        submitted = factory.Trait(
            status=ScorecardStatus.SUBMITTED,
            submitted_at=factory.LazyFunction(timezone.now),
            overall_recommendation=3,
            level_assessment=LevelAssessment.AT,
            summary="Clear reasoning, well above the bar on design.",
        )

    interview = factory.SubFactory(InterviewFactory)
    interviewer = factory.Maybe(
        factory.SelfAttribute("interview.interviewer"),
        yes_declaration=factory.SelfAttribute("interview.interviewer"),
        no_declaration=factory.SubFactory(InterviewerFactory),
    )
    status = ScorecardStatus.DRAFT


class CompetencyRatingFactory(factory.django.DjangoModelFactory[CompetencyRating]):
    class Meta:
        model = CompetencyRating

    scorecard = factory.SubFactory(ScorecardFactory)
    competency = factory.SubFactory(CompetencyFactory)
    rating = 3
    evidence = "Walked through the trade-offs with numbers."


class FeedbackReminderFactory(factory.django.DjangoModelFactory[FeedbackReminder]):
    class Meta:
        model = FeedbackReminder

    interview = factory.SubFactory(InterviewFactory)
    kind = ReminderKind.REMINDER
    window = factory.LazyFunction(lambda: timezone.localdate().isoformat())
    recipient = factory.Sequence(lambda n: f"interviewer{n}@example.com")
