import pytest
from django.contrib.auth.models import Group

from hiring.models import Packet, PacketStatus
from hiring.services import requisition_create
from tests.conftest import roles_present
from tests.factories import UserFactory
from tests.hiring.builders import open_application, submit

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def sign_in(page, base_url, username, next_url):
    page.goto(f"{base_url}/accounts/login/?next={next_url}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pass-word-123")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}{next_url}")


def committee_user(username, *groups):
    user = UserFactory(username=username, first_name=username.title())
    for name in ("committee member", *groups):
        user.groups.add(Group.objects.get(name=name))
    return user


def test_the_committee_reviews_votes_and_decides(live_server, browser, small_rubric, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # the packet is computed in this process
    roles_present()
    casey = committee_user("casey")
    morgan = committee_user("morgan", "committee chair")
    outsider = committee_user("olivia")
    setup = open_application(small_rubric, committee=[casey, morgan])
    requisition_create(
        title="Another team",
        role_profile=small_rubric.profile,
        level=small_rubric.ic3,
        hiring_manager=UserFactory(),
        recruiter=UserFactory(),
        committee_members=[outsider],
    )
    for position in range(1, len(setup.interviews) + 1):
        submit(setup, position, rating=3, evidence="Built a ranking model end to end.")
    packet = Packet.objects.get(application=setup.application)
    assert packet.status == PacketStatus.READY
    base = live_server.url

    member = browser.new_context().new_page()
    sign_in(member, base, casey.username, "/packets/")
    member.click("text=Ada Lovelace")
    member.wait_for_url(f"{base}/packets/{packet.pk}/")
    assert member.locator("svg.heatmap").count() == 1
    assert "Built a ranking model end to end." in member.content()
    assert "Votes are blind" in member.content()
    member.locator("form.vote input[name=choice][value=hire]").check()
    member.select_option("form.vote select[name=level]", "IC3")
    member.fill("form.vote textarea[name=rationale]", "Consistent yes on both musts.")
    member.click("text=Cast vote")
    assert "Your vote is recorded" in member.content()
    assert "Consistent yes on both musts." in member.locator("table.votes").inner_text()

    chair = browser.new_context().new_page()
    sign_in(chair, base, morgan.username, f"/packets/{packet.pk}/")
    chair.locator("form.decide input[name=outcome][value=hire]").check()
    chair.select_option("form.decide select[name=level]", "IC3")
    chair.fill("form.decide textarea[name=rationale]", "Hire at IC3 as planned.")
    chair.click("button:has-text('Record decision')")
    assert "Decision recorded." in chair.content()
    history = chair.locator("ol.history").inner_text()
    assert "Hire at IC3" in history
    assert "Hire at IC3 as planned." in history

    member.goto(f"{base}/packets/")
    assert "Decided: Hire" in member.locator("table.packets").inner_text()

    stranger = browser.new_context().new_page()
    sign_in(stranger, base, outsider.username, "/packets/")
    response = stranger.goto(f"{base}/packets/{packet.pk}/")
    assert response.status == 404
