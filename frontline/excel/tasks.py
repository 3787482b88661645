"""Background tasks (django.tasks; run by `frontline db_worker`, started by `frontline serve`)."""

from django.tasks import task

from frontline.excel.services import import_job_run


@task()
def run_import(job_id: int) -> str:
    """Run a queued import job and return its final status."""
    return str(import_job_run(job_id=job_id).status)
