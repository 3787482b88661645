"""Build the similar-case index and store it for the web processes. The worker does this every
FRONTLINE_SIMILAR_INDEX_SECONDS on its own (see ledger/tasks.py); `--schedule` starts that chain
when the worker is run without `frontline serve`."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from frontline.ledger.similar import store_index
from frontline.ledger.tasks import similar_index_ensure_scheduled


class Command(BaseCommand):
    help = "构建相似案例索引并保存，供各服务进程共用。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--schedule", action="store_true", help="不立即构建，而是确保后台任务按计划定时构建（已排队则不重复）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["schedule"]:
            queued = similar_index_ensure_scheduled()
            self.stdout.write("scheduled=1" if queued else "scheduled=0 (already queued, or no database task backend)")
            return
        result = store_index()
        self.stdout.write(" ".join(f"{k}={v}" for k, v in result.items()))
