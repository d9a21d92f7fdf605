import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from hiring.models import Application, Candidate, Requisition, Scorecard, ScorecardStatus
from tests.factories import PacketFactory
from tests.hiring.builders import open_application

pytestmark = pytest.mark.django_db


def as_user(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def setup(small_rubric):
    return open_application(small_rubric)


def started(setup, position=1):
    client = as_user(setup.interviewer_user(position))
    response = client.post(f"/api/interviews/{setup.interviews[position - 1].pk}/scorecard/")
    assert response.status_code == 200, response.content
    return client, response.json()


def complete_body(card, rating=3):
    return {
        "version": card["version"],
        "ratings": [
            {"competency": r["competency"], "rating": rating, "evidence": "Concrete."}
            for r in card["ratings"]
        ],
        "overall_recommendation": 3,
        "level_assessment": "at",
        "summary": "Good.",
    }


def test_my_interviews_lists_buckets_for_the_interviewer(setup):
    client = as_user(setup.interviewer_user(1))

    response = client.get("/api/me/interviews/")

    [mine] = response.json()
    assert mine["candidate"] == "Ada Lovelace"
    assert mine["bucket"] == "awaiting feedback"
    assert mine["scorecard"] is None


def test_stale_draft_gets_409_and_nothing_is_lost(setup):
    client, card = started(setup)
    key = card["ratings"][0]["competency"]
    first = client.put(
        f"/api/scorecards/{card['id']}/draft/",
        {"version": card["version"], "summary": "kept"},
        format="json",
    )
    assert first.status_code == 200

    stale = client.put(
        f"/api/scorecards/{card['id']}/draft/",
        {
            "version": card["version"],
            "summary": "lost?",
            "ratings": [{"competency": key, "rating": 1}],
        },
        format="json",
    )

    assert stale.status_code == 409
    assert "changed since you opened it" in stale.json()["detail"]
    now = client.get(f"/api/scorecards/{card['id']}/").json()
    assert now["summary"] == "kept"
    assert now["ratings"][0]["rating"] is None


def test_double_submit_gives_one_submission(setup):
    client, card = started(setup)
    body = complete_body(card)

    first = client.post(f"/api/scorecards/{card['id']}/submit/", body, format="json")
    second = client.post(
        f"/api/scorecards/{card['id']}/submit/",
        {**body, "version": first.json()["version"]},
        format="json",
    )

    assert first.status_code == 200
    assert first.json()["status"] == "submitted"
    assert second.status_code == 409
    assert Scorecard.objects.filter(status=ScorecardStatus.SUBMITTED).count() == 1
    assert Scorecard.objects.get().revisions.filter(action="submitted").count() == 1


@pytest.mark.parametrize("bad", [0, 5, "x"])
def test_a_rating_outside_1_to_4_is_a_400_naming_the_field(setup, bad):
    client, card = started(setup)
    body = complete_body(card)
    body["ratings"][0]["rating"] = bad

    response = client.post(f"/api/scorecards/{card['id']}/submit/", body, format="json")

    assert response.status_code == 400
    assert "rating" in response.json()["ratings"]["0"]  # the first rating, by its index
    assert Scorecard.objects.get().status == ScorecardStatus.DRAFT


def test_missing_evidence_is_a_400_naming_the_competency(setup):
    client, card = started(setup)
    body = complete_body(card)
    body["ratings"][1]["evidence"] = ""
    key = body["ratings"][1]["competency"]

    response = client.post(f"/api/scorecards/{card['id']}/submit/", body, format="json")

    assert response.status_code == 400
    assert response.json() == {f"{key}.evidence": ["Write the evidence behind this rating."]}


def test_unknown_competency_is_a_400(setup):
    client, card = started(setup)
    body = complete_body(card)
    body["ratings"].append({"competency": "juggling", "rating": 3, "evidence": "x"})

    response = client.post(f"/api/scorecards/{card['id']}/submit/", body, format="json")

    assert response.status_code == 400
    assert "juggling.competency" in response.json()


def test_another_interviewers_scorecard_is_invisible(setup):
    _, card = started(setup, position=1)
    other = as_user(setup.interviewer_user(2))

    assert other.get(f"/api/scorecards/{card['id']}/").status_code == 404
    assert (
        other.put(f"/api/scorecards/{card['id']}/draft/", {"version": 1}, format="json").status_code
        == 404
    )
    assert other.post(f"/api/interviews/{setup.interviews[0].pk}/scorecard/").status_code == 404


def test_a_peer_who_may_read_a_submitted_scorecard_cannot_change_it(setup):
    client1, card1 = started(setup, 1)
    client2, card2 = started(setup, 2)
    client1.post(f"/api/scorecards/{card1['id']}/submit/", complete_body(card1), format="json")
    client2.post(f"/api/scorecards/{card2['id']}/submit/", complete_body(card2), format="json")
    assert client2.get(f"/api/scorecards/{card1['id']}/").status_code == 200

    amend = client2.post(
        f"/api/scorecards/{card1['id']}/amend/",
        {**complete_body(card1, rating=1), "version": 2, "reason": "Mine now."},
        format="json",
    )
    draft = client2.put(f"/api/scorecards/{card1['id']}/draft/", {"version": 2}, format="json")

    assert amend.status_code == 403
    assert draft.status_code == 403
    assert Scorecard.objects.get(pk=card1["id"]).ratings.filter(rating=3).count() == len(
        card1["ratings"]
    )


def test_a_draft_save_answers_with_what_was_saved(setup):
    client, card = started(setup)
    key = card["ratings"][0]["competency"]

    saved = client.put(
        f"/api/scorecards/{card['id']}/draft/",
        {
            "version": card["version"],
            "ratings": [{"competency": key, "rating": 2, "evidence": "  Missed the leak.  "}],
            "summary": "Half done.",
        },
        format="json",
    ).json()

    assert saved["version"] == card["version"] + 1
    assert saved["summary"] == "Half done."
    assert saved["interviewer"] == setup.interviewer_user(1).username
    [rating] = [r for r in saved["ratings"] if r["competency"] == key]
    assert (rating["rating"], rating["evidence"]) == (2, "Missed the leak.")
    assert client.get(f"/api/scorecards/{card['id']}/").json() == saved


def test_blind_until_your_own_is_submitted(setup):
    client1, card1 = started(setup, 1)
    client2, card2 = started(setup, 2)
    client1.post(f"/api/scorecards/{card1['id']}/submit/", complete_body(card1), format="json")

    before = {c["id"] for c in client2.get("/api/scorecards/").json()["results"]}
    client2.post(f"/api/scorecards/{card2['id']}/submit/", complete_body(card2), format="json")
    after = {c["id"] for c in client2.get("/api/scorecards/").json()["results"]}

    assert before == {card2["id"]}
    assert after == {card1["id"], card2["id"]}


def test_amend_via_api_needs_a_reason(setup):
    client, card = started(setup)
    done = client.post(
        f"/api/scorecards/{card['id']}/submit/", complete_body(card), format="json"
    ).json()

    no_reason = client.post(
        f"/api/scorecards/{card['id']}/amend/", complete_body(done, 2), format="json"
    )
    amended = client.post(
        f"/api/scorecards/{card['id']}/amend/",
        {**complete_body(done, 2), "reason": "Typo in ratings."},
        format="json",
    )
    history = client.get(f"/api/scorecards/{card['id']}/history/").json()

    assert no_reason.status_code == 400
    assert "reason" in no_reason.json()
    assert amended.status_code == 200
    assert [h["action"] for h in history][-1] == "amended"


def test_token_authentication_for_scripts(setup):
    user = setup.interviewer_user(1)
    user.set_password("a-long-pass-phrase")
    user.save()
    token = APIClient().post(
        "/api/auth/token/", {"username": user.username, "password": "a-long-pass-phrase"}
    )
    assert token.status_code == 200
    assert Token.objects.get(user=user).key == token.json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")

    assert client.get("/api/me/interviews/").status_code == 200


def test_recruiter_opens_an_application_which_plans_and_assigns_the_loop(
    small_rubric, user_in_role
):
    setup = open_application(small_rubric)  # builds the pool and a requisition
    recruiter = as_user(user_in_role("recruiter"))

    candidate = recruiter.post(
        "/api/candidates/", {"name": "Grace Hopper", "email": "Grace@Example.com"}
    )
    duplicate = recruiter.post("/api/candidates/", {"name": "G", "email": "grace@example.com"})
    created = recruiter.post(
        "/api/applications/",
        {
            "candidate": candidate.json()["id"],
            "requisition": setup.application.requisition_id,
        },
    )

    assert candidate.status_code == 201
    assert candidate.json()["email"] == "grace@example.com"
    assert duplicate.status_code == 400
    assert "email" in duplicate.json()
    assert created.status_code == 201, created.json()
    assert created.json()["status"] == "interviewing"
    assert created.json()["assignment_problems"] == []
    application = Application.objects.get(pk=created.json()["id"])
    assert not application.loop.interviews.filter(interviewer__isnull=True).exists()
    again = recruiter.post(
        "/api/applications/",
        {"candidate": candidate.json()["id"], "requisition": setup.application.requisition_id},
    )
    assert again.status_code == 400


def test_a_second_loop_for_the_same_candidate_never_repeats_a_question(small_rubric):
    from hiring.services import application_create, questions_asked_to

    first = open_application(small_rubric)
    candidate = first.application.candidate
    asked = questions_asked_to(candidate=candidate)
    from hiring.services import requisition_create

    other = requisition_create(
        title="MLE, Ranking",
        role_profile=small_rubric.profile,
        level=small_rubric.ic1,
        hiring_manager=first.application.requisition.hiring_manager,
        recruiter=first.application.requisition.recruiter,
    )
    second = application_create(candidate=candidate, requisition=other).application

    second_asked = set(
        second.loop.interviews.values_list("question_rows__question__key", flat=True)
    ) - {None}
    assert asked
    assert not (second_asked & asked)


def test_application_moves_only_along_allowed_stages(setup, user_in_role):
    recruiter = as_user(user_in_role("recruiter"))
    url = f"/api/applications/{setup.application.pk}/move/"

    assert recruiter.post(url, {"status": "hired"}).status_code == 400
    assert recruiter.post(url, {"status": "debrief"}).json()["status"] == "debrief"


def test_candidate_input_errors_are_field_messages(user_in_role, db):
    recruiter = as_user(user_in_role("recruiter"))

    response = recruiter.post("/api/candidates/", {"name": "", "email": "not-an-email"})

    assert response.status_code == 400
    assert set(response.json()) == {"name", "email"}
    assert not Candidate.objects.exists()


def count_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_my_interviews_and_scorecards_keep_their_query_count(small_rubric):
    from hiring.services import scorecard_start

    setups = [
        open_application(small_rubric, email=f"c{n}@example.com", pool_size=4) for n in range(2)
    ]
    # One interviewer who sits on many loops: give them every interview of each new application.
    person = setups[0].interviews[0].interviewer
    client = as_user(person.user)

    def give_loops(count, offset):
        for n in range(count):
            extra = open_application(
                small_rubric, email=f"more{offset + n}@example.com", pool_size=4
            )
            interview = extra.interviews[0]
            interview.interviewer = person
            interview.save(update_fields=["interviewer"])
            scorecard_start(interview=interview, user=person.user)

    give_loops(4, 0)
    client.get("/api/me/interviews/")
    client.get("/api/scorecards/")  # permissions are cached on the user after the first call
    small_mine = count_queries(client, "/api/me/interviews/")
    small_cards = count_queries(client, "/api/scorecards/")
    give_loops(45, 100)

    assert len(client.get("/api/me/interviews/").json()) >= 49
    assert count_queries(client, "/api/me/interviews/") == small_mine
    assert count_queries(client, "/api/scorecards/") == small_cards


@pytest.mark.parametrize(
    "url", ["/api/candidates/", "/api/requisitions/", "/api/applications/", "/api/scorecards/"]
)
def test_a_limit_past_the_database_integer_range_is_capped_not_a_500(setup, user_in_role, url):
    client = as_user(user_in_role("admin"))
    started(setup)

    response = client.get(url, {"limit": "15208061422772330363355136"})

    assert response.status_code == 200
    assert len(response.json()["results"]) == 1


def test_a_huge_packet_list_limit_is_capped_not_a_500(setup, user_in_role):
    PacketFactory(application=setup.application)
    client = as_user(user_in_role("admin"))

    response = client.get("/api/packets/", {"limit": "15208061422772330363355136"})

    assert response.status_code == 200
    assert [row["application"] for row in response.json()["results"]] == [setup.application.pk]


@pytest.mark.parametrize("field", ["hiring_manager", "recruiter", "committee_members"])
def test_a_username_holding_a_nul_character_is_a_400_not_a_500(
    setup, user_in_role, small_rubric, field
):
    """Found by schemathesis on PostgreSQL, which cannot compare text holding NUL."""
    admin = user_in_role("admin")
    body = {
        "title": "Staff MLE",
        "role_profile": small_rubric.profile.key,
        "level": small_rubric.ic3.code,
        "hiring_manager": admin.username,
        "recruiter": admin.username,
    }
    body[field] = ["pool\x00x"] if field == "committee_members" else "pool\x00x"

    response = as_user(admin).post("/api/requisitions/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert Requisition.objects.count() == 1  # the fixture's own


def test_a_body_that_is_not_json_form_or_multipart_is_a_documented_415(setup, user_in_role):
    client = as_user(user_in_role("recruiter"))
    url = f"/api/applications/{setup.application.pk}/move/"

    response = client.post(url, data="status=debrief", content_type="text/plain")

    assert response.status_code == 415
    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert "415" in schema["paths"]["/api/applications/{application_id}/move/"]["post"]["responses"]


def test_saving_and_submitting_feedback_cost_the_same_queries_however_much_there_is(
    small_rubric,
):
    """The write path reads the one scorecard it changes; nothing in it grows with the number
    of applications, scorecards or earlier submissions."""
    from tests.hiring.builders import submit

    def one_draft_and_one_submit(setup):
        client, card = started(setup)
        with CaptureQueriesContext(connection) as draft:
            saved = client.put(
                f"/api/scorecards/{card['id']}/draft/", complete_body(card), format="json"
            )
        assert saved.status_code == 200
        with CaptureQueriesContext(connection) as submitted:
            done = client.post(
                f"/api/scorecards/{card['id']}/submit/",
                complete_body(saved.json()),
                format="json",
            )
        assert done.status_code == 200
        return len(draft.captured_queries), len(submitted.captured_queries)

    first = open_application(small_rubric, email="first@example.com")
    few = one_draft_and_one_submit(first)
    for n in range(12):
        more = open_application(small_rubric, email=f"more{n}@example.com", pool_size=3)
        for position in range(1, len(more.interviews) + 1):
            submit(more, position)

    assert one_draft_and_one_submit(open_application(small_rubric, email="last@example.com")) == (
        few
    )


def test_the_admin_shows_a_submitted_scorecard_without_letting_anyone_edit_it(setup, admin_client):
    from tests.hiring.builders import submit

    scorecard = submit(setup, 1, rating=4)

    page = admin_client.get(f"/admin/hiring/scorecard/{scorecard.pk}/change/")
    posted = admin_client.post(
        f"/admin/hiring/scorecard/{scorecard.pk}/change/", {"summary": "Rewritten."}
    )

    assert page.status_code == 200
    assert 'name="summary"' not in page.content.decode()
    assert posted.status_code in (200, 302)
    scorecard.refresh_from_db()
    assert (scorecard.summary, scorecard.overall_recommendation) == ("s", 4)
