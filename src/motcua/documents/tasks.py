"""Background tasks of the documents app (Django tasks; run by `manage.py db_worker`)."""

from django.tasks import task


@task(queue_name="default")
def digitize(job_id: int) -> dict:
    """OCR a digitization job's scans; progress is saved on the job after every page."""
    from .services import run_digitization

    job = run_digitization(job_id)
    return {"job": job.pk, "status": job.status, "pages_done": job.pages_done}
