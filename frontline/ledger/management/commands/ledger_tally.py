"""Check the problem tally behind the supervisor board against a recount, or rebuild it.

frontline ledger_tally            # exit status 1 and the differing keys if it is out of step
frontline ledger_tally --rebuild  # replace it with a recount (after a bulk load, or a restore)
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from frontline.ledger.tally import tally_check, tally_rebuild


class Command(BaseCommand):
    help = "核对督办看板所用的问题计数（与逐条统计比较），或用逐条统计重建"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rebuild", action="store_true", help="用逐条统计重建问题计数")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["rebuild"]:
            keys = tally_rebuild()
            self.stdout.write(f"rebuilt keys={keys}")
            return
        differences = tally_check()
        for key, (tallied, counted) in sorted(differences.items()):
            self.stdout.write(f"{key} tally={tallied} recount={counted}")
        if differences:
            raise CommandError(f"the tally differs from a recount in {len(differences)} keys; run with --rebuild")
        self.stdout.write("in step")
