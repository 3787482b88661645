"""Mark overdue problems, escalate each one level and notify its owner; also drop expired
rate-limit records of the public intake. The worker runs this hourly on its own (see
ledger/tasks.py); `--schedule` starts that chain when the worker is run without `frontline serve`."""

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from frontline.ledger.services import escalate_overdue, public_intake_prune
from frontline.ledger.tasks import escalation_ensure_scheduled


class Command(BaseCommand):
    help = "标记超期问题，逐级升级并通知责任人。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", type=date.fromisoformat, default=None, help="按这一天计算（YYYY-MM-DD）")
        parser.add_argument(
            "--schedule", action="store_true", help="不立即执行，而是确保后台任务按计划定时执行（已排队则不重复）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["schedule"]:
            queued = escalation_ensure_scheduled()
            self.stdout.write("scheduled=1" if queued else "scheduled=0 (already queued, or no database task backend)")
            return
        result = escalate_overdue(today=options["today"])
        result["pruned_intake_records"] = public_intake_prune()
        self.stdout.write(" ".join(f"{k}={v}" for k, v in result.items()))
