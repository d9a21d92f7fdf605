"""Demo content for `make run`: the logins a newcomer needs to look around (created once)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from hiring.models import Application, Candidate, Requisition
from loops.models import Interviewer
from loops.services import loop_schedule_day
from rubrics.models import InterviewKind, Level, RoleProfile

ROLE_ADMIN = "admin"
ROLE_RECRUITER = "recruiter"
ROLE_INTERVIEWER = "interviewer"
ROLE_COMMITTEE = "committee member"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str


DEMO_LOGINS = (
    DemoLogin("admin", "debrief-admin", ROLE_ADMIN),
    DemoLogin("riley.recruiter", "debrief-demo", ROLE_RECRUITER),
    DemoLogin("ivan.interviewer", "debrief-demo", ROLE_INTERVIEWER),
    DemoLogin("casey.committee", "debrief-demo", ROLE_COMMITTEE),
)


@transaction.atomic
def demo_logins_ensure() -> list[DemoLogin]:
    """Create the demo users once; running it again changes nothing (not even a changed
    password), so a newcomer's edits survive `make run`."""
    user_model = get_user_model()
    for login in DEMO_LOGINS:
        first, _, last = login.username.partition(".")
        user, created = user_model.objects.get_or_create(
            username=login.username,
            defaults={
                "first_name": first.title(),
                "last_name": last.title(),
                "email": f"{login.username}@example.com",
                "is_staff": login.role in (ROLE_ADMIN, ROLE_RECRUITER),
                "is_superuser": login.role == ROLE_ADMIN,
            },
        )
        if created:
            user.set_password(login.password)
            user.save(update_fields=["password"])
        if login.role != ROLE_ADMIN:
            group, _ = Group.objects.get_or_create(name=login.role)
            user.groups.add(group)
        if login.role == ROLE_INTERVIEWER:
            _demo_interviewer_ensure(user)
    return list(DEMO_LOGINS)


def _demo_interviewer_ensure(user: AbstractBaseUser) -> None:
    """The demo interviewer may run every kind of interview at every level, so a newcomer can
    assign a loop straight away."""
    top = Level.objects.order_by("-rank").first()
    if top is None or Interviewer.objects.filter(user_id=user.pk).exists():
        return
    interviewer = Interviewer.objects.create(user_id=user.pk, max_level=top, weekly_cap=10)
    interviewer.kinds.set(InterviewKind.objects.filter(ladder_id=top.ladder_id))


DEMO_REQUISITION = "Machine Learning Engineer, Search (demo)"


@transaction.atomic
def demo_application_ensure() -> Application | None:
    """One application whose loop ran yesterday, so the demo interviewer has feedback to write.
    Created once; nothing happens when the rubric is not imported yet."""
    from hiring.services import application_create, candidate_create, requisition_create

    if Requisition.objects.filter(title=DEMO_REQUISITION).exists():
        return None
    profile = RoleProfile.objects.filter(key="machine-learning-engineer", is_current=True).first()
    level = Level.objects.filter(code="IC3").first()
    users = get_user_model().objects
    recruiter = users.filter(username="riley.recruiter").first()
    committee = users.filter(username="casey.committee").first()
    if profile is None or level is None or recruiter is None or committee is None:
        return None
    requisition = requisition_create(
        title=DEMO_REQUISITION,
        role_profile=profile,
        level=level,
        hiring_manager=committee,
        recruiter=recruiter,
        committee_members=[committee],
    )
    candidate = Candidate.objects.filter(email="ada.demo@example.com").first() or candidate_create(
        name="Ada Demo", email="ada.demo@example.com", source="referral"
    )
    application = application_create(candidate=candidate, requisition=requisition).application
    if application.loop is not None:
        yesterday = timezone.localtime() - timedelta(days=1)
        loop_schedule_day(
            loop=application.loop,
            starts_at=yesterday.replace(hour=9, minute=0, second=0, microsecond=0),
        )
    return application
