from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from hiring.retention import candidate_erase, candidate_find


class Command(BaseCommand):
    help = (
        "Erase one candidate's personal data on their request: profile, self-identification, "
        "conflicts and every free-text assessment. De-identified ratings are kept, so interviewer "
        "calibration and the reports stay valid. Refuses an application still in progress "
        "unless --force, which withdraws it."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("candidate", help="The candidate's id or email address.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Also erase a candidate with applications in progress (they are withdrawn).",
        )
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args: Any, **options: Any) -> None:
        candidate = candidate_find(options["candidate"])
        if candidate is None:
            raise CommandError(f"No candidate with id or email {options['candidate']!r}.")
        if not options["yes"]:
            self.stdout.write(
                f"This erases the personal data of candidate #{candidate.pk} ({candidate.name}, "
                f"{candidate.email}) for good. It cannot be undone."
            )
            try:
                answer = input("Type 'erase' to go ahead: ")
            except EOFError:
                answer = ""
            if answer.strip().lower() != "erase":
                raise CommandError("Not confirmed; nothing was changed.")
        try:
            result = candidate_erase(candidate=candidate, force=options["force"])
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(f"Erased candidate #{result.candidate_id}:")
        if result.applications_withdrawn:
            self.stdout.write(f"  {result.applications_withdrawn} application(s) withdrawn")
        self.stdout.write(
            "  profile replaced by placeholders"
            if result.anonymised_now
            else "  profile was already anonymised"
        )
        self.stdout.write(f"  {result.texts_scrubbed} text(s) naming the person scrubbed")
        self.stdout.write(f"  {result.texts_erased} free-text assessment(s) erased")
        self.stdout.write(f"  {result.conflicts_deleted} interviewer conflict(s) deleted")
        self.stdout.write(
            "  self-identification deleted"
            if result.self_identification_deleted
            else "  no self-identification held"
        )
        self.stdout.write("  ratings kept, de-identified")
