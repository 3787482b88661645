"""Background tasks of the ledger (django.tasks; run by `frontline db_worker`, started by `frontline serve`).

The overdue escalation and the similar-case index run on a schedule without cron: each run first
queues the next one with `run_after` (so a failing run does not break the chain), then does its
work. `frontline serve` calls `escalation_ensure_scheduled` and `similar_index_ensure_scheduled`
once at start; each queues a run only when none is queued or running, under a lock, so restarts
and several servers never start a second chain — and if two chains ever existed, the next run of
either finds the other and ends its own.
"""

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.tasks import TaskContext, TaskResultStatus, task
from django.utils import timezone

from frontline.ledger.similar import index_interval_seconds

logger = logging.getLogger(__name__)

_LOCK_KEY = 4_042_001  # the PostgreSQL advisory lock that serializes scheduling of the chains


def escalation_interval_seconds() -> int:
    """Return the seconds between two escalation runs (setting FRONTLINE_ESCALATION_INTERVAL_SECONDS,
    default one hour); 0 or less turns the schedule off."""
    return int(getattr(settings, "FRONTLINE_ESCALATION_INTERVAL_SECONDS", 3600))


@task(takes_context=True)
def escalation_run(context: TaskContext[Any, Any]) -> dict[str, int]:
    """Queue the next run, then mark and escalate overdue problems and prune intake rate-limit records."""
    from frontline.ledger.services import escalate_overdue, public_intake_prune

    _queue_next(escalation_run, escalation_interval_seconds(), context)
    result = escalate_overdue()
    result["pruned_intake_records"] = public_intake_prune()
    logger.info("escalation run: %s", result)
    return result


@task(takes_context=True)
def similar_index_run(context: TaskContext[Any, Any]) -> dict[str, Any]:
    """Queue the next run, then build the similar-case index and store it for the web processes."""
    from frontline.ledger.similar import store_index

    _queue_next(similar_index_run, index_interval_seconds(), context)
    result = store_index()
    logger.info("similar-case index: %s", result)
    return result


def _lock(using: str) -> None:
    """Serialize the check-then-enqueue across processes (SQLite's IMMEDIATE transactions already do)."""
    connection = transaction.get_connection(using)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])


def escalation_ensure_scheduled(*, run_after: datetime | None = None, exclude_id: str | None = None) -> bool:
    """Queue an escalation run unless one is already queued or running; return whether one was queued.

    `run_after` None means as soon as a worker is free. `exclude_id` is the run that is calling
    (its own row is "running"). Only the database backend keeps a queue to look at; with another
    backend nothing is scheduled.
    """
    return _ensure_scheduled(escalation_run, escalation_interval_seconds(), run_after=run_after, exclude_id=exclude_id)


def similar_index_ensure_scheduled(*, run_after: datetime | None = None, exclude_id: str | None = None) -> bool:
    """Queue a build of the similar-case index unless one is queued or running (as the escalation)."""
    return _ensure_scheduled(similar_index_run, index_interval_seconds(), run_after=run_after, exclude_id=exclude_id)


def _queue_next(task_: Any, interval: int, context: TaskContext[Any, Any]) -> None:
    """Queue the chain's next run one interval from now (before this run works, so a failure cannot end the chain)."""
    if interval > 0:
        _ensure_scheduled(
            task_,
            interval,
            run_after=timezone.now() + timedelta(seconds=interval),
            exclude_id=str(context.task_result.id),
        )


def _ensure_scheduled(task_: Any, interval: int, *, run_after: datetime | None, exclude_id: str | None) -> bool:
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    if interval <= 0:
        return False
    backend = task_.get_backend()
    if not isinstance(backend, DatabaseBackend):
        logger.warning("%s not scheduled: the task backend %s keeps no queue", task_.name, type(backend).__name__)
        return False
    using = DBTaskResult.objects.db
    with transaction.atomic(using=using):
        _lock(using)
        # A run left "running" by a worker that died is stale after one interval.
        stale_before = timezone.now() - timedelta(seconds=max(interval, 600))
        pending = DBTaskResult.objects.filter(task_path=task_.module_path, backend_name=backend.alias).filter(
            Q(status=TaskResultStatus.READY) | Q(status=TaskResultStatus.RUNNING, started_at__gte=stale_before)
        )
        if exclude_id is not None:
            pending = pending.exclude(id=exclude_id)
        if pending.exists():
            return False
        queued: Any = task_.using(run_after=run_after) if run_after is not None else task_
        queued.enqueue()
    return True
