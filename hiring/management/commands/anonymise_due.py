from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from hiring.retention import candidates_anonymise_due, candidates_due_for_anonymisation


class Command(BaseCommand):
    help = (
        "Anonymise now the candidates whose retention period (CANDIDATE_RETENTION_DAYS after "
        "the last decision) is over: what the nightly task hiring.retention_anonymise does."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="List the ids that are due; change nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        days = settings.CANDIDATE_RETENTION_DAYS
        if days <= 0:
            self.stdout.write("Retention is disabled (CANDIDATE_RETENTION_DAYS=0).")
            return
        if options["dry_run"]:
            ids = list(candidates_due_for_anonymisation().values_list("pk", flat=True))
            listed = ", ".join(f"#{pk}" for pk in ids) or "none"
            self.stdout.write(f"{len(ids)} candidate(s) due after {days} days: {listed}.")
            return
        count = candidates_anonymise_due()
        self.stdout.write(f"Anonymised {count} candidate(s) past {days} days.")
