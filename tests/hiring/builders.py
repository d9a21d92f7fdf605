"""Build a realistic application: a requisition on the small rubric, a pool of interviewers, the
planned and assigned loop, scheduled yesterday so feedback is due."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.contrib.auth.models import Group
from django.utils import timezone

from hiring.models import Application
from hiring.services import (
    RatingInput,
    ScorecardInput,
    application_create,
    candidate_create,
    requisition_create,
    scorecard_start,
    scorecard_submit,
)
from loops.models import Interview
from loops.services import loop_schedule_day
from rubrics.models import InterviewKind
from tests.conftest import roles_present
from tests.factories import InterviewerFactory, UserFactory


@dataclass
class OpenApplication:
    application: Application
    interviews: list[Interview]
    pool: list[Any]

    def interviewer_user(self, position: int) -> Any:
        interviewer = self.interviews[position - 1].interviewer
        assert interviewer is not None
        return interviewer.user


def open_application(
    small_rubric, *, pool_size=5, email="ada@example.com", start=None, committee=()
) -> OpenApplication:
    roles_present()
    kinds = list(InterviewKind.objects.all())
    interviewer_group = Group.objects.get(name="interviewer")
    pool = []
    for n in range(pool_size):
        user = UserFactory(username=f"pool-{email.split('@')[0]}-{n}")
        user.groups.add(interviewer_group)
        pool.append(InterviewerFactory(user=user, kinds=kinds, max_level=small_rubric.ic3))
    requisition = requisition_create(
        title="Senior MLE, Search",
        role_profile=small_rubric.profile,
        level=small_rubric.ic3,
        hiring_manager=UserFactory(username=f"manager-{email}"),
        recruiter=UserFactory(username=f"recruiter-{email}", email="recruiter@example.com"),
        committee_members=committee,
    )
    candidate = candidate_create(name="Ada Lovelace", email=email)
    created = application_create(candidate=candidate, requisition=requisition)
    loop = created.application.loop
    assert loop is not None
    loop_schedule_day(loop=loop, starts_at=start or timezone.now() - timedelta(days=1))
    interviews = list(loop.interviews.select_related("interviewer__user").order_by("position"))
    return OpenApplication(application=created.application, interviews=interviews, pool=pool)


EVERYTHING = frozenset({"overall_recommendation", "level_assessment", "summary"})


def submit(setup, position, rating=3, no_signal=(), assessment="at", evidence="Seen."):
    """Submit interview `position`'s feedback as its interviewer, one rating for every focus."""
    interview = setup.interviews[position - 1]
    user = setup.interviewer_user(position)
    card = scorecard_start(interview=interview, user=user)
    ratings = tuple(
        RatingInput(competency=row.competency.key, no_signal=True, no_signal_reason="not asked")
        if row.competency.key in no_signal
        else RatingInput(competency=row.competency.key, rating=rating, evidence=evidence)
        for row in interview.focus_rows.select_related("competency")
    )
    return scorecard_submit(
        scorecard=card,
        user=user,
        version=card.version,
        data=ScorecardInput(
            ratings=ratings,
            overall_recommendation=rating,
            level_assessment=assessment,
            summary="s",
            fields_given=EVERYTHING,
        ),
    )
