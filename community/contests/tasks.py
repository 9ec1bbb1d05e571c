from celery import shared_task

from . import services


@shared_task
def close_contests() -> int:
    """Every 5 minutes (CELERY_BEAT_SCHEDULE): close the contests whose time is up, pay
    their winners once and publish their results. Returns how many were closed now."""
    return sum(1 for closed in services.close_due_contests() if closed.newly)
