import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from hiring.demo import DEMO_LOGINS, DemoSummary, demo_world_ensure


class Command(BaseCommand):
    help = (
        "Create the demo logins and, once the role profiles are imported, a demo hiring world "
        "(requisitions, candidates, scorecards, packets, decisions); print where to look."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--seed", type=int, default=7, help="Seed of the simulated ratings.")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        summary = demo_world_ensure(seed=options["seed"])
        elapsed = time.monotonic() - started
        base = settings.DEBRIEF_BASE_URL.rstrip("/")
        self.stdout.write("")
        if summary is None:
            self.stdout.write(
                "No demo hiring world yet: import the role profiles first "
                "(manage.py import_role_profiles), then run load_demo again."
            )
        else:
            self._summary_write(summary, elapsed)
        self.stdout.write("")
        self.stdout.write(f"Demo logins ({base}/):")
        for login in DEMO_LOGINS:
            self.stdout.write(f"  {login.role:<18} {login.username:<18} {login.password}")
        self.stdout.write("")
        if summary is not None:
            self.stdout.write(
                f"Committee: sign in as casey.committee (member) or morgan.chair (chair) and open "
                f"{base}/packets/ to review packets, vote and decide."
            )
            self.stdout.write(
                f"Interviewer: ivan.interviewer has feedback to write at {base}/interviews/."
            )
            self.stdout.write("")

    def _summary_write(self, summary: DemoSummary, elapsed: float) -> None:
        how = f"built in {elapsed:.1f} s" if summary.created else "already there"
        self.stdout.write(f"Demo hiring world ({how}): {summary.line}.")
        self.stdout.write(
            f"  {summary.interviewers} interviewers, {summary.scorecards} submitted scorecards, "
            f"{summary.votes} committee votes."
        )
        if summary.planted:
            found = ", ".join(
                f"{p.name} {p.leniency:+.2f}" + (f" ({p.lean})" if p.lean else "")
                for p in summary.planted
            )
            self.stdout.write(
                f"  Planted interviewer leniency, as the calibration fitted it: {found}."
            )
        for problem in summary.problems:
            self.stdout.write(self.style.WARNING(f"  Not assigned: {problem}"))
