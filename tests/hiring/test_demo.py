from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_demo_logins_are_created_once_and_printed():
    out = StringIO()
    call_command("load_demo", stdout=out)
    call_command("load_demo", stdout=StringIO())

    users = get_user_model().objects
    assert users.count() == 4
    admin = users.get(username="admin")
    assert admin.is_superuser
    assert admin.check_password("debrief-admin")
    assert set(users.get(username="casey.committee").groups.values_list("name", flat=True)) == {
        "committee member"
    }
    printed = out.getvalue()
    for role in ("admin", "recruiter", "interviewer", "committee member"):
        assert role in printed


def test_printed_admin_login_opens_the_admin(client):
    call_command("load_demo", stdout=StringIO())

    assert client.login(username="admin", password="debrief-admin")
    assert client.get("/admin/").status_code == 200


def test_a_changed_demo_password_survives_another_run():
    call_command("load_demo", stdout=StringIO())
    user = get_user_model().objects.get(username="riley.recruiter")
    user.set_password("my-own-password-1")
    user.save()

    call_command("load_demo", stdout=StringIO())

    user.refresh_from_db()
    assert user.check_password("my-own-password-1")


def test_demo_application_gives_the_demo_interviewer_feedback_to_write(client):
    from hiring.models import Application
    from rubrics.services import SHIPPED_PROFILES_DIR, role_profiles_import

    role_profiles_import(paths=[SHIPPED_PROFILES_DIR])
    call_command("load_demo", stdout=StringIO())
    call_command("load_demo", stdout=StringIO())

    application = Application.objects.get()
    assert application.loop.interviews.filter(interviewer__user__username="ivan.interviewer")
    client.login(username="ivan.interviewer", password="debrief-demo")
    assert "Write feedback" in client.get("/interviews/").content.decode()
