"""Celery entry points for hiring: each loads nothing, calls one service, and is safe to retry
because the service underneath is idempotent."""

import smtplib
import socket

from celery import shared_task
from django.db import OperationalError

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
def calibration_refit_task() -> None:
    """Nightly, and after every CALIBRATION_REFIT_EVERY new scorecards."""
    from hiring.packets import calibration_refit

    calibration_refit()
