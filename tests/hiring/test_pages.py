import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hiring.models import Scorecard, ScorecardStatus
from tests.hiring.builders import open_application

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(small_rubric):
    return open_application(small_rubric)


def form_data(scorecard, *, rating="3", evidence="Walked through the trade-offs.", **extra):
    data = {
        "version": scorecard.version,
        "overall_recommendation": "3",
        "level_assessment": "at",
        "summary": "Strong on design.",
    }
    for row in scorecard.ratings.select_related("competency"):
        key = row.competency.key
        data[f"{key}-rating"] = rating
        data[f"{key}-evidence"] = evidence
    data.update(extra)
    return data


def open_scorecard(client, setup, position=1):
    client.force_login(setup.interviewer_user(position))
    url = reverse("hiring:scorecard", args=[setup.interviews[position - 1].pk])
    response = client.get(url)
    assert response.status_code == 200
    return url, Scorecard.objects.get(interview=setup.interviews[position - 1])


def test_my_interviews_groups_by_what_needs_doing(client, setup):
    client.force_login(setup.interviewer_user(1))

    content = client.get(reverse("hiring:my-interviews")).content.decode()

    assert "Awaiting feedback <small>(1)</small>" in content
    assert "Ada Lovelace" in content
    assert "Write feedback" in content


def test_kit_shows_candidate_focus_anchors_and_questions(client, setup):
    client.force_login(setup.interviewer_user(1))

    content = client.get(reverse("hiring:kit", args=[setup.interviews[0].pk])).content.decode()

    assert "Ada Lovelace for Senior MLE, Search" in content
    assert "4 Strong yes" in content
    assert "What good looks like" in content


def test_save_a_draft_without_javascript(client, setup):
    url, scorecard = open_scorecard(client, setup)
    data = form_data(scorecard, evidence="")
    data["save"] = "1"

    response = client.post(url, data)

    assert response.status_code == 302
    scorecard.refresh_from_db()
    assert scorecard.status == ScorecardStatus.DRAFT
    assert scorecard.summary == "Strong on design."
    assert set(scorecard.ratings.values_list("rating", flat=True)) == {3}


def test_an_incomplete_submit_shows_errors_next_to_their_fields_and_keeps_the_text(client, setup):
    url, scorecard = open_scorecard(client, setup)
    data = form_data(scorecard, evidence="")
    data["submit"] = "1"
    data["summary"] = "Keep this text."

    response = client.post(url, data)

    content = response.content.decode()
    assert response.status_code == 400
    assert content.count("Write the evidence behind this rating.") == scorecard.ratings.count()
    assert "Keep this text." in content
    scorecard.refresh_from_db()
    assert scorecard.status == ScorecardStatus.DRAFT


def test_a_stale_form_is_refused_with_a_message(client, setup):
    url, scorecard = open_scorecard(client, setup)
    stale = form_data(scorecard)
    client.post(url, {**form_data(scorecard), "save": "1"})

    response = client.post(url, {**stale, "submit": "1"})

    assert response.status_code == 400
    assert "changed since you opened it" in response.content.decode()


def test_submit_turns_the_page_read_only_and_shows_others_after(client, setup):
    url2, card2 = open_scorecard(client, setup, position=2)
    client.post(url2, {**form_data(card2, evidence="Second interviewer's notes."), "submit": "1"})
    url, scorecard = open_scorecard(client, setup, position=1)

    before = client.get(url).content.decode()
    client.post(url, {**form_data(scorecard), "submit": "1"})
    after = client.get(url).content.decode()

    assert "stays hidden until you submit yours" in before
    assert "Second interviewer&#x27;s notes." not in before
    assert "Submit feedback" not in after
    assert "Second interviewer&#x27;s notes." in after
    assert "Submitted" in after


def test_someone_else_cannot_open_my_scorecard_page(client, setup):
    client.force_login(setup.interviewer_user(2))

    response = client.get(reverse("hiring:scorecard", args=[setup.interviews[0].pk]))

    assert response.status_code == 404


def test_my_interviews_page_query_count_does_not_grow(client, small_rubric):
    first = open_application(small_rubric, email="p0@example.com", pool_size=4)
    person = first.interviews[0].interviewer

    def give(count, offset):
        for n in range(count):
            extra = open_application(small_rubric, email=f"p{offset + n}@example.com", pool_size=4)
            interview = extra.interviews[0]
            interview.interviewer = person
            interview.save(update_fields=["interviewer"])

    give(4, 1)
    client.force_login(person.user)
    client.get(reverse("hiring:my-interviews"))
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("hiring:my-interviews"))
    give(45, 100)
    with CaptureQueriesContext(connection) as large:
        response = client.get(reverse("hiring:my-interviews"))

    assert response.content.decode().count("Write feedback") >= 50
    assert len(large.captured_queries) == len(small.captured_queries)
