"""Celery entry points for hiring: each loads nothing, calls one service, and is safe to retry
because the service underneath is idempotent."""

import logging
import smtplib
import socket
from typing import Any

from billiard.einfo import ExceptionInfo
from celery import Task, shared_task
from django.conf import settings
from django.db import OperationalError

logger = logging.getLogger(__name__)

# Worth retrying: the database or the mail server briefly away. Anything else is a bug to see.
TRANSIENT_ERRORS = (
    OperationalError,
    smtplib.SMTPException,
    ConnectionError,
    TimeoutError,
    socket.gaierror,
)


@shared_task(
    name="hiring.feedback_reminders_send",
    acks_late=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
)
def feedback_reminders_send_task() -> dict[str, int]:
    """Run hourly by django-celery-beat (the "Feedback reminders" periodic task)."""
    from hiring.reminders import feedback_reminders_send

    return feedback_reminders_send().as_dict()


@shared_task(
    name="hiring.packet_refresh",
    acks_late=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=8,
)
def packet_refresh_task(packet_id: int) -> None:
    from hiring.packets import packet_refresh

    packet_refresh(packet_id=packet_id)


@shared_task(
    name="hiring.packet_sweep_stale",
    acks_late=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    max_retries=3,
)
def packet_sweep_stale_task() -> int:
    """Run every minute by django-celery-beat: re-enqueues what a broker outage left stale."""
    from hiring.packets import packets_sweep_stale

    return packets_sweep_stale()


@shared_task(
    name="hiring.calibration_refit",
    acks_late=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    max_retries=3,
)
def calibration_refit_task(only_if_due: bool = False) -> None:
    """Nightly, and after every CALIBRATION_REFIT_EVERY new scorecards (only_if_due: a refit
    enqueued by an earlier submit may already have taken these scorecards in)."""
    from hiring.packets import calibration_refit, refit_due

    if only_if_due and not refit_due():
        return
    calibration_refit()


# --- notifications (hiring/notifications.py) -----------------------------------------------------


@shared_task(
    bind=True,
    name="hiring.notify_packet_ready",
    acks_late=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=8,
)
def notify_packet_ready_task(self: Task[Any, Any], packet_id: int, event: str) -> int:
    """Enqueued on commit when a packet becomes ready; tells its committee once per event."""
    from hiring.mailing import MAIL_DELIVERY_ERRORS
    from hiring.notifications import packet_ready_notify

    if not self.request.is_eager:
        return packet_ready_notify(packet_id=packet_id, event=event)
    # Embedded mode runs this inside the request that completed the packet, where a retry
    # would only repeat at once and an error would fail a request whose data is already saved.
    try:
        return packet_ready_notify(packet_id=packet_id, event=event)
    except MAIL_DELIVERY_ERRORS:
        logger.warning(
            "Packet %s ready: mail not delivered (embedded mode does not retry)",
            packet_id,
            exc_info=True,
        )
        return 0


class DecisionWebhookTask(Task[Any, Any]):
    """Marks the delivery failed once its last retry fails, or anything else stops it for good
    (with autoretry, on_failure runs only then, never between retries)."""

    def on_failure(
        self,
        exc: Exception,
        task_id: str,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        einfo: ExceptionInfo,
    ) -> None:
        from hiring.notifications import webhook_mark_failed

        delivery_id = args[0] if args else kwargs.get("delivery_id")
        try:
            if delivery_id is not None:
                webhook_mark_failed(delivery_id=int(delivery_id), error=f"{exc}")
        except Exception:  # the database is away too: the delivery stays pending, retryable
            logger.exception("Could not mark webhook delivery %s failed", delivery_id)
        super().on_failure(exc, task_id, args, kwargs, einfo)


def _webhook_retryable() -> tuple[type[Exception], ...]:
    from hiring.notifications import WebhookDeliveryError

    return (WebhookDeliveryError, OperationalError)


@shared_task(
    bind=True,
    base=DecisionWebhookTask,
    name="hiring.notify_decision_webhook",
    acks_late=True,
    autoretry_for=_webhook_retryable(),
    # DECISION_WEBHOOK_RETRY_BACKOFF seconds, doubling, at most 30 minutes apart: well under the
    # broker's visibility timeout, past which Redis would hand a waiting retry to a second worker.
    retry_backoff=settings.DECISION_WEBHOOK_RETRY_BACKOFF,
    retry_backoff_max=1800,
    retry_jitter=False,
    max_retries=settings.DECISION_WEBHOOK_MAX_RETRIES,
)
def notify_decision_webhook_task(self: DecisionWebhookTask, delivery_id: int) -> str:
    """Enqueued on commit of a decision; one attempt per run, retried until a 2xx answer."""
    from hiring.notifications import WebhookDeliveryError, webhook_deliver, webhook_mark_failed

    if not self.request.is_eager:
        return webhook_deliver(delivery_id=delivery_id).status
    # Embedded mode: one attempt, in the request that recorded the decision. Retrying there
    # would hold the request for the whole schedule, so a failure is recorded for the admin's
    # "Retry delivery" instead.
    try:
        return webhook_deliver(delivery_id=delivery_id).status
    except WebhookDeliveryError as exc:
        webhook_mark_failed(delivery_id=delivery_id, error=f"{exc} (embedded mode: no retries)")
        return "failed"


# --- data retention (hiring/retention.py) --------------------------------------------------------


@shared_task(
    name="hiring.retention_anonymise",
    acks_late=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    max_retries=3,
)
def retention_anonymise_task() -> int:
    """Nightly (django-celery-beat): anonymise candidates past CANDIDATE_RETENTION_DAYS. Safe to
    run twice or to redeliver: each candidate is re-checked under its row lock."""
    from hiring.retention import candidates_anonymise_due

    return candidates_anonymise_due()
