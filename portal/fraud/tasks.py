from celery import shared_task

from . import services


@shared_task
def scan_fraud() -> int:
    """Every 15 minutes (CELERY_BEAT_SCHEDULE): run the rules, open cases, hold. Returns
    the number of new cases."""
    return len(services.scan().opened)
