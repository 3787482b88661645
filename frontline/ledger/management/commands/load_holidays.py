"""Load the official holidays and make-up workdays from chinesecalendar into the holiday table."""

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from frontline.ledger.holidays import seed_from_package


class Command(BaseCommand):
    help = "从 chinesecalendar 软件包载入法定节假日和调休上班日；不会覆盖人工录入的日期。"

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            result = seed_from_package()
        self.stdout.write(
            f"years={result.years[0]}-{result.years[-1]} created={result.created} "
            f"updated={result.updated} kept_manual={result.kept_manual}"
        )
