from typing import Any

from django.core.management.base import BaseCommand

from hiring.demo import demo_application_ensure, demo_logins_ensure


class Command(BaseCommand):
    help = "Create the demo logins and a demo application (once) and print the logins."

    def handle(self, *args: Any, **options: Any) -> None:
        logins = demo_logins_ensure()
        if demo_application_ensure() is not None:
            self.stdout.write("Created a demo application whose interviews ran yesterday.")
        self.stdout.write("")
        self.stdout.write("Demo logins (http://127.0.0.1:8000/):")
        for login in logins:
            self.stdout.write(f"  {login.role:<18} {login.username:<18} {login.password}")
        self.stdout.write("")
