"""Notifications: the committee is told when a packet is ready, and decisions go to a webhook.

Packet ready. When every interview's feedback is in, `packet_refresh` enqueues
`hiring.notify_packet_ready` (hiring.tasks) on commit, and `packet_ready_notify` emails each of the
requisition's committee members. Each message is first claimed as a PacketNotification row, unique
per (packet, recipient, event), and sent only after that row is committed (see
`packet_ready_notify` for why in that order).

Decision webhook. When settings.DECISION_WEBHOOK_URL is set, the decision services call
`decision_webhook_enqueue` inside their transaction: it records a WebhookDelivery and, on commit,
enqueues `hiring.notify_decision_webhook`, which calls `webhook_deliver` and retries with
exponential backoff until the receiver answers 2xx, then gives up and marks the delivery failed
(the admin's "Retry delivery" reopens it). Every request is signed:

    X-Debrief-Signature: sha256=<hex HMAC-SHA256(DECISION_WEBHOOK_SECRET, f"{timestamp}." + body)>

where the timestamp is X-Debrief-Timestamp; receivers check it with `webhook_signature_verify`.
Delivery is at least once: a receiver should use X-Debrief-Delivery to ignore a repeat.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import logging
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC
from functools import partial
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import User
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from hiring.mailing import claimed_mail_deliver
from hiring.models import (
    Decision,
    Packet,
    PacketNotification,
    PacketStatus,
    WebhookDelivery,
    WebhookStatus,
)
from hiring.packets import _run_or_enqueue

logger = logging.getLogger(__name__)

PACKET_READY_TASK = "hiring.notify_packet_ready"
DECISION_WEBHOOK_TASK = "hiring.notify_decision_webhook"

# The packet page; a plain path, so links do not depend on the URL configuration being loaded.
PACKET_PATH = "/packets/{packet_id}/"


EVENT_RECORDED = "decision.recorded"
EVENT_AMENDED = "decision.amended"
SIGNATURE_PREFIX = "sha256="
# A signed request older (or newer) than this is refused by webhook_signature_verify: a captured
# request cannot be replayed later.
SIGNATURE_TOLERANCE_SECONDS = 300
USER_AGENT = "Debrief-Webhook/1"
# How much of a failing receiver's answer is kept in WebhookDelivery.last_error.
ERROR_DETAIL_CHARS = 500


def packet_url(packet_id: int) -> str:
    """The packet page, absolute, for links in emails and webhook payloads."""
    return f"{settings.DEBRIEF_BASE_URL.rstrip('/')}{PACKET_PATH.format(packet_id=packet_id)}"


# --- the committee is told a packet is ready -----------------------------------------------------


@dataclass(frozen=True)
class _Outgoing:
    recipient_id: int
    message: mail.EmailMessage


def packet_ready_notify(*, packet_id: int, event: str) -> int:
    """Email every committee member of the packet's requisition (who has an address) that it is
    ready for review; return how many messages this call sent (or, called inside a transaction,
    will send when it commits).

    Idempotent per event: each message is claimed by inserting its PacketNotification row, and
    only the call whose insert wins sends it. The row is committed *before* the message is sent,
    never after: a worker that dies between the two leaves a row without a message, so the
    redelivered task skips that member (one missed email; the packet is on their dashboard
    anyway) instead of emailing them twice, which the other order would do. A send the mail
    server reports as failed gives its row back and raises, so the task's retry sends exactly
    the messages that did not go.
    """
    field = PacketNotification._meta.get_field("event")
    assert isinstance(field, models.CharField)
    assert field.max_length is not None
    if not event or len(event) > field.max_length:
        raise ValueError(f"an event is 1 to {field.max_length} characters: {event!r}")
    packet = (
        Packet.objects.select_related("application__candidate", "application__requisition__level")
        .filter(pk=packet_id)
        .first()
    )
    if packet is None:
        logger.info("Packet %s is gone; nobody to tell it is ready", packet_id)
        return 0
    if packet.status != PacketStatus.READY:
        # Decided, or back to collecting after a follow-up, since the task was enqueued.
        logger.info("Packet %s is %s, no longer ready; not notifying", packet_id, packet.status)
        return 0
    members = list(
        packet.application.requisition.committee_members.filter(is_active=True).order_by("pk")
    )
    outgoing = []
    for member in members:
        if not member.email:
            logger.warning("Committee member %s has no email; cannot tell them", member.pk)
            continue
        outgoing.append(
            _Outgoing(recipient_id=member.pk, message=_ready_message(packet=packet, member=member))
        )
    with transaction.atomic():
        claimed = _claim(packet_id=packet.pk, event=event, outgoing=outgoing)
        if claimed:
            transaction.on_commit(partial(_deliver, claimed))
    logger.info("Packet %s ready (%s): %d member(s) told", packet_id, event, len(claimed))
    return len(claimed)


def _claim(*, packet_id: int, event: str, outgoing: list[_Outgoing]) -> list[tuple[_Outgoing, int]]:
    """Insert one row per message; keep the messages whose row this call inserted. One by one,
    because a committee is small and a concurrent delivery may have claimed any of them."""
    won = []
    for item in outgoing:
        try:
            with transaction.atomic():
                row = PacketNotification.objects.create(
                    packet_id=packet_id, recipient_id=item.recipient_id, event=event
                )
        except IntegrityError:
            continue  # already told (or being told) about this event
        won.append((item, row.pk))
    return won


def _deliver(claimed: list[tuple[_Outgoing, int]]) -> None:
    claimed_mail_deliver(
        [(item.message, row_id) for item, row_id in claimed],
        claims=PacketNotification,
        what="Packet ready",
    )


def _ready_message(*, packet: Packet, member: User) -> mail.EmailMessage:
    """Who, for which role, and where to look. No ratings, scores or self-identification: the
    member reads the evidence on the packet page, where access is checked."""
    application = packet.application
    requisition = application.requisition
    name = application.candidate.name
    greeting = member.get_short_name() or member.get_username()
    ready = ""
    if packet.ready_at is not None:
        local = packet.ready_at.astimezone(ZoneInfo(settings.TIME_ZONE))
        ready = f"  Ready since: {local:%Y-%m-%d %H:%M} {settings.TIME_ZONE}\n"
    body = (
        f"Hello {greeting},\n\n"
        "Every interview's feedback is in, and this candidate's packet is ready for the "
        "committee's review:\n\n"
        f"  Candidate: {name}\n"
        f"  Role: {requisition.title}, level {requisition.level.code}\n"
        f"{ready}\n"
        f"Review the evidence and cast your vote: {packet_url(packet.pk)}\n\n"
        "Votes are blind: you see the others' votes once you have cast yours.\n\n"
        "Debrief\n"
    )
    subject = f"Ready for review: {name}, {requisition.title} ({requisition.level.code})"
    return mail.EmailMessage(subject=subject, body=body, to=[member.email])


# --- the decision webhook ------------------------------------------------------------------------


class WebhookDeliveryError(Exception):
    """An attempt the receiver did not accept (no 2xx answer, or no answer): worth retrying."""


def decision_webhook_payload(decision: Decision) -> dict[str, Any]:
    """What a decision tells the outside world: identifiers, the outcome and level, who decided
    and when, and a link to the packet.

    Deliberately left out: the candidate's name, email and phone, the rationale, divergence and
    amendment texts, votes, ratings and P(above the bar). Those are personal data or assessment
    of a person, and a webhook copies them to a system whose access Debrief does not control;
    the receiver identifies the candidate by application id and people read the reasoning on the
    packet page, where access is checked."""
    packet = decision.packet
    application = packet.application
    requisition = application.requisition
    return {
        "event": EVENT_AMENDED if decision.version > 1 else EVENT_RECORDED,
        "decision": {
            "id": decision.pk,
            "version": decision.version,
            "outcome": decision.outcome,
            "level": decision.level.code if decision.level is not None else None,
            "diverges": decision.diverges,
            "follow_up_requested": decision.follow_up_requested,
            "decided_at": decision.decided_at.astimezone(UTC).isoformat(),
            "decided_by": decision.decided_by.get_username(),
        },
        "packet": {"id": packet.pk, "url": packet_url(packet.pk)},
        "application": {"id": application.pk},
        "requisition": {"id": requisition.pk, "title": requisition.title},
    }


def decision_webhook_enqueue(*, decision: Decision) -> WebhookDelivery | None:
    """Record the webhook delivery for a decision just written, and send it once the decision's
    transaction commits (so a rolled-back decision is never announced). Call it inside that
    transaction. Returns None when no webhook is configured."""
    url = settings.DECISION_WEBHOOK_URL
    if not url:
        return None
    delivery = WebhookDelivery.objects.create(
        decision=decision, url=url, payload=decision_webhook_payload(decision)
    )
    transaction.on_commit(partial(_enqueue_delivery, delivery.pk))
    return delivery


def _enqueue_delivery(delivery_id: int) -> None:
    _run_or_enqueue(DECISION_WEBHOOK_TASK, delivery_id)


def webhook_body(payload: dict[str, Any]) -> bytes:
    """The exact bytes sent and signed: compact, keys sorted, ASCII. The database may reorder a
    JSON object's keys (PostgreSQL's jsonb does), so the body is always rebuilt the same way."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":")).encode("ascii")


def webhook_signature(secret: str, timestamp: int | str, body: bytes) -> str:
    """The X-Debrief-Signature value: sha256=<hex HMAC-SHA256(secret, f"{timestamp}." + body)>.
    The timestamp is signed with the body so an old request cannot be replayed with a new one."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return SIGNATURE_PREFIX + digest.hexdigest()


def webhook_signature_verify(
    secret: str,
    timestamp: int | str,
    body: bytes,
    header: str,
    *,
    tolerance: int | None = SIGNATURE_TOLERANCE_SECONDS,
    now: float | None = None,
) -> bool:
    """For receivers (and tests): True when `header` (X-Debrief-Signature) is the signature of
    the raw request `body` under `secret` and `timestamp` (X-Debrief-Timestamp), and the
    timestamp is within `tolerance` seconds of `now` (None: no age check). Verify the raw bytes
    as received, before parsing the JSON; the comparison takes constant time."""
    try:
        signed_at = int(timestamp)
    except (TypeError, ValueError):
        return False
    if tolerance is not None:
        current = time.time() if now is None else now
        if abs(current - signed_at) > tolerance:
            return False
    expected = webhook_signature(secret, signed_at, body)
    return hmac.compare_digest(expected.encode(), header.strip().encode())


@dataclass(frozen=True)
class _Attempt:
    status: int | None
    error: str

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is not a delivery: following it would turn the POST into a GET (or re-send the
    signed body somewhere else), so a 3xx is reported as a failed attempt instead."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _post(delivery: WebhookDelivery, secret: str) -> _Attempt:
    if urlsplit(delivery.url).scheme not in {"http", "https"}:
        return _Attempt(status=None, error=f"not an http(s) URL: {delivery.url}")
    body = webhook_body(delivery.payload)
    timestamp = str(int(time.time()))
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        delivery.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-Debrief-Event": str(delivery.payload.get("event", "")),
            "X-Debrief-Delivery": str(delivery.pk),
            "X-Debrief-Timestamp": timestamp,
            "X-Debrief-Signature": webhook_signature(secret, timestamp, body),
        },
    )
    opener = urllib.request.build_opener(_NoRedirects)
    try:
        with opener.open(request, timeout=settings.DECISION_WEBHOOK_TIMEOUT) as response:
            status = int(response.status)
            detail = "" if 200 <= status < 300 else _detail(response.read(ERROR_DETAIL_CHARS))
    except urllib.error.HTTPError as exc:  # any status urllib does not pass through (>= 300)
        try:
            detail = _detail(exc.read(ERROR_DETAIL_CHARS))
        except (OSError, http.client.HTTPException, ValueError):
            detail = ""
        finally:
            exc.close()
        return _Attempt(status=exc.code, error=f"HTTP {exc.code} {exc.reason}: {detail}")
    except (OSError, http.client.HTTPException, ValueError) as exc:
        # Refused, unreachable, timed out, TLS failure, a malformed answer.
        return _Attempt(status=None, error=f"{type(exc).__name__}: {exc}"[:ERROR_DETAIL_CHARS])
    if detail:
        return _Attempt(status=status, error=f"HTTP {status}: {detail}")
    return _Attempt(status=status, error="")


def _detail(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace").strip()


def webhook_deliver(*, delivery_id: int) -> WebhookDelivery:
    """Make one attempt at a pending delivery; raise WebhookDeliveryError (after recording the
    attempt) unless the receiver answered 2xx.

    Safe under redelivery: a delivered (or failed) delivery is returned untouched, and the row is
    locked for the attempt, so a concurrent copy of the task skips it rather than POSTing the
    same delivery twice at once."""
    secret = settings.DECISION_WEBHOOK_SECRET
    if not secret:
        raise ImproperlyConfigured("DECISION_WEBHOOK_SECRET is empty; webhooks are never unsigned.")
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None:
            # Gone (DoesNotExist is raised), or another worker is attempting it right now.
            return WebhookDelivery.objects.get(pk=delivery_id)
        if delivery.status != WebhookStatus.PENDING:
            return delivery
        attempt = _post(delivery, secret)
        delivery.attempts += 1
        delivery.response_status = attempt.status
        fields = ["attempts", "response_status"]
        if attempt.ok:
            delivery.status = WebhookStatus.DELIVERED
            delivery.delivered_at = timezone.now()
            fields += ["status", "delivered_at"]
        else:
            delivery.last_error = attempt.error
            fields.append("last_error")
        delivery.save(update_fields=fields)
    if not attempt.ok:
        raise WebhookDeliveryError(
            f"webhook delivery {delivery.pk}, attempt {delivery.attempts}: {attempt.error}"
        )
    logger.info("Webhook delivery %s delivered (HTTP %s)", delivery.pk, attempt.status)
    return delivery


def webhook_mark_failed(*, delivery_id: int, error: str = "") -> bool:
    """Give up on a delivery the retries did not get through; True if it was still pending."""
    updates: dict[str, Any] = {"status": WebhookStatus.FAILED}
    if error:
        updates["last_error"] = error[: ERROR_DETAIL_CHARS * 2]
    marked = bool(
        WebhookDelivery.objects.filter(pk=delivery_id, status=WebhookStatus.PENDING).update(
            **updates
        )
    )
    if marked:
        logger.error(
            "Webhook delivery %s failed for good: %s. Retry it from the admin (Webhook "
            "deliveries > Retry delivery) once the receiver is fixed.",
            delivery_id,
            error or "no more retries",
        )
    return marked


def webhook_redeliver(*, delivery: WebhookDelivery) -> bool:
    """Send a failed delivery again (and a pending one whose task was lost, say to a broker
    outage) with a fresh round of retries; a delivered one is never sent again. Returns whether
    it was re-enqueued."""
    with transaction.atomic():
        reopened = WebhookDelivery.objects.filter(
            pk=delivery.pk, status__in=[WebhookStatus.FAILED, WebhookStatus.PENDING]
        ).update(status=WebhookStatus.PENDING)
        if reopened:
            transaction.on_commit(partial(_enqueue_delivery, delivery.pk))
    return bool(reopened)
