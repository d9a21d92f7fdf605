import pytest

from rubrics.services import SHIPPED_PROFILES_DIR, role_profiles_import
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_an_interviewer_finds_the_anchors_and_questions_for_a_level(live_server, page):
    role_profiles_import(paths=[SHIPPED_PROFILES_DIR])
    UserFactory(username="ivan")

    page.goto(f"{live_server.url}/rubrics/")
    page.fill("input[name=username]", "ivan")
    page.fill("input[name=password]", "pass-word-123")
    page.click("button[type=submit]")

    page.click("text=Staff Machine Learning Engineer")
    page.click("a:has-text('IC5')")

    assert page.locator("h1").inner_text().startswith("Staff Machine Learning Engineer at IC5")
    architecture = page.locator("section#architecture-design")
    assert architecture.locator("table.anchors tbody tr").count() == 4
    assert "4 Strong yes" in architecture.inner_text()
    architecture.locator("summary").click()
    assert architecture.locator("article.question").first.is_visible()
