import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from rubrics.models import Question, RoleProfile
from tests.factories import ExpectationFactory, QuestionFactory, UserFactory
from tests.rubrics.rubric_files import FILES, PROFILE, line_of

pytestmark = pytest.mark.django_db

REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)


@pytest.fixture
def admin_user_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_every_admin_changelist_loads(admin_user_client, model):
    ExpectationFactory()
    QuestionFactory()
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")

    assert admin_user_client.get(url).status_code == 200
    assert admin_user_client.get(url, {"q": "a"}).status_code == 200


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_every_admin_add_page_loads_or_is_deliberately_absent(admin_user_client, model, rf):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
    request = rf.get(url)
    request.user = UserFactory(username="root", is_staff=True, is_superuser=True)

    response = admin_user_client.get(url)

    can_add = admin.site._registry[model].has_add_permission(request)
    assert response.status_code == (200 if can_add else 403)


def test_role_profile_change_page_shows_anchors_read_only(admin_user_client):
    expectation = ExpectationFactory(anchor_strong_yes="Sets the standard for the org.")

    response = admin_user_client.get(
        reverse("admin:rubrics_roleprofile_change", args=[expectation.role_profile.pk])
    )

    assert response.status_code == 200
    assert b"Sets the standard for the org." in response.content
    assert b'name="expectations-0-anchor_yes"' not in response.content


def test_admin_imports_uploaded_profile_files(admin_user_client):
    uploads = [
        SimpleUploadedFile(name, text.encode(), content_type="application/yaml")
        for name, text in FILES.items()
    ]

    response = admin_user_client.post(
        reverse("admin:rubrics_roleprofile_add"), {"profile_files": uploads}, follow=True
    )

    assert response.status_code == 200
    assert RoleProfile.objects.filter(key="test-engineer", version=1).exists()
    assert b"created" in response.content


def test_admin_import_shows_file_line_errors_and_writes_nothing(admin_user_client):
    broken = {**FILES, "profile.yaml": PROFILE.replace("bar: 3", "bar: 7", 1)}
    uploads = [SimpleUploadedFile(name, text.encode()) for name, text in broken.items()]

    response = admin_user_client.post(
        reverse("admin:rubrics_roleprofile_add"), {"profile_files": uploads}
    )

    assert response.status_code == 200
    assert f"profile.yaml:{line_of(PROFILE, 'bar: 3')}:".encode() in response.content
    assert b"Nothing was imported" in response.content
    assert not RoleProfile.objects.exists()


def test_admin_action_retires_questions(admin_user_client):
    questions = QuestionFactory.create_batch(2)

    admin_user_client.post(
        reverse("admin:rubrics_question_changelist"),
        {"action": "retire", "_selected_action": [q.pk for q in questions]},
    )

    assert set(Question.objects.values_list("status", flat=True)) == {"retired"}


def test_admin_rejects_an_inverted_question_range(admin_user_client):
    question = QuestionFactory(min_level__rank=1)
    higher = question.min_level.__class__.objects.create(
        ladder=question.min_level.ladder, code="HI", name="High", rank=4, loop_minutes=300
    )
    url = reverse("admin:rubrics_question_change", args=[question.pk])

    response = admin_user_client.post(
        url,
        {
            "key": question.key,
            "competency": question.competency.pk,
            "min_level": higher.pk,
            "max_level": question.min_level.pk,
            "prompt": "p",
            "follow_ups": "[]",
            "good_answer": "g",
            "minutes": 10,
            "status": "active",
        },
    )

    assert response.status_code == 200
    assert b"is below" in response.content
    question.refresh_from_db()
    assert question.min_level.code != "HI"
