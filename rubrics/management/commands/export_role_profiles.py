from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from rubrics.services import role_profiles_export


class Command(BaseCommand):
    help = "Write ladders, competencies, current role profiles and questions as importable YAML."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output", type=Path, default=Path("role-profiles-export"), help="folder to write"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        for path in role_profiles_export(output_dir=options["output"]):
            self.stdout.write(f"wrote {path}")
