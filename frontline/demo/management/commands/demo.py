import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from frontline.demo.builder import DemoAlreadyLoaded, build_demo, demo_is_loaded


class Command(BaseCommand):
    help = "Load the demo data: the five programs of the seed articles, in their real regions."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--if-empty", action="store_true", help="do nothing when the demo is already loaded")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and demo_is_loaded():
            self.stdout.write("demo data already loaded")
            return
        started = time.perf_counter()
        try:
            summary = build_demo(log=self.stdout.write)
        except DemoAlreadyLoaded as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"demo loaded in {time.perf_counter() - started:.1f}s: {summary}")
