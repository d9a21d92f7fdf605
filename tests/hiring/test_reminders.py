"""Feedback reminders: who is nagged, when, and that no run ever sends the same message twice."""

import smtplib
import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.core.mail.backends import locmem
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from hiring import reminders
from hiring.models import FeedbackReminder, ReminderKind
from hiring.reminders import feedback_reminders_send
from hiring.tasks import feedback_reminders_send_task
from loops.models import InterviewStatus
from tests.factories import (
    ApplicationFactory,
    FeedbackReminderFactory,
    InterviewerFactory,
    InterviewFactory,
    LoopFactory,
    ScorecardFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 3, 12, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def reminder_settings(settings):
    settings.SCORECARD_REMINDER_HOURS = 24
    settings.SCORECARD_ESCALATION_DAYS = 3
    settings.DEBRIEF_BASE_URL = "https://debrief.example.com/"
    settings.TIME_ZONE = "UTC"


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run the service at a given moment and let its on-commit sends happen."""

    def run_at(now):
        with django_capture_on_commit_callbacks(execute=True):
            return feedback_reminders_send(now=now)

    return run_at


def late_interview(*, ended_ago=timedelta(hours=30), now=NOW, application=None, **fields):
    """An interview on an application's loop that ended `ended_ago` before `now`."""
    application = application or ApplicationFactory(
        candidate__name="Ada Lovelace",
        candidate__phone="+44 20 7946 0000",
        requisition__title="Senior MLE, Search",
        requisition__recruiter__email="recruiter@example.com",
    )
    ends_at = now - ended_ago
    fields.setdefault("status", InterviewStatus.SCHEDULED)
    return InterviewFactory(
        loop=application.loop,
        interviewer=fields.pop("interviewer", None) or InterviewerFactory(),
        starts_at=ends_at - timedelta(hours=1),
        ends_at=ends_at,
        **fields,
    )


def test_an_interview_not_yet_due_gets_nothing(run, mailoutbox):
    late_interview(ended_ago=timedelta(hours=23, minutes=59))

    report = run(NOW)

    assert report.as_dict() == {"due": 0, "reminders": 0, "escalations": 0}
    assert mailoutbox == []
    assert not FeedbackReminder.objects.exists()


def test_a_due_interview_reminds_its_interviewer_once(run, mailoutbox):
    interview = late_interview()
    address = interview.interviewer.user.email

    report = run(NOW)

    assert report.as_dict() == {"due": 1, "reminders": 1, "escalations": 0}
    [message] = mailoutbox
    assert message.to == [address]
    reminder = FeedbackReminder.objects.get()
    assert (reminder.interview, reminder.kind, reminder.window, reminder.recipient) == (
        interview,
        ReminderKind.REMINDER,
        "2025-03-12",
        address,
    )


def test_the_reminder_says_which_interview_how_late_and_where_without_candidate_contacts(
    run, mailoutbox
):
    interview = late_interview()

    run(NOW)

    [message] = mailoutbox
    assert "Ada Lovelace" in message.subject
    assert interview.kind.name in message.subject
    assert interview.kind.name in message.body
    assert "Senior MLE, Search" in message.body
    assert f"level {interview.loop.application.requisition.level.code}" in message.body
    assert "2025-03-11 09:00 UTC" in message.body
    assert "30 hours ago" in message.body
    assert f"https://debrief.example.com/interviews/{interview.pk}/scorecard/" in message.body
    candidate = interview.loop.application.candidate
    assert candidate.email not in message.body
    assert candidate.phone not in message.body


def test_running_twice_the_same_day_still_sends_one(run, mailoutbox):
    late_interview()

    run(NOW)
    second = run(NOW + timedelta(hours=5))

    assert second.as_dict() == {"due": 0, "reminders": 0, "escalations": 0}
    assert len(mailoutbox) == 1
    assert FeedbackReminder.objects.count() == 1


def test_the_next_day_brings_a_second_reminder(run, mailoutbox):
    late_interview()

    run(NOW)
    run(NOW + timedelta(days=1))

    assert len(mailoutbox) == 2
    assert sorted(FeedbackReminder.objects.values_list("window", flat=True)) == [
        "2025-03-12",
        "2025-03-13",
    ]


def test_the_day_is_the_calendar_day_where_debrief_runs(run, mailoutbox, settings):
    settings.TIME_ZONE = "Pacific/Auckland"  # UTC+13 in January
    before_midnight = datetime(2025, 1, 15, 10, 30, tzinfo=UTC)  # 23:30 on the 15th there
    late_interview(now=before_midnight)

    run(before_midnight)
    run(before_midnight + timedelta(hours=1))  # 00:30 on the 16th there, same day in UTC

    assert sorted(FeedbackReminder.objects.values_list("window", flat=True)) == [
        "2025-01-15",
        "2025-01-16",
    ]
    assert len(mailoutbox) == 2


def test_a_submitted_scorecard_stops_reminders(run, mailoutbox):
    interview = late_interview()
    ScorecardFactory(interview=interview, submitted=True)

    run(NOW)

    assert mailoutbox == []


def test_a_draft_scorecard_still_gets_a_reminder(run, mailoutbox):
    interview = late_interview()
    ScorecardFactory(interview=interview)

    run(NOW)

    assert [message.to for message in mailoutbox] == [[interview.interviewer.user.email]]


def test_shadows_are_never_reminded_and_do_not_count_for_the_lead(run, mailoutbox):
    shadowed_done = late_interview(shadow=InterviewerFactory())
    ScorecardFactory(interview=shadowed_done, submitted=True)
    shadow_submitted = late_interview(
        application=shadowed_done.loop.application, shadow=InterviewerFactory()
    )
    ScorecardFactory(
        interview=shadow_submitted,
        interviewer=shadow_submitted.shadow,
        is_shadow=True,
        submitted=True,
    )

    run(NOW)

    assert [message.to for message in mailoutbox] == [[shadow_submitted.interviewer.user.email]]


def test_after_the_escalation_days_the_recruiter_hears_once_ever(run, mailoutbox):
    interview = late_interview(ended_ago=timedelta(days=3))
    lead = interview.interviewer.user.email

    first = run(NOW)
    run(NOW + timedelta(hours=2))
    run(NOW + timedelta(days=1))

    assert first.as_dict() == {"due": 1, "reminders": 1, "escalations": 1}
    assert sorted(message.to[0] for message in mailoutbox) == sorted(
        [lead, lead, "recruiter@example.com"]
    )
    [escalation] = [m for m in mailoutbox if m.to == ["recruiter@example.com"]]
    assert "overdue" in escalation.subject.lower()
    assert str(interview.interviewer) in escalation.body
    assert f"/interviews/{interview.pk}/scorecard/" in escalation.body
    assert FeedbackReminder.objects.filter(kind=ReminderKind.ESCALATION).get().window == "once"


def test_no_escalation_before_the_escalation_days(run, mailoutbox):
    interview = late_interview(ended_ago=timedelta(days=3) - timedelta(minutes=1))

    run(NOW)

    assert [m.to for m in mailoutbox] == [[interview.interviewer.user.email]]
    assert not FeedbackReminder.objects.filter(kind=ReminderKind.ESCALATION).exists()


def test_a_cancelled_interview_gets_nothing(run, mailoutbox):
    late_interview(ended_ago=timedelta(days=5), status=InterviewStatus.CANCELLED)

    run(NOW)

    assert mailoutbox == []


def test_an_interview_on_a_loop_without_an_application_gets_nothing(run, mailoutbox):
    ends_at = NOW - timedelta(days=5)
    InterviewFactory(
        loop=LoopFactory(),
        interviewer=InterviewerFactory(),
        starts_at=ends_at - timedelta(hours=1),
        ends_at=ends_at,
    )

    run(NOW)

    assert mailoutbox == []


def test_an_interview_without_a_lead_or_an_end_gets_nothing(run, mailoutbox):
    application = ApplicationFactory()
    InterviewFactory(loop=application.loop, interviewer=None, ends_at=NOW - timedelta(days=5))
    InterviewFactory(loop=application.loop, interviewer=InterviewerFactory())

    run(NOW)

    assert mailoutbox == []


def test_a_rolled_back_run_records_and_sends_nothing(
    django_capture_on_commit_callbacks, mailoutbox
):
    late_interview(ended_ago=timedelta(days=4))

    def run_inside_work_that_fails():
        with transaction.atomic():
            feedback_reminders_send(now=NOW)
            raise RuntimeError("the surrounding work failed")

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
    ):
        run_inside_work_that_fails()

    assert callbacks == []
    assert mailoutbox == []
    assert not FeedbackReminder.objects.exists()


def test_mail_goes_out_only_after_commit(django_capture_on_commit_callbacks, mailoutbox):
    late_interview()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        feedback_reminders_send(now=NOW)

    assert len(callbacks) == 1
    assert mailoutbox == []


def test_a_message_that_could_not_be_delivered_is_sent_by_the_next_run(
    run, mailoutbox, monkeypatch
):
    refused = late_interview(interviewer=InterviewerFactory(user=UserFactory(email="x@down.test")))
    delivered = late_interview()
    real_send = locmem.EmailBackend.send_messages

    def refuse_one(backend, messages):
        if any("x@down.test" in message.to for message in messages):
            raise smtplib.SMTPServerDisconnected("connection lost")
        return real_send(backend, messages)

    monkeypatch.setattr(locmem.EmailBackend, "send_messages", refuse_one)
    with pytest.raises(smtplib.SMTPServerDisconnected):
        run(NOW)

    assert [m.to for m in mailoutbox] == [[delivered.interviewer.user.email]]
    assert list(FeedbackReminder.objects.values_list("interview", flat=True)) == [delivered.pk]

    monkeypatch.setattr(locmem.EmailBackend, "send_messages", real_send)
    retry = run(NOW + timedelta(minutes=1))

    assert retry.reminders == 1
    assert [m.to for m in mailoutbox][1:] == [["x@down.test"]]
    assert FeedbackReminder.objects.filter(interview=refused).count() == 1


def test_a_run_that_loses_a_race_for_a_row_sends_only_what_it_won(run, mailoutbox, monkeypatch):
    """Another worker records one reminder after this run read but before it inserts: the unique
    constraint makes this run skip that one and still send the rest."""
    taken = late_interview()
    free = late_interview(application=taken.loop.application)
    real_claim = reminders._claim

    def another_worker_first(outgoing):
        FeedbackReminderFactory(interview=taken, window="2025-03-12")
        return real_claim(outgoing)

    monkeypatch.setattr(reminders, "_claim", another_worker_first)
    report = run(NOW)

    assert report.reminders == 1
    assert [m.to for m in mailoutbox] == [[free.interviewer.user.email]]
    assert FeedbackReminder.objects.count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_at_the_same_moment_send_each_message_once(mailoutbox, monkeypatch):
    """Both runs read before either writes (a barrier holds them); PostgreSQL's unique index
    then lets one win every row and the other send nothing."""
    first = late_interview(ended_ago=timedelta(days=4))
    late_interview(application=first.loop.application)
    both_have_read = threading.Barrier(2, timeout=30)
    real_bulk_create = FeedbackReminder.objects.bulk_create

    def after_both_have_read(rows, **options):
        both_have_read.wait()
        return real_bulk_create(rows, **options)

    monkeypatch.setattr(FeedbackReminder.objects, "bulk_create", after_both_have_read)
    reports, failures = [], []

    def worker():
        try:
            reports.append(feedback_reminders_send(now=NOW))
        except BaseException as exc:
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not failures, failures
    assert sorted(report.reminders + report.escalations for report in reports) == [0, 3]
    assert len(mailoutbox) == 3
    assert FeedbackReminder.objects.count() == 3


@pytest.mark.parametrize("size", [3, 30])
def test_the_query_count_does_not_grow_with_the_number_of_late_interviews(
    size, django_assert_num_queries, django_capture_on_commit_callbacks, mailoutbox
):
    applications = [ApplicationFactory() for _ in range(3)]
    for n in range(size):
        late_interview(ended_ago=timedelta(days=4), application=applications[n % 3])

    with (
        django_assert_num_queries(6),
        django_capture_on_commit_callbacks(execute=True),
    ):
        report = feedback_reminders_send(now=NOW)

    assert report.as_dict() == {"due": size, "reminders": size, "escalations": size}
    assert len(mailoutbox) == 2 * size


def test_the_task_runs_the_service_and_returns_its_counts(
    django_capture_on_commit_callbacks, mailoutbox
):
    late_interview(now=timezone.now())

    with django_capture_on_commit_callbacks(execute=True):
        # apply() runs in this process whatever the broker settings, as eager mode would.
        result = feedback_reminders_send_task.apply()

    assert result.get() == {"due": 1, "reminders": 1, "escalations": 0}
    assert len(mailoutbox) == 1


def test_the_task_is_routed_acked_late_and_retried_only_on_transient_errors():
    task = feedback_reminders_send_task
    assert task.name == "hiring.feedback_reminders_send"
    route = task.app.amqp.router.route({}, task.name)
    assert route["queue"].name == "notifications"
    assert task.acks_late is True
    assert task.retry_backoff
    assert OperationalError in task.autoretry_for
    assert smtplib.SMTPException in task.autoretry_for
    assert Exception not in task.autoretry_for
