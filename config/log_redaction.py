"""Keep candidates' contact details out of the logs.

Logs are read by more people, kept longer and copied further than the database, so a log line must
never carry a candidate's email address or phone number. `RedactPIIFilter` sits on every handler
(settings.LOGGING) and rewrites each record before it is written: the message with its arguments
merged in, and any traceback text, with email addresses and phone-like numbers replaced. Code
should still log ids rather than names; this is the net under that rule.

Celery workers replace the root logger's handlers with their own, so the same filter is added to
those through Celery's logging signals.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from celery.signals import after_setup_logger, after_setup_task_logger

EMAIL_REDACTED = "[email redacted]"
PHONE_REDACTED = "[phone redacted]"

# The last label must start with a letter, so "user@127.0.0.1" in a URL is not taken for an address.
EMAIL = re.compile(
    r"[\w.!#$%&*+/=?^~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9-]+)*\.[A-Za-z][A-Za-z0-9-]*"
)

# A phone number: "+" and 8 to 15 digits with optional separators, or three or more groups of
# digits separated by spaces, dashes or parentheses (555 123 4567, (020) 7946-0958). Dates
# (2024-05-01 has 8 digits), times, IP addresses, versions and ids do not reach the 9 digits a
# grouped number needs, or are joined by dots and colons, which are not separators here.
PHONE = re.compile(
    r"(?<![\w+.:/-])"
    r"(?:\+\d[\d \-()]{6,}\d"
    r"|\(?\d{2,5}\)?[ -]\d{2,5}[ -]\d{2,5}(?:[ -]\d{2,5}){0,2})"
    r"(?![\w:/]|[.-]\d)"
)
PHONE_MIN_DIGITS, PHONE_MAX_DIGITS = 9, 15


def _phone(match: re.Match[str]) -> str:
    digits = sum(char.isdigit() for char in match.group())
    if PHONE_MIN_DIGITS <= digits <= PHONE_MAX_DIGITS:
        return PHONE_REDACTED
    return match.group()


def redact(text: str) -> str:
    """The text with email addresses and phone-like numbers replaced."""
    if "@" in text:
        text = EMAIL.sub(EMAIL_REDACTED, text)
    return PHONE.sub(_phone, text)


class RedactPIIFilter(logging.Filter):
    """Redacts the formatted message and the traceback of every record it sees; never drops a
    record. The arguments are merged into the message first, because an argument (a model
    instance, an exception) can carry an address in its str() as well as in plain text."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave it to the handler to report
            return True
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def install_on(logger: logging.Logger) -> None:
    """Add the filter to each handler of `logger` that does not have it yet."""
    for handler in logger.handlers:
        if not any(isinstance(f, RedactPIIFilter) for f in handler.filters):
            handler.addFilter(RedactPIIFilter())


@after_setup_logger.connect
@after_setup_task_logger.connect
def _celery_logger_ready(*, logger: logging.Logger, **kwargs: Any) -> None:
    """A worker's own handlers (it drops the configured ones from the root logger) redact too."""
    install_on(logger)
