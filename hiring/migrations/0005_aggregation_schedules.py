"""Schedule the aggregation pipeline: a sweep of stale packets every minute and a nightly refit.
Both live in django-celery-beat's tables, so an admin can change them without a deploy."""

from django.db import migrations

SWEEP = ("Sweep stale packets", "hiring.packet_sweep_stale")
REFIT = ("Refit interviewer calibration", "hiring.calibration_refit")


def schedule(apps, schema_editor):
    interval_model = apps.get_model("django_celery_beat", "IntervalSchedule")
    crontab_model = apps.get_model("django_celery_beat", "CrontabSchedule")
    task_model = apps.get_model("django_celery_beat", "PeriodicTask")
    every_minute = interval_model.objects.filter(every=1, period="minutes").first()
    if every_minute is None:
        every_minute = interval_model.objects.create(every=1, period="minutes")
    nightly, _ = crontab_model.objects.get_or_create(
        minute="30", hour="2", day_of_week="*", day_of_month="*", month_of_year="*"
    )
    task_model.objects.get_or_create(
        name=SWEEP[0],
        defaults={
            "task": SWEEP[1],
            "interval": every_minute,
            "queue": "aggregation",
            "description": "Re-enqueues packets left stale, e.g. by a broker outage.",
        },
    )
    task_model.objects.get_or_create(
        name=REFIT[0],
        defaults={
            "task": REFIT[1],
            "crontab": nightly,
            "queue": "aggregation",
            "description": "Fits interviewer leniency and noise on every submitted scorecard.",
        },
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        name__in=[SWEEP[0], REFIT[0]]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("hiring", "0004_packets"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
