import os
import signal
import subprocess
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve Frontline with gunicorn and run the background task worker beside it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "3")))

    def handle(self, *args: Any, **options: Any) -> None:
        bin_dir = os.path.dirname(sys.executable)
        worker = subprocess.Popen([os.path.join(bin_dir, "frontline"), "db_worker", "--interval", "0.5"])  # noqa: S603
        web = subprocess.Popen(  # noqa: S603
            [
                os.path.join(bin_dir, "gunicorn"),
                "frontline.wsgi:application",
                "--bind",
                f"{options['host']}:{options['port']}",
                "--workers",
                str(options["workers"]),
                "--access-logfile",
                "-",
            ]
        )
        try:
            web.wait()
        except KeyboardInterrupt:
            web.send_signal(signal.SIGTERM)
            web.wait()
        finally:
            worker.terminate()
            worker.wait(timeout=10)
