"""The reminder task through the real broker and a real worker process: what beat does in
production, with the worker's mail written to files."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from config.celery import app
from hiring.models import FeedbackReminder, ReminderKind
from hiring.tasks import feedback_reminders_send_task
from loops.models import InterviewStatus
from tests.factories import ApplicationFactory, InterviewerFactory, InterviewFactory
from tests.worker import wait_until

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_worker_reminds_a_late_interviewer_once(celery_worker_process):
    assert not settings.CELERY_TASK_ALWAYS_EAGER
    assert not app.conf.task_always_eager
    ends_at = timezone.now() - timedelta(hours=settings.SCORECARD_REMINDER_HOURS + 2)
    interview = InterviewFactory(
        loop=ApplicationFactory().loop,
        interviewer=InterviewerFactory(),
        starts_at=ends_at - timedelta(hours=1),
        ends_at=ends_at,
        status=InterviewStatus.SCHEDULED,
    )
    address = interview.interviewer.user.email

    first = feedback_reminders_send_task.delay()
    celery_worker_process.wait_for_task(first.id)
    reminder = wait_until(
        lambda: FeedbackReminder.objects.filter(interview=interview).first(),
        what="the reminder row",
    )
    [message] = wait_until(celery_worker_process.sent_mail, what="the reminder email")

    assert reminder.kind == ReminderKind.REMINDER
    assert reminder.recipient == address
    assert message["To"] == address
    assert f"/interviews/{interview.pk}/scorecard/" in message.get_payload()

    second = feedback_reminders_send_task.delay()
    finished = celery_worker_process.wait_for_task(second.id)

    assert " succeeded in " in finished
    assert "'reminders': 0" in finished
    assert FeedbackReminder.objects.filter(interview=interview).count() == 1
    assert len(celery_worker_process.sent_mail()) == 1
