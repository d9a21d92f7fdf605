"""Notifications: the committee is told once when a packet is ready, and every decision reaches
the webhook signed, retried until the receiver takes it, and never sent twice once it has."""

from __future__ import annotations

import json
import smtplib
import threading
import time
from collections.abc import Generator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.mail.backends import locmem

from config.settings import decision_webhook_settings_check
from hiring.committee import decision_amend, decision_record
from hiring.models import (
    Packet,
    PacketNotification,
    PacketStatus,
    VoteChoice,
    WebhookDelivery,
    WebhookStatus,
)
from hiring.notifications import (
    WebhookDeliveryError,
    decision_webhook_enqueue,
    packet_ready_notify,
    packet_url,
    webhook_deliver,
    webhook_redeliver,
    webhook_signature_verify,
)
from hiring.tasks import notify_decision_webhook_task, notify_packet_ready_task
from tests.factories import DecisionFactory, PacketFactory, UserFactory
from tests.hiring.builders import open_application, submit
from tests.worker import (
    CeleryWorker,
    closed_port,
    purge_queues,
    wait_until,
    worker_environment,
)

pytestmark = pytest.mark.django_db

SECRET = "test-webhook-secret-0123456789abcdef"
BASE_URL = "https://debrief.example.com"


# --- a real receiver ------------------------------------------------------------------------------


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float  # time.monotonic() on arrival


@dataclass
class Receiver:
    """A webhook receiver on 127.0.0.1: answers each POST with the next status in `script`
    (200 once the script runs out) and keeps what it was sent."""

    url: str
    script: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    hang: threading.Event | None = None

    def wait_for(self, count: int, timeout: float = 15.0) -> list[Received]:
        """The first `count` requests, once they have arrived (for the worker tests)."""
        deadline = time.monotonic() + timeout
        while len(self.received) < count:
            if time.monotonic() > deadline:
                pytest.fail(f"the receiver got {len(self.received)} of {count} requests")
            time.sleep(0.05)
        return self.received[:count]


def serve(receiver_holder: list[Receiver]) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            receiver = receiver_holder[0]
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if receiver.hang is not None:
                receiver.hang.wait(10)  # answers nothing until the test is over
            receiver.received.append(
                Received(self.path, dict(self.headers.items()), body, time.monotonic())
            )
            status = receiver.script.pop(0) if receiver.script else 200
            answer = b"ok" if status < 300 else b"receiver says no"
            self.send_response(status)
            if 300 <= status < 400:
                self.send_header("Location", "/elsewhere")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return ThreadingHTTPServer(("127.0.0.1", 0), Handler)


@pytest.fixture
def receiver(monkeypatch) -> Generator[Receiver, None, None]:
    # A proxy from the environment must not carry requests to 127.0.0.1 elsewhere.
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    holder: list[Receiver] = []
    server = serve(holder)
    holder.append(Receiver(url=f"http://127.0.0.1:{server.server_address[1]}/hooks/debrief"))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield holder[0]
    finally:
        if holder[0].hang is not None:
            holder[0].hang.set()
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(autouse=True)
def notification_settings(settings):
    """In-process (embedded) tasks, links to a known base URL, and no webhook unless a test
    configures one."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.DEBRIEF_BASE_URL = BASE_URL + "/"
    settings.DECISION_WEBHOOK_URL = ""
    settings.DECISION_WEBHOOK_SECRET = SECRET
    settings.DECISION_WEBHOOK_TIMEOUT = 5


@pytest.fixture
def webhook(settings, receiver) -> Receiver:
    settings.DECISION_WEBHOOK_URL = receiver.url
    return receiver


def pending_delivery(django_capture_on_commit_callbacks, **decision):
    """A decision and its delivery, committed but not yet sent (the task has not run)."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        delivery = decision_webhook_enqueue(decision=DecisionFactory(**decision))
    assert delivery is not None
    assert len(callbacks) == 1
    return delivery


def assert_signed(request: Received) -> None:
    headers = request.headers
    assert webhook_signature_verify(
        SECRET, headers["X-Debrief-Timestamp"], request.body, headers["X-Debrief-Signature"]
    )


# --- settings -------------------------------------------------------------------------------------


def test_a_url_without_a_secret_refuses_to_start():
    with pytest.raises(ImproperlyConfigured, match="DECISION_WEBHOOK_SECRET"):
        decision_webhook_settings_check(url="https://ats.example.com/hook", secret="")
    with pytest.raises(ImproperlyConfigured, match="at least 16"):
        decision_webhook_settings_check(url="https://ats.example.com/hook", secret="short")
    with pytest.raises(ImproperlyConfigured, match="http"):
        decision_webhook_settings_check(url="ftp://ats.example.com/hook", secret=SECRET)
    with pytest.raises(ImproperlyConfigured, match="TIMEOUT"):
        decision_webhook_settings_check(url="", secret="", timeout=0)

    decision_webhook_settings_check(url="https://ats.example.com/hook", secret=SECRET)
    decision_webhook_settings_check(url="", secret="")  # no webhook: nothing to sign


def test_with_no_url_configured_a_decision_records_and_sends_nothing(
    django_capture_on_commit_callbacks,
):
    decision = DecisionFactory()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        delivery = decision_webhook_enqueue(decision=decision)

    assert delivery is None
    assert callbacks == []
    assert not WebhookDelivery.objects.exists()


# --- the webhook ----------------------------------------------------------------------------------


def test_the_payload_identifies_the_decision_without_personal_data(
    webhook, django_capture_on_commit_callbacks
):
    delivery = pending_delivery(
        django_capture_on_commit_callbacks,
        packet__application__candidate__name="Ada Lovelace",
        packet__application__candidate__phone="+44 20 7946 0000",
        packet__application__requisition__title="Senior MLE, Search",
        rationale="Confidential reasoning about Ada.",
    )
    decision = delivery.decision
    packet = decision.packet

    assert delivery.status == WebhookStatus.PENDING
    assert delivery.url == webhook.url
    assert webhook.received == []  # nothing leaves before the decision's transaction commits
    assert delivery.payload == {
        "event": "decision.recorded",
        "decision": {
            "id": decision.pk,
            "version": 1,
            "outcome": "hire",
            "level": packet.application.requisition.level.code,
            "diverges": False,
            "follow_up_requested": False,
            "decided_at": decision.decided_at.isoformat(),
            "decided_by": decision.decided_by.username,
        },
        "packet": {"id": packet.pk, "url": f"{BASE_URL}/packets/{packet.pk}/"},
        "application": {"id": packet.application_id},
        "requisition": {
            "id": packet.application.requisition_id,
            "title": "Senior MLE, Search",
        },
    }
    text = json.dumps(delivery.payload)
    candidate = packet.application.candidate
    for private in (candidate.name, candidate.email, candidate.phone, decision.rationale):
        assert private not in text


def test_the_webhook_arrives_signed_and_a_tampered_body_fails_verification(
    webhook, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        delivery = decision_webhook_enqueue(decision=DecisionFactory())
    assert delivery is not None

    [request] = webhook.received
    headers = request.headers
    assert request.path == "/hooks/debrief"
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Debrief-Event"] == "decision.recorded"
    assert headers["X-Debrief-Delivery"] == str(delivery.pk)
    assert abs(int(headers["X-Debrief-Timestamp"]) - time.time()) < 60
    assert headers["X-Debrief-Signature"].startswith("sha256=")
    assert json.loads(request.body) == delivery.payload
    assert_signed(request)
    timestamp, signature = headers["X-Debrief-Timestamp"], headers["X-Debrief-Signature"]
    tampered = request.body.replace(b'"outcome":"hire"', b'"outcome":"no_hire"')
    assert tampered != request.body
    assert not webhook_signature_verify(SECRET, timestamp, tampered, signature)
    assert not webhook_signature_verify(
        "another-secret-0123456789", timestamp, request.body, signature
    )
    assert not webhook_signature_verify(SECRET, int(timestamp) + 1, request.body, signature)
    # A captured request replayed later is refused, unless the receiver opts out of the check.
    later = int(timestamp) + 3600
    assert not webhook_signature_verify(SECRET, timestamp, request.body, signature, now=later)
    assert webhook_signature_verify(
        SECRET, timestamp, request.body, signature, now=later, tolerance=None
    )

    delivery.refresh_from_db()
    assert delivery.status == WebhookStatus.DELIVERED
    assert delivery.attempts == 1
    assert delivery.response_status == 200
    assert delivery.delivered_at is not None


def test_a_failed_attempt_is_recorded_and_raised_and_the_retry_delivers(
    webhook, django_capture_on_commit_callbacks
):
    webhook.script = [500, 200]
    delivery = pending_delivery(django_capture_on_commit_callbacks)

    with pytest.raises(WebhookDeliveryError, match="HTTP 500"):
        webhook_deliver(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert delivery.status == WebhookStatus.PENDING
    assert delivery.attempts == 1
    assert delivery.response_status == 500
    assert "receiver says no" in delivery.last_error
    assert delivery.delivered_at is None

    delivered = webhook_deliver(delivery_id=delivery.pk)

    assert delivered.status == WebhookStatus.DELIVERED
    assert delivered.attempts == 2
    assert delivered.response_status == 200
    assert len(webhook.received) == 2
    for request in webhook.received:
        assert request.headers["X-Debrief-Delivery"] == str(delivery.pk)
        assert_signed(request)
    assert webhook.received[0].body == webhook.received[1].body


def test_a_delivered_delivery_is_never_sent_again(webhook, django_capture_on_commit_callbacks):
    delivery = pending_delivery(django_capture_on_commit_callbacks)
    webhook_deliver(delivery_id=delivery.pk)
    assert len(webhook.received) == 1

    again = webhook_deliver(delivery_id=delivery.pk)
    notify_decision_webhook_task.apply(args=[delivery.pk], throw=True)  # a redelivered task
    reopened = webhook_redeliver(delivery=delivery)

    assert again.status == WebhookStatus.DELIVERED
    assert again.attempts == 1
    assert reopened is False
    assert len(webhook.received) == 1


def test_an_unreachable_receiver_is_a_retryable_failure(
    settings, django_capture_on_commit_callbacks
):
    settings.DECISION_WEBHOOK_URL = f"http://127.0.0.1:{closed_port()}/hook"
    delivery = pending_delivery(django_capture_on_commit_callbacks)

    with pytest.raises(WebhookDeliveryError):
        webhook_deliver(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert delivery.status == WebhookStatus.PENDING
    assert delivery.attempts == 1
    assert delivery.response_status is None
    assert "refused" in delivery.last_error.lower()


def test_a_receiver_that_never_answers_times_out(
    settings, webhook, django_capture_on_commit_callbacks
):
    settings.DECISION_WEBHOOK_TIMEOUT = 0.5
    webhook.hang = threading.Event()
    delivery = pending_delivery(django_capture_on_commit_callbacks)

    started = time.monotonic()
    with pytest.raises(WebhookDeliveryError, match="timed out"):
        webhook_deliver(delivery_id=delivery.pk)

    # Not a speed target: without the timeout this call would wait as long as the receiver.
    assert time.monotonic() - started < 5
    assert WebhookDelivery.objects.get().attempts == 1


def test_a_redirect_is_not_a_delivery(webhook, django_capture_on_commit_callbacks):
    webhook.script = [302]
    delivery = pending_delivery(django_capture_on_commit_callbacks)

    with pytest.raises(WebhookDeliveryError, match="HTTP 302"):
        webhook_deliver(delivery_id=delivery.pk)

    assert len(webhook.received) == 1  # the redirect was not followed
    assert WebhookDelivery.objects.get().response_status == 302


def test_in_embedded_mode_a_failure_is_marked_failed_and_the_admin_retries_it(
    webhook, admin_client, django_capture_on_commit_callbacks
):
    webhook.script = [503]
    with django_capture_on_commit_callbacks(execute=True):
        delivery = decision_webhook_enqueue(decision=DecisionFactory())
    assert delivery is not None
    delivery.refresh_from_db()
    assert delivery.status == WebhookStatus.FAILED  # no broker, so no retry schedule
    assert delivery.attempts == 1
    assert "HTTP 503" in delivery.last_error

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/hiring/webhookdelivery/",
            {"action": "retry", "_selected_action": [delivery.pk]},
            follow=True,
        )

    assert response.status_code == 200
    assert "1 delivery(ies) queued to be sent again." in response.content.decode()
    delivery.refresh_from_db()
    assert delivery.status == WebhookStatus.DELIVERED
    assert delivery.attempts == 2
    assert len(webhook.received) == 2


def test_the_admin_shows_deliveries_and_notifications_read_only(admin_client, webhook):
    delivery = WebhookDelivery.objects.create(
        decision=DecisionFactory(), url=webhook.url, payload={"event": "decision.recorded"}
    )

    listing = admin_client.get("/admin/hiring/webhookdelivery/")
    detail = admin_client.get(f"/admin/hiring/webhookdelivery/{delivery.pk}/change/")
    add = admin_client.get("/admin/hiring/webhookdelivery/add/")
    notifications = admin_client.get("/admin/hiring/packetnotification/")

    assert listing.status_code == 200
    assert detail.status_code == 200
    assert b'name="_save"' not in detail.content
    assert add.status_code == 403
    assert notifications.status_code == 200


def test_the_decision_services_announce_each_decision_and_amendment(
    webhook, django_capture_on_commit_callbacks
):
    chair = UserFactory(is_superuser=True, is_staff=True)
    packet = PacketFactory(p_above_bar=0.8)
    level = packet.application.requisition.level

    with django_capture_on_commit_callbacks(execute=True):
        decision_record(
            packet=packet, user=chair, outcome=VoteChoice.HIRE, level=level, rationale="Strong."
        )
    with django_capture_on_commit_callbacks(execute=True):
        decision_amend(
            packet=packet,
            user=chair,
            expected_version=1,
            outcome=VoteChoice.HOLD,
            level=level,
            reason="References pending.",
        )

    events = [json.loads(request.body) for request in webhook.received]
    assert [event["event"] for event in events] == ["decision.recorded", "decision.amended"]
    assert [event["decision"]["version"] for event in events] == [1, 2]
    assert [event["decision"]["outcome"] for event in events] == ["hire", "hold"]
    assert all(event["decision"]["decided_by"] == chair.username for event in events)
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"delivered"}


# --- the committee is told a packet is ready ------------------------------------------------------


@pytest.fixture
def committee(db):
    return [
        UserFactory(username="chair", email="chair@example.com"),
        UserFactory(username="member", email="member@example.com"),
        UserFactory(username="no-address", email=""),
    ]


def complete(setup, django_capture_on_commit_callbacks):
    """Submit every interview's feedback, running the pipeline (and its notification) in-process."""
    with django_capture_on_commit_callbacks(execute=True):
        for position in range(1, len(setup.interviews) + 1):
            submit(setup, position, rating=4)
    return Packet.objects.get(application=setup.application)


def test_a_ready_packet_emails_each_committee_member_once(
    small_rubric, committee, mailoutbox, django_capture_on_commit_callbacks
):
    setup = open_application(small_rubric, committee=committee)
    outsider = UserFactory(username="outsider", email="outsider@example.com")

    packet = complete(setup, django_capture_on_commit_callbacks)

    assert packet.status == PacketStatus.READY
    assert sorted(message.to[0] for message in mailoutbox) == [
        "chair@example.com",
        "member@example.com",
    ]
    for message in mailoutbox:
        assert len(message.to) == 1
        assert message.subject == "Ready for review: Ada Lovelace, Senior MLE, Search (IC3)"
        assert f"{BASE_URL}/packets/{packet.pk}/" in message.body
        assert packet_url(packet.pk) in message.body
        assert "Ada Lovelace" in message.body
        assert "ada@example.com" not in message.body  # the candidate's address stays out
        assert "P(above" not in message.body
        assert f"{packet.p_above_bar:.2f}" not in message.body
    sent_to = {message.to[0] for message in mailoutbox}
    assert outsider.email not in sent_to
    assert "recruiter@example.com" not in sent_to
    events = set(PacketNotification.objects.values_list("event", flat=True))
    assert len(events) == 1
    [event] = events
    assert event.startswith("ready:")

    again = notify_packet_ready_task.apply(args=[packet.pk, event], throw=True)  # redelivered

    assert again.result == 0
    assert len(mailoutbox) == 2
    assert PacketNotification.objects.filter(packet=packet).count() == 2


def test_a_worker_dying_after_the_claim_misses_a_message_rather_than_doubling_it(
    committee, mailoutbox, django_capture_on_commit_callbacks
):
    packet = PacketFactory(application__requisition__committee_members=committee)

    with django_capture_on_commit_callbacks(execute=False):  # committed; the send never ran
        claimed = packet_ready_notify(packet_id=packet.pk, event="ready:1")
    retried = packet_ready_notify(packet_id=packet.pk, event="ready:1")

    assert claimed == 2
    assert retried == 0
    assert mailoutbox == []


def test_a_message_the_mail_server_refused_is_sent_by_the_retry(
    committee, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    packet = PacketFactory(application__requisition__committee_members=committee)
    real_send = locmem.EmailBackend.send_messages

    def refuse_the_chair(backend, messages):
        if any("chair@example.com" in message.to for message in messages):
            raise smtplib.SMTPServerDisconnected("connection lost")
        return real_send(backend, messages)

    monkeypatch.setattr(locmem.EmailBackend, "send_messages", refuse_the_chair)
    with (
        pytest.raises(smtplib.SMTPServerDisconnected),
        django_capture_on_commit_callbacks(execute=True),
    ):
        packet_ready_notify(packet_id=packet.pk, event="ready:1")

    assert [message.to for message in mailoutbox] == [["member@example.com"]]
    assert list(PacketNotification.objects.values_list("recipient__email", flat=True)) == [
        "member@example.com"
    ]

    monkeypatch.setattr(locmem.EmailBackend, "send_messages", real_send)
    with django_capture_on_commit_callbacks(execute=True):
        retried = packet_ready_notify(packet_id=packet.pk, event="ready:1")

    assert retried == 1
    assert [message.to for message in mailoutbox] == [
        ["member@example.com"],
        ["chair@example.com"],
    ]


def test_a_packet_decided_before_the_task_ran_tells_nobody(
    committee, mailoutbox, django_capture_on_commit_callbacks
):
    packet = PacketFactory(
        application__requisition__committee_members=committee, status=PacketStatus.DECIDED
    )

    with django_capture_on_commit_callbacks(execute=True):
        sent = packet_ready_notify(packet_id=packet.pk, event="ready:1")

    assert sent == 0
    assert mailoutbox == []
    assert not PacketNotification.objects.exists()


def test_a_new_ready_event_tells_the_committee_again(
    committee, mailoutbox, django_capture_on_commit_callbacks
):
    """After a follow-up interview the packet becomes ready a second time: a new event."""
    packet = PacketFactory(application__requisition__committee_members=committee)

    with django_capture_on_commit_callbacks(execute=True):
        first = packet_ready_notify(packet_id=packet.pk, event="ready:1")
    with django_capture_on_commit_callbacks(execute=True):
        second = packet_ready_notify(packet_id=packet.pk, event="ready:2")

    assert (first, second) == (2, 2)
    assert len(mailoutbox) == 4


# --- through Redis and a real worker --------------------------------------------------------------


@pytest.fixture
def webhook_worker(settings, webhook, tmp_path) -> Generator[CeleryWorker, None, None]:
    """A worker whose webhook retries come after 1 and 2 seconds, two of them at most."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    worker = CeleryWorker(
        log_path=tmp_path / "worker.log",
        mail_dir=mail_dir,
        env={
            **worker_environment(mail_dir),  # after `webhook`, so with its no_proxy
            "DECISION_WEBHOOK_URL": webhook.url,
            "DECISION_WEBHOOK_SECRET": SECRET,
            "DECISION_WEBHOOK_RETRY_BACKOFF": "1",
            "DECISION_WEBHOOK_MAX_RETRIES": "2",
        },
    )
    purge_queues(worker.queues)
    worker.start()
    try:
        yield worker
    finally:
        worker.stop()
        purge_queues(worker.queues)


def delivery_in(status: str) -> WebhookDelivery | None:
    return WebhookDelivery.objects.filter(status=status).first()


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_worker_retries_with_backoff_until_the_receiver_takes_it(webhook, webhook_worker):
    webhook.script = [500, 502, 200]

    delivery = decision_webhook_enqueue(decision=DecisionFactory())  # commits: enqueued at once

    assert delivery is not None
    delivered = wait_until(lambda: delivery_in(WebhookStatus.DELIVERED), what="the delivery")
    assert delivered.pk == delivery.pk
    assert delivered.attempts == 3
    assert delivered.response_status == 200
    requests = webhook.wait_for(3)
    assert len(webhook.received) == 3
    for request in requests:
        assert request.headers["X-Debrief-Delivery"] == str(delivery.pk)
        assert_signed(request)
    first, second, third = (request.at for request in requests)
    assert second - first >= 0.9  # retried after 1 s, then 2 s: never sooner
    assert third - second >= 1.9
    assert " retry: " in webhook_worker.log_text()


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_after_the_last_retry_the_delivery_is_marked_failed(webhook, webhook_worker):
    webhook.script = [500, 500, 500, 200]

    delivery = decision_webhook_enqueue(decision=DecisionFactory())

    assert delivery is not None
    failed = wait_until(lambda: delivery_in(WebhookStatus.FAILED), what="the failed delivery")
    assert failed.attempts == 3  # the first attempt and two retries
    assert failed.response_status == 500
    assert "HTTP 500" in failed.last_error
    assert len(webhook.received) == 3
    assert delivery_in(WebhookStatus.DELIVERED) is None
