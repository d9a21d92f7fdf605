from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rubrics.profile_files import RubricImportError
from rubrics.services import SHIPPED_PROFILES_DIR, role_profiles_import


class Command(BaseCommand):
    help = (
        "Import ladders, competencies, role profiles and questions from YAML files or folders "
        "(default: the shipped profiles). All or nothing; a changed profile gets a new version."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="*", type=Path, help="files or folders")
        parser.add_argument(
            "--dry-run", action="store_true", help="validate and report, write nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        paths = options["paths"] or [SHIPPED_PROFILES_DIR]
        try:
            report = role_profiles_import(paths=paths, dry_run=options["dry_run"])
        except RubricImportError as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            noun = "error" if len(exc.errors) == 1 else "errors"
            raise CommandError(f"{len(exc.errors)} {noun}; nothing was imported.") from exc
        if options["verbosity"] > 1:
            for outcome in report.outcomes:
                self.stdout.write(str(outcome))
        else:
            for outcome in report.outcomes:
                if outcome.outcome != "unchanged" and outcome.kind != "question":
                    self.stdout.write(str(outcome))
        self.stdout.write(report.summary())
