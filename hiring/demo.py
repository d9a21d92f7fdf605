"""Writes for hiring. Candidates, applications and scorecards arrive in later issues; for now, the
demo logins a newcomer needs to look around."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

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
                "is_staff": login.role == ROLE_ADMIN,
                "is_superuser": login.role == ROLE_ADMIN,
            },
        )
        if created:
            user.set_password(login.password)
            user.save(update_fields=["password"])
        if login.role != ROLE_ADMIN:
            group, _ = Group.objects.get_or_create(name=login.role)
            user.groups.add(group)
    return list(DEMO_LOGINS)
