"""Background tasks of dispatch (django.tasks; the database backend in production)."""

from django.tasks import task


@task
def run_matching(run_id: int) -> None:
    """Compute a queued matching run."""
    from frontline.dispatch.runs import matching_run_execute

    matching_run_execute(run_id=run_id)
