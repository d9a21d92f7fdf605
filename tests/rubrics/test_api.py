import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from tests.factories import (
    CompetencyFactory,
    ExpectationFactory,
    LadderFactory,
    LevelFactory,
    QuestionFactory,
    RoleProfileFactory,
)

pytestmark = pytest.mark.django_db


def results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_schema_is_valid_openapi_and_lists_the_rubric_endpoints(user_api_client):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)

    paths = set(schema["paths"])
    assert {
        "/api/rubrics/competencies/",
        "/api/rubrics/ladders/",
        "/api/rubrics/role-profiles/",
        "/api/rubrics/role-profiles/{key}/",
        "/api/rubrics/role-profiles/{key}/levels/{level_code}/expectations/",
        "/api/rubrics/questions/",
    } <= paths
    assert user_api_client.get("/api/schema/").status_code == 200


def test_api_docs_render(signed_in_client):
    response = signed_in_client.get(reverse("swagger-ui"))

    assert response.status_code == 200
    assert b"swagger" in response.content.lower()


def test_the_api_needs_a_signed_in_user(api_client):
    response = api_client.get("/api/rubrics/role-profiles/")

    assert response.status_code == 403


def test_role_profiles_list_current_versions_unless_asked(user_api_client):
    RoleProfileFactory(key="mle", version=1, is_current=False)
    RoleProfileFactory(key="mle", version=2, is_current=True)

    current = results(user_api_client.get("/api/rubrics/role-profiles/"))
    every = results(user_api_client.get("/api/rubrics/role-profiles/?all_versions=true"))

    assert [(p["key"], p["version"]) for p in current] == [("mle", 2)]
    assert sorted(p["version"] for p in every) == [1, 2]


def test_role_profile_detail_by_key_and_version(user_api_client):
    RoleProfileFactory(key="mle", version=1, is_current=False, summary="old")
    RoleProfileFactory(key="mle", version=2, is_current=True, summary="new")

    assert user_api_client.get("/api/rubrics/role-profiles/mle/").json()["summary"] == "new"
    old = user_api_client.get("/api/rubrics/role-profiles/mle/?version=1")
    assert old.json()["summary"] == "old"
    assert user_api_client.get("/api/rubrics/role-profiles/mle/?version=9").status_code == 404
    assert user_api_client.get("/api/rubrics/role-profiles/mle/?version=x").status_code == 400
    assert user_api_client.get("/api/rubrics/role-profiles/nope/").status_code == 404


def test_expectations_at_a_level_carry_all_four_anchors(user_api_client):
    expectation = ExpectationFactory(
        role_profile__key="mle", level__code="IC3", anchor_yes="Meets the IC3 bar."
    )
    ExpectationFactory(
        role_profile=expectation.role_profile,
        level__ladder=expectation.level.ladder,
        level__code="IC4",
    )

    response = user_api_client.get("/api/rubrics/role-profiles/mle/levels/IC3/expectations/")

    assert response.status_code == 200
    [item] = response.json()
    assert item["level"] == "IC3"
    assert item["bar"] == 3
    assert [a["rating"] for a in item["anchors"]] == [1, 2, 3, 4]
    assert item["anchors"][2] == {"rating": 3, "name": "Yes", "text": "Meets the IC3 bar."}
    missing = user_api_client.get("/api/rubrics/role-profiles/mle/levels/IC9/expectations/")
    assert missing.status_code == 404


def test_questions_filter_by_competency_and_level_range(user_api_client):
    ladder = LadderFactory()
    ic1, ic2, ic3 = (LevelFactory(ladder=ladder, code=f"IC{r}", rank=r) for r in (1, 2, 3))
    fluency, design = CompetencyFactory(key="ml-fluency"), CompetencyFactory(key="ml-design")
    QuestionFactory(key="junior", competency=fluency, min_level=ic1, max_level=ic2)
    QuestionFactory(key="senior", competency=fluency, min_level=ic2, max_level=ic3)
    QuestionFactory(key="design", competency=design, min_level=ic1, max_level=ic3)
    QuestionFactory(key="old", competency=fluency, min_level=ic1, max_level=ic3, status="retired")

    def keys(query):
        return sorted(
            q["key"] for q in results(user_api_client.get(f"/api/rubrics/questions/{query}"))
        )

    assert keys("?competency=ml-fluency") == ["junior", "senior"]
    assert keys("?competency=ml-fluency&level=IC1") == ["junior"]
    assert keys("?level=IC3") == ["design", "senior"]
    assert keys("?competency=ml-fluency&status=any") == ["junior", "old", "senior"]
    assert keys("?level=IC9") == []
    bad = user_api_client.get("/api/rubrics/questions/?status=maybe")
    assert bad.status_code == 400
    assert "status" in bad.json()


def test_ladders_list_levels_in_rank_order(user_api_client):
    ladder = LadderFactory(key="mle")
    LevelFactory(ladder=ladder, code="IC2", rank=2)
    LevelFactory(ladder=ladder, code="IC1", rank=1)

    [item] = results(user_api_client.get("/api/rubrics/ladders/"))

    assert [level["code"] for level in item["levels"]] == ["IC1", "IC2"]


@pytest.mark.parametrize(
    ("url", "build"),
    [
        ("/api/rubrics/role-profiles/", lambda n: RoleProfileFactory.create_batch(n)),
        ("/api/rubrics/competencies/", lambda n: CompetencyFactory.create_batch(n)),
        ("/api/rubrics/ladders/", lambda n: [LevelFactory() for _ in range(n)]),
        ("/api/rubrics/questions/", lambda n: QuestionFactory.create_batch(n)),
    ],
)
def test_list_endpoints_keep_the_same_query_count_at_5_and_50_rows(
    user_api_client, django_assert_num_queries, url, build
):
    build(5)
    with CaptureQueriesContext(connection) as small:
        assert user_api_client.get(url).status_code == 200
    build(45)
    with django_assert_num_queries(len(small.captured_queries)):
        response = user_api_client.get(url)
    assert response.json()["count"] >= 50


def test_expectations_endpoint_query_count_does_not_grow(
    user_api_client, django_assert_num_queries
):
    first = ExpectationFactory(role_profile__key="mle", level__code="IC3")

    def add(n):
        for _ in range(n):
            ExpectationFactory(role_profile=first.role_profile, level=first.level)

    add(4)
    with CaptureQueriesContext(connection) as small:
        user_api_client.get("/api/rubrics/role-profiles/mle/levels/IC3/expectations/")
    add(45)
    with django_assert_num_queries(len(small.captured_queries)):
        response = user_api_client.get("/api/rubrics/role-profiles/mle/levels/IC3/expectations/")
    assert len(response.json()) == 50


HUGE = "15208061422772330363355136"  # found by tests/test_api_fuzz.py


@pytest.mark.parametrize(
    "url",
    [
        "/api/rubrics/competencies/",
        "/api/rubrics/ladders/",
        "/api/rubrics/role-profiles/",
        "/api/rubrics/questions/",
    ],
)
def test_a_limit_past_the_database_integer_range_is_capped_not_a_500(user_api_client, url):
    QuestionFactory()
    RoleProfileFactory()

    response = user_api_client.get(url, {"limit": HUGE})

    assert response.status_code == 200
    body = response.json()
    assert len(body["results"]) == body["count"] >= 1
    assert body["next"] is None


def test_the_limit_is_capped_at_a_thousand(user_api_client):
    CompetencyFactory.create_batch(3)

    response = user_api_client.get("/api/rubrics/competencies/", {"limit": 5000, "offset": 1})

    assert response.status_code == 200
    assert len(response.json()["results"]) == 2
    assert "limit=1000" in response.json()["previous"]


def test_every_operation_documents_the_403_an_anonymous_caller_gets(api_client):
    schema = SchemaGenerator().get_schema(request=None, public=True)

    for path, operations in schema["paths"].items():
        if path == "/api/auth/token/":
            continue
        for method, operation in operations.items():
            assert "403" in operation["responses"], f"{method.upper()} {path}"
    assert api_client.get("/api/rubrics/ladders/").status_code == 403
