"""Sending mail whose right to be sent was claimed by a row (a FeedbackReminder, a
PacketNotification): the row is the once-only guarantee, so a message that did not go must give
its row back for the retry to send it."""

from __future__ import annotations

import logging
import smtplib
import socket

from django.core import mail
from django.db.models import Model

logger = logging.getLogger(__name__)

# A mail server that is away or refuses a message; worth trying again later.
MAIL_DELIVERY_ERRORS = (smtplib.SMTPException, ConnectionError, TimeoutError, socket.gaierror)


def claimed_mail_deliver(
    claimed: list[tuple[mail.EmailMessage, int]], *, claims: type[Model], what: str
) -> None:
    """Send over one connection. The `claims` rows whose message did not go are deleted, so a
    retry sends them, and the first delivery error is raised for the task to retry."""
    delivered: set[int] = set()
    error: Exception | None = None
    try:
        with mail.get_connection() as connection:
            for message, row_id in claimed:
                try:
                    connection.send_messages([message])
                except MAIL_DELIVERY_ERRORS as exc:
                    error = error or exc
                else:
                    delivered.add(row_id)
    except MAIL_DELIVERY_ERRORS as exc:  # the mail server could not be reached at all
        error = error or exc
    undelivered = [row_id for _, row_id in claimed if row_id not in delivered]
    if undelivered:
        claims._default_manager.filter(pk__in=undelivered).delete()
        logger.warning("%s: %d message(s) not delivered, kept for a retry", what, len(undelivered))
    if error is not None:
        raise error
