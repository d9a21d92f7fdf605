import json
import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from hiring.retention import candidate_export, candidate_find


class Command(BaseCommand):
    help = (
        "Export everything held about one candidate (subject-access request) as JSON, to stdout "
        "or a file readable by its owner only. The export is recorded in the audit log."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("candidate", help="The candidate's id or email address.")
        parser.add_argument("--output", "-o", help="Write to this file instead of stdout.")

    def handle(self, *args: Any, **options: Any) -> None:
        candidate = candidate_find(options["candidate"])
        if candidate is None:
            raise CommandError(f"No candidate with id or email {options['candidate']!r}.")
        text = json.dumps(candidate_export(candidate=candidate), indent=2, ensure_ascii=False)
        path = options["output"]
        if not path:
            self.stdout.write(text)
            return
        try:
            # Personal data: created readable by its owner only (an existing file keeps its mode).
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                handle.write(text + "\n")
        except OSError as exc:
            raise CommandError(f"Could not write {path}: {exc.strerror}.") from exc
        self.stdout.write(f"Wrote candidate #{candidate.pk}'s data to {path}.")
