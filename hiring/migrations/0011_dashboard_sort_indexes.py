from django.db import migrations, models

from config.postgres_operations import AddIndexOnPostgres


class Migration(migrations.Migration):
    """The dashboard's descending sorts put NULLs last; a backwards scan of the ascending
    indexes of 0010 puts them first, so these sorts read every visible packet without their own."""

    dependencies = [
        ("hiring", "0010_dashboard_indexes"),
    ]

    operations = [
        AddIndexOnPostgres(
            model_name="packet",
            index=models.Index(
                models.OrderBy(models.F("ready_at"), descending=True, nulls_last=True),
                models.OrderBy(models.F("id"), descending=True),
                name="packet_by_newest",
            ),
        ),
        AddIndexOnPostgres(
            model_name="packet",
            index=models.Index(
                models.OrderBy(models.F("p_above_bar"), descending=True, nulls_last=True),
                models.F("id"),
                name="packet_by_probability_desc",
            ),
        ),
    ]
