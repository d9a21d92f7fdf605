import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from loops.selectors import loop_plan_compute
from rubrics.models import RoleProfile
from rubrics.selectors import role_profile_get, role_profile_level_find


class Command(BaseCommand):
    help = "Print the interview loop the planner proposes for a role profile and level (no write)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--profile", required=True, help="role profile key")
        parser.add_argument("--level", required=True, help="level code, e.g. IC4")
        parser.add_argument(
            "--profile-version", type=int, help="profile version (default: current)"
        )
        parser.add_argument("--format", choices=["json", "text"], default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            profile = role_profile_get(key=options["profile"], version=options["profile_version"])
        except RoleProfile.DoesNotExist as exc:
            raise CommandError(f"No role profile {options['profile']!r}.") from exc
        level = role_profile_level_find(role_profile=profile, code=options["level"])
        if level is None:
            raise CommandError(f"{profile.name} has no expectations at {options['level']!r}.")
        plan = loop_plan_compute(role_profile=profile, level=level)
        if options["format"] == "json":
            self.stdout.write(json.dumps(plan.to_dict(), indent=2))
            return
        self.stdout.write(
            f"{profile.name} v{profile.version} at {level.code}: "
            f"{plan.total_minutes} of {plan.budget_minutes} minutes"
        )
        for number, interview in enumerate(plan.interviews, start=1):
            self.stdout.write(
                f"  {number}. {interview.kind} ({interview.minutes} min): "
                f"{', '.join(interview.competencies)}"
            )
        for problem in plan.problems:
            self.stdout.write(f"  problem [{problem.guarantee}] {problem.reason}")
