from typing import Any

from django.core.management.base import BaseCommand

from hiring.services import demo_logins_ensure


class Command(BaseCommand):
    help = "Create the demo logins (idempotent) and print them."

    def handle(self, *args: Any, **options: Any) -> None:
        logins = demo_logins_ensure()
        self.stdout.write("")
        self.stdout.write("Demo logins (http://127.0.0.1:8000/):")
        for login in logins:
            self.stdout.write(f"  {login.role:<18} {login.username:<18} {login.password}")
        self.stdout.write("")
