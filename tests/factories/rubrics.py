import factory

from rubrics.models import (
    Competency,
    CompetencyFamily,
    Expectation,
    InterviewKind,
    Ladder,
    Level,
    Priority,
    Question,
    RoleProfile,
    Track,
)


class LadderFactory(factory.django.DjangoModelFactory[Ladder]):
    class Meta:
        model = Ladder
        django_get_or_create = ["key"]

    key = factory.Sequence(lambda n: f"ladder-{n}")
    name = factory.Sequence(lambda n: f"Ladder {n}")


class LevelFactory(factory.django.DjangoModelFactory[Level]):
    class Meta:
        model = Level

    ladder = factory.SubFactory(LadderFactory)
    rank = factory.Sequence(lambda n: n % 5 + 1)
    code = factory.Sequence(lambda n: f"L{n}")
    name = factory.LazyAttribute(lambda level: f"Level {level.code}")
    track = Track.IC
    years_min = 0
    loop_minutes = 300


class CompetencyFactory(factory.django.DjangoModelFactory[Competency]):
    class Meta:
        model = Competency
        django_get_or_create = ["key"]

    key = factory.Sequence(lambda n: f"competency-{n}")
    name = factory.Sequence(lambda n: f"Competency {n}")
    family = CompetencyFamily.CRAFT
    description = "What this competency covers."


class RoleProfileFactory(factory.django.DjangoModelFactory[RoleProfile]):
    class Meta:
        model = RoleProfile

    key = factory.Sequence(lambda n: f"role-{n}")
    version = 1
    is_current = True
    name = factory.Sequence(lambda n: f"Role {n}")
    ladder = factory.SubFactory(LadderFactory)
    summary = "A role."
    sources = factory.LazyFunction(
        lambda: [{"file": "seed.txt", "title": "A seed", "gives": "Everything."}]
    )
    content_hash = factory.Sequence(lambda n: f"{n:064d}")


class ExpectationFactory(factory.django.DjangoModelFactory[Expectation]):
    class Meta:
        model = Expectation

    role_profile = factory.SubFactory(RoleProfileFactory)
    level = factory.SubFactory(LevelFactory, ladder=factory.SelfAttribute("..role_profile.ladder"))
    competency = factory.SubFactory(CompetencyFactory)
    priority = Priority.MUST
    bar = 3
    anchor_strong_no = "Cannot do it."
    anchor_no = "Does it with a lot of help."
    anchor_yes = "Does it well for this level."
    anchor_strong_yes = "Does it beyond this level."


class QuestionFactory(factory.django.DjangoModelFactory[Question]):
    class Meta:
        model = Question

    key = factory.Sequence(lambda n: f"question-{n}")
    competency = factory.SubFactory(CompetencyFactory)
    min_level = factory.SubFactory(LevelFactory)
    max_level = factory.SelfAttribute("min_level")
    prompt = factory.Sequence(lambda n: f"Question {n}?")
    follow_ups = factory.LazyFunction(lambda: ["Why?"])
    good_answer = "A clear, reasoned answer."
    minutes = 15


class InterviewKindFactory(factory.django.DjangoModelFactory[InterviewKind]):
    class Meta:
        model = InterviewKind
        skip_postgeneration_save = True

    key = factory.Sequence(lambda n: f"kind-{n}")
    ladder = factory.SubFactory(LadderFactory)
    name = factory.Sequence(lambda n: f"Interview kind {n}")
    minutes = 60

    @factory.post_generation
    def levels(self, create: bool, extracted: list[object] | None, **kwargs: object) -> None:
        if create and extracted:
            self.levels.set(extracted)

    @factory.post_generation
    def competencies(self, create: bool, extracted: list[object] | None, **kwargs: object) -> None:
        if create and extracted:
            self.competencies.set(extracted)
