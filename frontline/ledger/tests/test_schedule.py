"""The scheduled escalation: the worker runs it, each run queues the next, and there is only ever one chain."""

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from frontline.core.management.commands import serve
from frontline.ledger.models import EscalationLevel, IntakeAttempt, ProblemStatus
from frontline.ledger.tasks import escalation_ensure_scheduled, escalation_run
from frontline.ledger.tests.factories import make_problem

pytestmark = pytest.mark.django_db


def queued() -> Any:
    return DBTaskResult.objects.filter(task_path=escalation_run.module_path)


def run_worker(monkeypatch) -> None:
    """Run the database worker over the tasks that are due, then stop (as `db_worker --batch`)."""
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)  # keep the test's transaction
    worker = db_worker.Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    worker.run()


def test_scheduling_twice_queues_one_run(world):
    assert escalation_ensure_scheduled() is True
    assert escalation_ensure_scheduled() is False
    assert escalation_ensure_scheduled(run_after=timezone.now() + timedelta(hours=1)) is False
    assert queued().count() == 1
    assert queued().get().status == TaskResultStatus.READY


def test_a_running_run_counts_unless_its_worker_died_long_ago(world, settings):
    settings.FRONTLINE_ESCALATION_INTERVAL_SECONDS = 3600
    escalation_ensure_scheduled()
    queued().update(status=TaskResultStatus.RUNNING, started_at=timezone.now() - timedelta(minutes=5))
    assert escalation_ensure_scheduled() is False
    queued().update(started_at=timezone.now() - timedelta(hours=2))
    assert escalation_ensure_scheduled() is True
    assert queued().filter(status=TaskResultStatus.READY).count() == 1


def test_the_worker_escalates_overdue_problems_prunes_and_queues_the_next_run(lw, monkeypatch, settings):
    settings.FRONTLINE_ESCALATION_INTERVAL_SECONDS = 1800
    problem = make_problem(
        actor=lw.grid_head, post=lw.xingang_enterprise, today=timezone.localdate() - timedelta(days=30)
    )
    IntakeAttempt.objects.create(client_hash="x", created_at=timezone.now() - timedelta(days=2))
    assert problem.level == EscalationLevel.TOWNSHIP  # an enterprise's problem starts at the park
    escalation_ensure_scheduled()
    before = timezone.now()
    run_worker(monkeypatch)
    problem.refresh_from_db()
    assert (problem.status, problem.level, problem.is_overdue) == (
        ProblemStatus.REGISTERED,
        EscalationLevel.COUNTY,
        True,
    )
    assert problem.events.filter(action="escalate").count() == 1
    assert not IntakeAttempt.objects.exists()
    done = queued().get(status=TaskResultStatus.SUCCESSFUL)
    assert done.return_value == {"escalated": 1, "marked": 0, "skipped": 0, "pruned_intake_records": 1}
    following = queued().get(status=TaskResultStatus.READY)
    assert before + timedelta(seconds=1790) < following.run_after < timezone.now() + timedelta(seconds=1810)
    # The next run is not due yet: the worker leaves it; once due, it runs and queues exactly one more.
    run_worker(monkeypatch)
    assert queued().filter(status=TaskResultStatus.READY).count() == 1
    queued().filter(status=TaskResultStatus.READY).update(run_after=timezone.now() - timedelta(seconds=1))
    run_worker(monkeypatch)
    assert queued().filter(status=TaskResultStatus.SUCCESSFUL).count() == 2
    assert queued().filter(status=TaskResultStatus.READY).count() == 1


def test_a_second_chain_ends_itself_when_it_finds_the_first(world, monkeypatch):
    escalation_ensure_scheduled()
    escalation_run.enqueue()  # a duplicate, as if queued by hand
    run_worker(monkeypatch)
    assert queued().filter(status=TaskResultStatus.SUCCESSFUL).count() == 2
    assert queued().filter(status=TaskResultStatus.READY).count() == 1


def test_a_failing_run_still_queues_the_next(world, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("database hiccup")

    monkeypatch.setattr("frontline.ledger.services.escalate_overdue", broken)
    escalation_ensure_scheduled()
    run_worker(monkeypatch)
    assert queued().filter(status=TaskResultStatus.FAILED).count() == 1
    assert queued().filter(status=TaskResultStatus.READY).count() == 1


def test_no_schedule_when_turned_off_or_without_a_queue(world, settings):
    settings.FRONTLINE_ESCALATION_INTERVAL_SECONDS = 0
    assert escalation_ensure_scheduled() is False
    settings.FRONTLINE_ESCALATION_INTERVAL_SECONDS = 3600
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    assert escalation_ensure_scheduled() is False  # an immediate backend would run the chain forever
    assert not queued().exists()


def test_serve_starts_the_chain_once_before_the_worker(world, monkeypatch):
    started = []

    class FakeProcess:
        def __init__(self, args, **kwargs):
            started.append((args[1], queued().count()))

        def wait(self, timeout=None):
            return 0

        def terminate(self):
            pass

        def send_signal(self, sig):
            pass

    monkeypatch.setattr(f"{serve.__name__}.subprocess.Popen", FakeProcess)
    out = StringIO()
    call_command("serve", stdout=out)
    call_command("serve", stdout=out)
    assert started[0] == ("db_worker", 1)  # queued before the worker starts
    assert out.getvalue().count("scheduled the overdue escalation") == 1
    assert queued().count() == 1


def test_the_command_can_start_the_chain_for_a_worker_run_without_serve(world):
    out = StringIO()
    call_command("escalate_overdue", "--schedule", stdout=out)
    call_command("escalate_overdue", "--schedule", stdout=out)
    assert out.getvalue().splitlines()[0] == "scheduled=1"
    assert out.getvalue().splitlines()[1].startswith("scheduled=0")
    assert queued().count() == 1
