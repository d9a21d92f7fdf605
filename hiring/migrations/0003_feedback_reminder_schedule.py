"""Schedule the feedback reminders hourly. The schedule lives in django-celery-beat's tables, so an
admin can change the interval, pause it or move it to another queue without a deploy."""

from django.db import migrations

TASK_NAME = "Feedback reminders"
TASK = "hiring.feedback_reminders_send"


def schedule_reminders(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_hour = IntervalSchedule.objects.filter(every=1, period="hours").order_by("pk").first()
    if every_hour is None:
        every_hour = IntervalSchedule.objects.create(every=1, period="hours")
    PeriodicTask.objects.get_or_create(
        name=TASK_NAME,
        defaults={
            "task": TASK,
            "interval": every_hour,
            "queue": "notifications",
            "description": (
                "Reminds interviewers of late scorecards (once a day) and tells the recruiter "
                "once when one stays late. Lateness is set by SCORECARD_REMINDER_HOURS and "
                "SCORECARD_ESCALATION_DAYS."
            ),
        },
    )


def unschedule_reminders(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=TASK_NAME, task=TASK).delete()
    IntervalSchedule.objects.filter(every=1, period="hours", periodictask__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("hiring", "0002_roles"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.RunPython(schedule_reminders, unschedule_reminders),
    ]
