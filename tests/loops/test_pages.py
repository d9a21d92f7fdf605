import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from loops.models import Loop, LoopStatus
from loops.services import loop_assign_interviewers, loop_generate
from rubrics.models import InterviewKind
from tests.factories import InterviewerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in_as(client, user_in_role):
    def sign_in(role):
        user = user_in_role(role)
        client.force_login(user)
        return user

    return sign_in


def test_designer_previews_the_plan_with_its_coverage_then_creates_it(
    client, signed_in_as, small_rubric
):
    signed_in_as("recruiter")

    preview = client.get(reverse("loops:loop-design"), {"role_profile": "mle", "level": "IC3"})

    content = preview.content.decode()
    assert preview.status_code == 200
    assert "Every guarantee holds" in content
    assert "ML Design" in content
    assert "2 interviews" in content
    assert not Loop.objects.exists()

    created = client.post(
        reverse("loops:loop-design"), {"role_profile": "mle", "level": "IC3", "title": "Ada"}
    )

    loop = Loop.objects.get()
    assert created.status_code == 302
    assert created.url == reverse("loops:loop-detail", args=[loop.pk])
    assert loop.title == "Ada"


def test_designer_shows_a_field_error_for_a_level_the_profile_lacks(
    client, signed_in_as, small_rubric
):
    signed_in_as("recruiter")

    response = client.post(reverse("loops:loop-design"), {"role_profile": "mle", "level": "IC9"})

    assert response.status_code == 200
    assert "MLE has no expectations at IC9." in response.content.decode()
    assert not Loop.objects.exists()


def test_designer_refuses_a_profile_key_holding_a_nul_character(client, signed_in_as, small_rubric):
    signed_in_as("recruiter")

    response = client.post(
        reverse("loops:loop-design"), {"role_profile": "m\x00le", "level": "IC3"}
    )

    assert response.status_code == 200
    assert "Null characters are not allowed." in response.content.decode()
    assert not Loop.objects.exists()


def test_designer_shows_what_cannot_be_guaranteed(client, signed_in_as, small_rubric):
    signed_in_as("recruiter")
    InterviewKind.objects.exclude(key="deep-dive").delete()

    response = client.get(reverse("loops:loop-design"), {"role_profile": "mle", "level": "IC3"})

    content = response.content.decode()
    assert "Guarantees not met" in content
    assert "ml-design" in content


@pytest.mark.parametrize(
    ("role", "design", "view"),
    [
        ("admin", 200, 200),
        ("recruiter", 200, 200),
        ("committee member", 403, 200),
        ("interviewer", 403, 403),
    ],
)
def test_loop_pages_by_role(client, signed_in_as, small_rubric, role, design, view):
    loop = loop_generate(role_profile=small_rubric.profile, level=small_rubric.ic3)
    signed_in_as(role)

    assert client.get(reverse("loops:loop-design")).status_code == design
    assert client.get(reverse("loops:loop-list")).status_code == view
    assert client.get(reverse("loops:loop-detail", args=[loop.pk])).status_code == view


def test_loop_page_schedules_the_day_and_assigns(client, signed_in_as, small_rubric):
    loop = loop_generate(role_profile=small_rubric.profile, level=small_rubric.ic3)
    for n in range(5):
        InterviewerFactory(
            kinds=list(InterviewKind.objects.all()),
            max_level=small_rubric.ic3,
            user__username=f"person{n}",
        )
    signed_in_as("recruiter")
    url = reverse("loops:loop-detail", args=[loop.pk])

    client.post(
        url, {"action": "schedule_day", "starts_at": "2026-11-30T09:00", "break_minutes": "15"}
    )
    client.post(url, {"action": "assign", "candidate_email": ""})

    loop.refresh_from_db()
    assert loop.status == LoopStatus.SCHEDULED
    assert not loop.interviews.filter(interviewer__isnull=True).exists()
    page = client.get(url).content.decode()
    assert "not scheduled" not in page


def test_loop_page_shows_form_errors_next_to_their_fields(client, signed_in_as, small_rubric):
    loop = loop_generate(role_profile=small_rubric.profile, level=small_rubric.ic3)
    signed_in_as("recruiter")

    response = client.post(
        reverse("loops:loop-detail", args=[loop.pk]),
        {"action": "schedule_day", "starts_at": "soon", "break_minutes": "-5"},
    )

    assert response.status_code == 400
    content = response.content.decode()
    assert "Enter a valid date/time." in content
    assert "greater than or equal to 0" in content


def test_interview_kit_shows_anchors_and_questions_to_the_assigned_interviewer(
    client, small_rubric, user_in_role
):
    loop = loop_generate(role_profile=small_rubric.profile, level=small_rubric.ic3)
    person = InterviewerFactory(kinds=list(InterviewKind.objects.all()), max_level=small_rubric.ic3)
    loop_assign_interviewers(loop=loop)
    position = loop.interviews.get(interviewer=person).position
    url = reverse("loops:interview-kit", args=[loop.pk, position])
    client.force_login(person.user)

    response = client.get(url)

    content = response.content.decode()
    assert response.status_code == 200
    assert "What good looks like" in content
    assert "4 Strong yes" in content
    client.force_login(user_in_role("interviewer"))  # not on this loop
    assert client.get(url).status_code == 404


def test_loop_list_query_count_does_not_grow(client, signed_in_as, small_rubric):
    signed_in_as("recruiter")
    for _ in range(5):
        loop_generate(role_profile=small_rubric.profile, level=small_rubric.ic3)
    client.get(reverse("loops:loop-list"))
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("loops:loop-list"))
    for _ in range(45):
        loop_generate(role_profile=small_rubric.profile, level=small_rubric.ic3)
    with CaptureQueriesContext(connection) as large:
        client.get(reverse("loops:loop-list"))

    assert len(large.captured_queries) == len(small.captured_queries)
