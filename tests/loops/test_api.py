import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from loops.models import Loop
from loops.services import loop_generate

pytestmark = pytest.mark.django_db

ROLES = ["admin", "recruiter", "interviewer", "committee member"]


@pytest.fixture
def client_as(user_in_role):
    def make(role):
        client = APIClient()
        if role != "anonymous":
            client.force_authenticate(user_in_role(role))
        return client

    return make


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("admin", 200),
        ("recruiter", 200),
        ("interviewer", 403),
        ("committee member", 403),
        ("anonymous", 403),
    ],
)
def test_plan_preview_is_for_recruiters_and_admins(small_rubric, client_as, role, expected):
    response = client_as(role).post("/api/loops/plan/", {"role_profile": "mle", "level": "IC3"})

    assert response.status_code == expected
    if expected == 200:
        body = response.json()
        assert body["problems"] == []
        assert body["total_minutes"] <= body["budget_minutes"] == 300
        assert {"kind", "competencies", "minutes", "questions"} <= set(body["interviews"][0])
        assert not Loop.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"role_profile": "nope", "level": "IC3"}, "role_profile"),
        ({"role_profile": "mle", "level": "IC9"}, "level"),
        ({"role_profile": "mle"}, "level"),
    ],
)
def test_plan_input_errors_name_the_field(small_rubric, client_as, payload, field):
    response = client_as("recruiter").post("/api/loops/plan/", payload, format="json")

    assert response.status_code == 400
    assert field in response.json()


def test_recruiter_creates_schedules_and_assigns_a_loop(small_rubric, client_as):
    client = client_as("recruiter")

    created = client.post("/api/loops/", {"role_profile": "mle", "level": "IC3", "title": "Ada"})
    assert created.status_code == 201, created.json()
    loop_id = created.json()["id"]
    assert created.json()["role_profile_version"] == 1

    day = client.post(
        f"/api/loops/{loop_id}/schedule-day/",
        {"starts_at": "2026-11-30T09:00:00Z", "break_minutes": 10},
        format="json",
    )
    assert day.status_code == 200
    assert day.json()["status"] == "scheduled"

    assigned = client.post(f"/api/loops/{loop_id}/assign/", {}, format="json")
    assert assigned.status_code == 200
    assert assigned.json()["problems"]  # nobody in the pool yet, and it says so

    calendar = client.get(f"/api/loops/{loop_id}/calendar.ics")
    assert calendar.status_code == 200
    assert calendar["Content-Type"].startswith("text/calendar")
    assert b"BEGIN:VEVENT" in calendar.content


def test_a_level_without_expectations_is_a_400_and_nothing_is_written(small_rubric, client_as):
    from tests.factories import LevelFactory

    LevelFactory(ladder=small_rubric.profile.ladder, code="IC5", rank=5)

    response = client_as("recruiter").post("/api/loops/", {"role_profile": "mle", "level": "IC5"})

    assert response.status_code == 400
    assert "level" in response.json()
    assert not Loop.objects.exists()


def test_rescheduling_an_interview_with_a_bad_time_is_a_400(small_rubric, client_as):
    loop = loop_generate(role_profile=small_rubric.profile, level=small_rubric.ic3)
    client = client_as("recruiter")

    bad = client.post(
        f"/api/loops/{loop.pk}/interviews/1/schedule/",
        {"starts_at": "2026-11-30T10:00:00Z", "ends_at": "2026-11-30T09:00:00Z"},
        format="json",
    )
    garbage = client.post(
        f"/api/loops/{loop.pk}/interviews/1/schedule/", {"starts_at": "tomorrow"}, format="json"
    )
    missing = client.post(
        f"/api/loops/{loop.pk}/interviews/99/schedule/",
        {"starts_at": "2026-11-30T10:00:00Z"},
        format="json",
    )

    assert bad.status_code == 400
    assert "ends_at" in bad.json()
    assert garbage.status_code == 400
    assert "starts_at" in garbage.json()
    assert missing.status_code == 404


def test_regenerating_a_scheduled_loop_is_refused(small_rubric, client_as):
    loop = loop_generate(role_profile=small_rubric.profile, level=small_rubric.ic3)
    client = client_as("recruiter")
    client.post(f"/api/loops/{loop.pk}/schedule-day/", {"starts_at": "2026-11-30T09:00:00Z"})

    response = client.post(f"/api/loops/{loop.pk}/regenerate/")

    assert response.status_code == 400


@pytest.mark.parametrize(
    ("role", "read", "write"),
    [
        ("admin", 200, 201),
        ("recruiter", 200, 201),
        ("committee member", 200, 403),
        ("interviewer", 403, 403),
        ("anonymous", 403, 403),
    ],
)
def test_loop_endpoints_by_role(small_rubric, client_as, role, read, write):
    loop = loop_generate(role_profile=small_rubric.profile, level=small_rubric.ic3)
    client = client_as(role)

    assert client.get("/api/loops/").status_code == read
    assert client.get(f"/api/loops/{loop.pk}/").status_code == read
    assert client.post("/api/loops/", {"role_profile": "mle", "level": "IC3"}).status_code == write
    changed = client.post(f"/api/loops/{loop.pk}/regenerate/").status_code
    assert changed == (200 if write == 201 else 403)


def count_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_loop_list_and_detail_keep_their_query_counts(small_rubric, client_as):
    client = client_as("recruiter")
    loops = [
        loop_generate(role_profile=small_rubric.profile, level=small_rubric.ic3) for _ in range(5)
    ]
    client.get("/api/loops/")  # the user's permissions are cached after the first request
    small_list = count_queries(client, "/api/loops/")
    small_detail = count_queries(client, f"/api/loops/{loops[0].pk}/")
    more = [
        loop_generate(role_profile=small_rubric.profile, level=small_rubric.ic3) for _ in range(45)
    ]

    assert count_queries(client, "/api/loops/") == small_list
    assert count_queries(client, f"/api/loops/{more[-1].pk}/") == small_detail


def test_a_limit_past_the_database_integer_range_is_capped_not_a_500(small_rubric, client_as):
    loop_generate(role_profile=small_rubric.profile, level=small_rubric.ic3, title="Search")

    response = client_as("recruiter").get("/api/loops/", {"limit": "15208061422772330363355136"})

    assert response.status_code == 200
    assert [row["title"] for row in response.json()["results"]] == ["Search"]


def test_the_schema_says_calendars_are_icalendar_not_json():
    schema = SchemaGenerator().get_schema(request=None, public=True)

    for path in (
        "/api/loops/{loop_id}/calendar.ics",
        "/api/loops/interviewers/{interviewer_id}/calendar.ics",
    ):
        assert list(schema["paths"][path]["get"]["responses"]["200"]["content"]) == [
            "text/calendar"
        ]
