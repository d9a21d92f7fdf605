"""Create the role groups with their permissions (see hiring/roles.py)."""

from django.db import migrations

from hiring.roles import RUBRIC_VIEW, roles_ensure, roles_remove

# The roles as they stood at this migration (later permissions do not exist yet here).
ROLES_0002 = {
    "recruiter": [
        *RUBRIC_VIEW,
        "loops.view_loop",
        "loops.add_loop",
        "loops.change_loop",
        "loops.view_interview",
        "loops.change_interview",
        "loops.view_interviewer",
        "loops.add_interviewer",
        "loops.change_interviewer",
        "loops.view_interviewerconflict",
        "loops.add_interviewerconflict",
        "loops.change_interviewerconflict",
        "loops.delete_interviewerconflict",
        "hiring.view_candidate",
        "hiring.add_candidate",
        "hiring.change_candidate",
        "hiring.view_requisition",
        "hiring.add_requisition",
        "hiring.change_requisition",
        "hiring.view_application",
        "hiring.add_application",
        "hiring.change_application",
        "hiring.view_scorecard",
        "hiring.view_feedbackreminder",
    ],
    "interviewer": [
        *RUBRIC_VIEW,
        "hiring.view_scorecard",
        "hiring.add_scorecard",
        "hiring.change_scorecard",
    ],
    "committee member": [
        *RUBRIC_VIEW,
        "loops.view_loop",
        "loops.view_interview",
        "hiring.view_candidate",
        "hiring.view_requisition",
        "hiring.view_application",
        "hiring.view_scorecard",
    ],
}


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
            lambda apps, schema_editor: roles_ensure(apps, ROLES_0002),
            lambda apps, schema_editor: roles_remove(apps, ROLES_0002),
        )
    ]
