"""The roles. Admins are superusers; the other roles are groups with exactly the model
permissions their pages and API need (object-level limits live in the selectors).

The data migration calls `roles_ensure` with the historical app registry; tests whose database was
flushed call it with the live one.
"""

from collections.abc import Mapping
from typing import Any

RUBRIC_VIEW = [
    "rubrics.view_ladder",
    "rubrics.view_level",
    "rubrics.view_competency",
    "rubrics.view_roleprofile",
    "rubrics.view_expectation",
    "rubrics.view_question",
    "rubrics.view_interviewkind",
]
COMMITTEE = [
    *RUBRIC_VIEW,
    "loops.view_loop",
    "loops.view_interview",
    "hiring.view_candidate",
    "hiring.view_requisition",
    "hiring.view_application",
    "hiring.view_scorecard",
    "hiring.view_packet",
    "hiring.add_vote",
    "hiring.view_decision",
]
ROLES = {
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
        "hiring.view_packet",
        "hiring.view_decision",
        "hiring.view_reports",
        "hiring.add_selfidentification",
    ],
    "interviewer": [
        *RUBRIC_VIEW,
        "hiring.view_scorecard",
        "hiring.add_scorecard",
        "hiring.change_scorecard",
    ],
    "committee member": COMMITTEE,
    "committee chair": [*COMMITTEE, "hiring.record_decision"],
}


def roles_ensure(apps: Any, roles: Mapping[str, list[str]] = ROLES) -> None:
    """Create the groups and grant their permissions (adds only; safe to run again).

    A migration passes the roles as they stood then, because later permissions do not exist
    yet at that point of the history."""
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after migrate; the groups need them now.
    for app_config in apps.get_app_configs():
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = models_module
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for role, perms in roles.items():
        group, _ = group_model.objects.get_or_create(name=role)
        for perm in perms:
            app_label, codename = perm.split(".")
            group.permissions.add(
                permission_model.objects.get(content_type__app_label=app_label, codename=codename)
            )


def roles_remove(apps: Any, roles: Mapping[str, list[str]] = ROLES) -> None:
    apps.get_model("auth", "Group").objects.filter(name__in=roles).delete()
