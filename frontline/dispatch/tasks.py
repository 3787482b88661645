"""Background tasks of dispatch (django.tasks; the database backend in production)."""

from datetime import date

from django.tasks import task


@task
def run_matching(run_id: int) -> None:
    """Compute a queued matching run."""
    from frontline.dispatch.runs import matching_run_execute

    matching_run_execute(run_id=run_id)


@task
def approve_matching_run(run_id: int, actor_id: int | None, today: str, ip: str | None = None) -> int:
    """Carry out an approving run's plan; return how many deployments it created."""
    from frontline.dispatch.runs import matching_run_approve_execute

    created = matching_run_approve_execute(run_id=run_id, actor_id=actor_id, today=date.fromisoformat(today), ip=ip)
    return len(created)
