"""Reads for hiring, each limited to what the user may see.

Blind feedback lives here: an interviewer sees no other scorecard of a loop until their own is
submitted, and then only submitted ones. Pages and API both read through these functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from hiring.models import (
    Application,
    Candidate,
    CompetencyRating,
    Requisition,
    Scorecard,
    ScorecardRevision,
    ScorecardStatus,
)
from loops.models import Interview, InterviewFocus, InterviewQuestion

AnyUser = User | AnonymousUser


def _uid(user: AnyUser) -> int:
    """The user's id, or 0 (no row has it) for an anonymous visitor."""
    return user.pk or 0


def sees_all_hiring(user: AnyUser) -> bool:
    """Admins and recruiters work across every requisition."""
    return bool(user.is_superuser or user.has_perm("hiring.change_application"))


def _committee_of(user: AnyUser) -> Exists:
    return Exists(
        Requisition.committee_members.through.objects.filter(
            requisition_id=OuterRef("requisition_id"), user_id=_uid(user)
        )
    )


def candidate_list_for(*, user: AnyUser) -> QuerySet[Candidate]:
    """Recruiters and admins see every candidate; committee members those of their
    requisitions; nobody else any."""
    if sees_all_hiring(user):
        return Candidate.objects.all()
    return Candidate.objects.filter(
        Exists(application_list_for(user=user).filter(candidate_id=OuterRef("pk")))
    )


def requisition_list_for(*, user: AnyUser) -> QuerySet[Requisition]:
    requisitions = Requisition.objects.select_related(
        "role_profile", "level", "hiring_manager", "recruiter"
    ).prefetch_related("committee_members")
    if sees_all_hiring(user):
        return requisitions
    return requisitions.filter(
        Exists(
            Requisition.committee_members.through.objects.filter(
                requisition_id=OuterRef("pk"), user_id=_uid(user)
            )
        )
    )


def application_list_for(*, user: AnyUser) -> QuerySet[Application]:
    applications = Application.objects.select_related(
        "candidate", "requisition__role_profile", "requisition__level", "loop"
    )
    if sees_all_hiring(user):
        return applications
    return applications.filter(_committee_of(user))


def _scorecards_with_details() -> QuerySet[Scorecard]:
    return Scorecard.objects.select_related(
        "interviewer__user",
        "interview__kind",
        "interview__loop__level",
        "interview__loop__role_profile",
        "interview__loop__application__candidate",
    ).prefetch_related(
        Prefetch("ratings", queryset=CompetencyRating.objects.select_related("competency"))
    )


def scorecard_list_for(*, user: AnyUser) -> QuerySet[Scorecard]:
    """Every scorecard this user may read: their own (draft or not), and submitted ones where the
    blind rule allows."""
    scorecards = _scorecards_with_details()
    if not user.is_authenticated:
        return scorecards.none()
    if user.is_superuser:
        return scorecards
    own = Q(interviewer__user_id=_uid(user))
    submitted = Q(status=ScorecardStatus.SUBMITTED)
    if sees_all_hiring(user):
        return scorecards.filter(own | submitted)
    my_submitted_loops = Scorecard.objects.filter(
        interviewer__user_id=_uid(user), status=ScorecardStatus.SUBMITTED
    ).values("interview__loop_id")
    peers = submitted & Q(interview__loop_id__in=Subquery(my_submitted_loops))
    committee = submitted & Exists(
        Requisition.committee_members.through.objects.filter(
            requisition_id=OuterRef("interview__loop__application__requisition_id"),
            user_id=_uid(user),
        )
    )
    return scorecards.filter(own | peers | committee)


def scorecard_get_for(*, user: AnyUser, scorecard_id: int) -> Scorecard:
    """Raises Scorecard.DoesNotExist for one the user may not see (so it reads as a 404)."""
    return scorecard_list_for(user=user).get(pk=scorecard_id)


def scorecard_to_change(*, user: AnyUser, scorecard_id: int) -> Scorecard:
    """The scorecard a write names, bare, if the user may see it (Scorecard.DoesNotExist, a 404,
    otherwise); whether they may change it is the service's rule. Authors always see their own,
    so their writes, nearly all of them, skip the visibility query."""
    scorecard = Scorecard.objects.select_related("interviewer").filter(pk=scorecard_id).first()
    if scorecard is None:
        raise Scorecard.DoesNotExist("No such scorecard.")
    if scorecard.interviewer.user_id == _uid(user):
        return scorecard
    if not scorecard_list_for(user=user).filter(pk=scorecard_id).exists():
        raise Scorecard.DoesNotExist("No such scorecard.")
    return scorecard


def scorecard_as_written(*, scorecard_id: int) -> Scorecard:
    """What the API answers a write with: the scorecard's fields and ratings, read back after
    the commit, for the author who just passed the service's checks."""
    return (
        Scorecard.objects.select_related("interviewer__user", "interview__kind")
        .prefetch_related(
            Prefetch("ratings", queryset=CompetencyRating.objects.select_related("competency"))
        )
        .get(pk=scorecard_id)
    )


def scorecard_history(*, scorecard: Scorecard) -> QuerySet[ScorecardRevision]:
    return scorecard.revisions.select_related("changed_by").order_by("version")


def loop_scorecards_visible_to(*, user: AnyUser, interview: Interview) -> list[Scorecard]:
    """Others' submitted feedback on the same loop, if this user may see it yet."""
    return list(
        scorecard_list_for(user=user)
        .filter(interview__loop_id=interview.loop_id, status=ScorecardStatus.SUBMITTED)
        .exclude(interviewer__user_id=_uid(user))
        .order_by("interview__position")
    )


@dataclass(frozen=True)
class MyInterview:
    interview: Interview
    scorecard: Scorecard | None

    @property
    def bucket(self) -> str:
        if self.scorecard is not None and self.scorecard.status == ScorecardStatus.SUBMITTED:
            return "submitted"
        starts_at = self.interview.starts_at
        if starts_at is None or starts_at > timezone.now():
            return "upcoming"
        return "awaiting feedback"


def my_interviews(*, user: AnyUser, now: datetime | None = None) -> list[MyInterview]:
    """The user's interviews (leading or shadowing) with their own scorecard, in time order."""
    interviews = (
        Interview.objects.filter(Q(interviewer__user_id=_uid(user)) | Q(shadow__user_id=_uid(user)))
        .exclude(status="cancelled")
        .select_related(
            "kind",
            "loop__role_profile",
            "loop__level",
            "loop__application__candidate",
            "loop__application__requisition",
            "interviewer__user",
            "shadow__user",
        )
        .prefetch_related(
            Prefetch(
                "scorecards",
                queryset=Scorecard.objects.filter(interviewer__user_id=_uid(user)),
                to_attr="my_scorecards",
            )
        )
        .order_by("starts_at", "pk")
    )
    return [
        MyInterview(interview=i, scorecard=next(iter(i.my_scorecards), None)) for i in interviews
    ]


def interview_for_kit(*, user: AnyUser, interview_id: int) -> Interview:
    """An interview its interviewers, recruiters and admins may prepare from; raises
    Interview.DoesNotExist otherwise."""
    interviews = Interview.objects.select_related(
        "kind",
        "loop__role_profile",
        "loop__level",
        "loop__application__candidate",
        "loop__application__requisition",
        "interviewer__user",
        "shadow__user",
    ).prefetch_related(
        Prefetch("focus_rows", queryset=InterviewFocus.objects.select_related("competency")),
        Prefetch(
            "question_rows",
            queryset=InterviewQuestion.objects.select_related("question__competency"),
        ),
    )
    if not sees_all_hiring(user):
        interviews = interviews.filter(
            Q(interviewer__user_id=_uid(user)) | Q(shadow__user_id=_uid(user))
        )
    return interviews.get(pk=interview_id)
