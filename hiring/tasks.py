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
