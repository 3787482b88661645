import os
import signal
import subprocess
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


def default_workers() -> int:
    """Return WEB_CONCURRENCY, or one worker process per core."""
    return int(os.environ.get("WEB_CONCURRENCY") or (os.cpu_count() or 1))


def default_threads() -> int:
    """Return WEB_THREADS, or 4 threads per worker process."""
    return int(os.environ.get("WEB_THREADS") or 4)


def gunicorn_options(*, workers: int | None = None, threads: int | None = None) -> list[str]:
    """Return gunicorn's worker options, shared with bench/ledger.py.

    Threaded workers keep HTTP connections alive (an app posting many problems does not reconnect
    for each), and while one thread waits for PostgreSQL another runs. One process per core with 4
    threads each registered the most problems per second in bench/ledger.py (2 cores: 2 × 4 gave
    206–272/s where 4 × 2 gave 137–163/s and 1 × 8 174/s, at the same load): more processes
    than cores only add switching between them.
    """
    return [
        "--worker-class",
        "gthread",
        "--workers",
        str(workers or default_workers()),
        "--threads",
        str(threads or default_threads()),
        "--keep-alive",
        "5",
    ]


class Command(BaseCommand):
    help = "Serve Frontline with gunicorn and run the background task worker beside it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: 1 per core)")
        parser.add_argument("--threads", type=int, default=None, help="threads per worker (default: 4)")

    def handle(self, *args: Any, **options: Any) -> None:
        from frontline.ledger.tasks import escalation_ensure_scheduled, similar_index_ensure_scheduled

        # The overdue escalation and the similar-case index re-queue themselves after each run;
        # start their chains unless one is queued.
        if escalation_ensure_scheduled():
            self.stdout.write("scheduled the overdue escalation")
        if similar_index_ensure_scheduled():
            self.stdout.write("scheduled the similar-case index")
        bin_dir = os.path.dirname(sys.executable)
        worker = subprocess.Popen([os.path.join(bin_dir, "frontline"), "db_worker", "--interval", "0.5"])  # noqa: S603
        web = subprocess.Popen(  # noqa: S603
            [
                os.path.join(bin_dir, "gunicorn"),
                "frontline.wsgi:application",
                "--bind",
                f"{options['host']}:{options['port']}",
                *gunicorn_options(workers=options["workers"], threads=options["threads"]),
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
