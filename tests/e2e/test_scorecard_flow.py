import pytest

from tests.hiring.builders import open_application

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def sign_in(page, base_url, username):
    page.goto(f"{base_url}/accounts/login/?next=/interviews/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pass-word-123")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/interviews/")


def fill_scorecard(page, evidence):
    for block in page.locator("fieldset[id^=rate-]").all():
        block.locator("input[type=radio][value='3']").check()
        block.locator("textarea").fill(evidence)
    page.locator("input[name=overall_recommendation][value='3']").check()
    page.locator("input[name=level_assessment][value='at']").check()
    page.fill("textarea[name=summary]", f"Summary: {evidence}")


def test_interviewers_draft_submit_and_see_each_other_only_after(
    live_server, browser, small_rubric
):
    setup = open_application(small_rubric)
    first, second = setup.interviewer_user(1).username, setup.interviewer_user(2).username
    base = live_server.url

    one = browser.new_context().new_page()
    sign_in(one, base, first)
    one.click("text=Write feedback")
    assert "stays hidden until you submit yours" in one.content()
    one.goto(f"{base}/interviews/{setup.interviews[0].pk}/")
    assert "What good looks like" in one.content()
    one.click("text=Open the scorecard")
    fill_scorecard(one, "First interviewer evidence")
    one.click("button[name=save]")
    assert "Draft saved." in one.content()
    assert one.locator("textarea").first.input_value() == "First interviewer evidence"
    one.click("button[name=submit]")
    assert "Feedback submitted." in one.content()
    assert "Submit feedback" not in one.content()

    two = browser.new_context().new_page()
    sign_in(two, base, second)
    two.goto(f"{base}/interviews/{setup.interviews[1].pk}/scorecard/")
    assert "First interviewer evidence" not in two.content()
    assert "stays hidden until you submit yours" in two.content()
    fill_scorecard(two, "Second interviewer evidence")
    two.click("button[name=submit]")
    content = two.content()
    assert "Second interviewer evidence" in content
    assert "First interviewer evidence" in content

    one.reload()
    assert "Second interviewer evidence" in one.content()
