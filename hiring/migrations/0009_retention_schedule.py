"""Schedule data retention: candidates past CANDIDATE_RETENTION_DAYS are anonymised nightly. The
task lives in django-celery-beat's tables, so an admin can move or pause it without a deploy."""

from django.db import migrations

RETENTION = ("Anonymise candidates past retention", "hiring.retention_anonymise")


def schedule(apps, schema_editor):
    crontab_model = apps.get_model("django_celery_beat", "CrontabSchedule")
    task_model = apps.get_model("django_celery_beat", "PeriodicTask")
    nightly, _ = crontab_model.objects.get_or_create(
        minute="15", hour="3", day_of_week="*", day_of_month="*", month_of_year="*"
    )
    task_model.objects.get_or_create(
        name=RETENTION[0],
        defaults={
            "task": RETENTION[1],
            "crontab": nightly,
            "queue": "default",
            "description": (
                "Anonymises candidates whose applications all closed (rejected or withdrawn) "
                "more than CANDIDATE_RETENTION_DAYS ago; ratings and statistics are kept."
            ),
        },
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=RETENTION[0]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("hiring", "0008_audit_and_retention"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
