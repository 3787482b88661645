from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from frontline.core.models import User
from frontline.demo.builder import DEMO_LOGINS


class Command(BaseCommand):
    help = "Print the demo logins and their password."

    def handle(self, *args: Any, **options: Any) -> None:
        present = set(User.objects.filter(username__in=[u for u, _ in DEMO_LOGINS]).values_list("username", flat=True))
        if not present:
            self.stdout.write("No demo accounts: run `frontline demo` first.")
            return
        self.stdout.write(f"Demo logins (password: {settings.FRONTLINE_DEMO_PASSWORD}):")
        width = max(len(username) for username, _ in DEMO_LOGINS) + 2
        for username, description in DEMO_LOGINS:
            if username in present:
                self.stdout.write(f"  {username:<{width}}{description}")
