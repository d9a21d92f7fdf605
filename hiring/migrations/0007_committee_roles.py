"""Grant the committee permissions and add the committee chair role (see hiring/roles.py)."""

from django.db import migrations

from hiring.roles import ROLES, roles_ensure


def _chair_remove(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="committee chair").delete()


class Migration(migrations.Migration):
    dependencies = [("hiring", "0006_committee")]

    operations = [
        migrations.RunPython(
            lambda apps, schema_editor: roles_ensure(apps, ROLES),
            _chair_remove,
        )
    ]
