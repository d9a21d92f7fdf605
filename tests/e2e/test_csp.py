"""The Content-Security-Policy in a real browser: every main page, the admin and Swagger UI work
under it without a single violation, and nothing is fetched from another origin."""

import pytest

from hiring.models import Packet
from tests.conftest import roles_present
from tests.factories import UserFactory
from tests.hiring.builders import open_application, submit

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`);
});
"""


def test_pages_admin_and_swagger_run_under_the_policy(live_server, browser, small_rubric, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    roles_present()
    UserFactory(username="root", is_staff=True, is_superuser=True)
    setup = open_application(small_rubric)
    for position in range(1, len(setup.interviews) + 1):
        submit(setup, position, rating=3)
    packet = Packet.objects.get(application=setup.application)
    base = live_server.url

    context = browser.new_context()
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    page.set_default_timeout(15_000)
    foreign = []
    page.on(
        "request",
        lambda request: None if request.url.startswith(base) else foreign.append(request.url),
    )
    console_errors = []
    page.on(
        "console",
        lambda message: console_errors.append(message.text) if message.type == "error" else None,
    )

    page.goto(f"{base}/accounts/login/?next=/")
    page.fill("input[name=username]", "root")
    page.fill("input[name=password]", "pass-word-123")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")

    violations = {}
    for path, ready in [
        ("/", "main"),
        ("/packets/", "main"),
        (f"/packets/{packet.pk}/", "svg.heatmap"),
        ("/rubrics/", "main"),
        ("/reports/funnel/", "main"),
        ("/admin/", "#content"),
        ("/admin/hiring/auditevent/", "#changelist"),
        ("/api/docs/", ".swagger-ui .opblock"),  # rendered by Swagger UI's script
    ]:
        page.goto(f"{base}{path}")
        page.wait_for_selector(ready)
        found = page.evaluate("window.__cspViolations")
        if found:
            violations[path] = found

    assert violations == {}
    assert foreign == []
    assert [text for text in console_errors if "Content Security Policy" in text] == []
    page.goto(f"{base}/api/docs/")
    page.wait_for_selector(".swagger-ui .opblock")
    assert page.locator(".swagger-ui .opblock").count() > 10
    context.close()
