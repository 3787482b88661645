"""Mark overdue problems, escalate each one level and notify its owner (run daily, e.g. by cron);
also drop expired rate-limit records of the public intake."""

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from frontline.ledger.services import escalate_overdue, public_intake_prune


class Command(BaseCommand):
    help = "标记超期问题，逐级升级并通知责任人。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", type=date.fromisoformat, default=None, help="按这一天计算（YYYY-MM-DD）")

    def handle(self, *args: Any, **options: Any) -> None:
        result = escalate_overdue(today=options["today"])
        result["pruned_intake_records"] = public_intake_prune()
        self.stdout.write(" ".join(f"{k}={v}" for k, v in result.items()))
