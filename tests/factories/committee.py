import factory
from django.utils import timezone

from hiring.models import Decision, Packet, PacketStatus, Vote, VoteChoice
from tests.factories.accounts import UserFactory
from tests.factories.hiring import ApplicationFactory


class PacketFactory(factory.django.DjangoModelFactory[Packet]):
    """A computed packet, ready for review, with a plausible result."""

    class Meta:
        model = Packet

    application = factory.SubFactory(ApplicationFactory)
    status = PacketStatus.READY
    stale = False
    p_above_bar = 0.7
    ready_at = factory.LazyFunction(timezone.now)
    computed_at = factory.LazyFunction(timezone.now)
    result = factory.LazyAttribute(
        lambda packet: {
            "method": "rater_effects",
            "score": 3.2,
            "lower": 2.8,
            "upper": 3.6,
            "p_above_bar": packet.p_above_bar,
            "bar": 3.0,
            "n_interviews": 4,
            "competencies": [],
            "interviewer_leniency": {},
            "flags": {},
        }
    )


class VoteFactory(factory.django.DjangoModelFactory[Vote]):
    class Meta:
        model = Vote

    packet = factory.SubFactory(PacketFactory)
    member = factory.SubFactory(UserFactory)
    choice = VoteChoice.HIRE
    level = factory.SelfAttribute("packet.application.requisition.level")
    rationale = "Strong, consistent signal on the must competencies."


class DecisionFactory(factory.django.DjangoModelFactory[Decision]):
    class Meta:
        model = Decision

    packet = factory.SubFactory(PacketFactory)
    version = 1
    outcome = VoteChoice.HIRE
    level = factory.SelfAttribute("packet.application.requisition.level")
    rationale = "Clear hire on the evidence."
    decided_by = factory.SubFactory(UserFactory)
