import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import ExpectationFactory, LevelFactory, QuestionFactory, RoleProfileFactory

pytestmark = pytest.mark.django_db


def level_url(profile, code, **query):
    url = reverse("rubrics:level-rubric", args=[profile.key, code])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_pages_ask_anonymous_visitors_to_sign_in(client):
    profile = RoleProfileFactory()

    for url in (
        reverse("home"),
        reverse("rubrics:profile-list"),
        reverse("rubrics:profile-detail", args=[profile.key]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_login_page_signs_a_user_in(client, user):
    response = client.post(
        reverse("login"), {"username": user.username, "password": "pass-word-123"}
    )

    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_profile_list_shows_each_profile_with_its_levels(signed_in_client):
    expectation = ExpectationFactory(role_profile__name="Staff MLE", level__code="IC5")
    ExpectationFactory(role_profile=expectation.role_profile, level=expectation.level)

    response = signed_in_client.get(reverse("rubrics:profile-list"))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Staff MLE" in content
    assert content.count(f'href="{level_url(expectation.role_profile, "IC5")}"') == 1


def test_level_page_shows_anchors_by_priority_and_the_questions_that_suit_the_level(
    signed_in_client,
):
    must = ExpectationFactory(
        level__code="IC3",
        level__rank=3,
        competency__name="ML Design",
        anchor_yes="Designs a ranking system with a sound offline metric.",
    )
    profile, level = must.role_profile, must.level
    ExpectationFactory(
        role_profile=profile, level=level, priority="nice", competency__name="Innovation"
    )
    above = LevelFactory(ladder=level.ladder, code="IC5", rank=5)
    QuestionFactory(
        competency=must.competency,
        min_level=level,
        max_level=above,
        prompt="Design a feed ranker.",
        good_answer="Talks about position bias.",
    )
    QuestionFactory(
        competency=must.competency,
        min_level=above,
        max_level=above,
        prompt="Set a multi-year ranking strategy.",
    )

    response = signed_in_client.get(level_url(profile, "IC3"))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Designs a ranking system with a sound offline metric." in content
    assert content.index("ML Design") < content.index("Innovation")  # must before nice
    assert "Design a feed ranker." in content
    assert "Talks about position bias." in content
    assert "Set a multi-year ranking strategy." not in content  # that one is for IC5 only
    for label in ("1 Strong no", "2 No", "3 Yes", "4 Strong yes"):
        assert label in content


def test_an_old_version_stays_readable(signed_in_client):
    old = ExpectationFactory(
        role_profile__key="mle",
        role_profile__version=1,
        role_profile__is_current=False,
        anchor_yes="Old wording.",
    )
    ExpectationFactory(
        role_profile__key="mle",
        role_profile__version=2,
        role_profile__ladder=old.role_profile.ladder,
        level=old.level,
        anchor_yes="New wording.",
    )

    current = signed_in_client.get(level_url(old.role_profile, old.level.code)).content.decode()
    first = signed_in_client.get(
        level_url(old.role_profile, old.level.code, version=1)
    ).content.decode()

    assert "New wording." in current
    assert "Old wording." not in current
    assert "Old wording." in first
    assert "superseded" not in current


@pytest.mark.parametrize("query", ["version=7", "version=abc"])
def test_unknown_versions_and_levels_are_404(signed_in_client, query):
    expectation = ExpectationFactory(level__code="IC2")
    profile = expectation.role_profile

    assert (
        signed_in_client.get(level_url(profile, "IC2", **dict([query.split("=")]))).status_code
        == 404
    )
    assert signed_in_client.get(level_url(profile, "IC9")).status_code == 404
    assert signed_in_client.get(reverse("rubrics:profile-detail", args=["nope"])).status_code == 404


def count_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_level_page_query_count_does_not_grow_with_competencies(signed_in_client):
    first = ExpectationFactory(level__code="IC3")
    profile, level = first.role_profile, first.level

    def add(n):
        for _ in range(n):
            expectation = ExpectationFactory(role_profile=profile, level=level)
            QuestionFactory(competency=expectation.competency, min_level=level)

    add(4)
    small = count_queries(signed_in_client, level_url(profile, "IC3"))
    add(45)
    assert count_queries(signed_in_client, level_url(profile, "IC3")) == small


def test_profile_list_query_count_does_not_grow_with_profiles(signed_in_client):
    for _ in range(5):
        ExpectationFactory()
    small = count_queries(signed_in_client, reverse("rubrics:profile-list"))
    for _ in range(45):
        ExpectationFactory()
    assert count_queries(signed_in_client, reverse("rubrics:profile-list")) == small
