from celery import shared_task

from . import services


@shared_task
def run_import_task(job_id: int) -> dict:
    """The real run of a member import; resumes where the job stands, so a retry or a
    second delivery changes nothing twice."""
    job = services.run_import(job_id=job_id)
    return {"status": job.status, "done": job.done, "total": job.total}
