"""Background tasks of the appraisal (django.tasks; the database backend in production)."""

from django.tasks import task


@task
def compute_period(period_id: int) -> None:
    """Compute a period queued by `period_compute_start`; progress goes into the period's row."""
    from frontline.appraisal.services import period_compute

    period_compute(period_id=period_id)
