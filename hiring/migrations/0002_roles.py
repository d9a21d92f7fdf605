"""Create the role groups with their permissions (see hiring/roles.py)."""

from django.db import migrations

from hiring.roles import roles_ensure, roles_remove


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("rubrics", "0001_initial"),
        ("loops", "0001_initial"),
        ("hiring", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(
            lambda apps, schema_editor: roles_ensure(apps),
            lambda apps, schema_editor: roles_remove(apps),
        )
    ]
