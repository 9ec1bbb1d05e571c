"""Scheduled privacy jobs (CELERY_BEAT_SCHEDULE in portal/settings/base.py); each is
idempotent and is also a management command of the same name."""

from celery import shared_task

from . import erasure, retention


@shared_task
def erase_due_accounts() -> dict:
    """Hourly: carry out the erasure requests whose cooling-off has passed."""
    return erasure.erase_due_accounts()


@shared_task
def purge_retention() -> dict:
    """Daily: purge what the manager's retention periods no longer keep."""
    return retention.purge().counts
