from celery import shared_task

from . import tiers


@shared_task
def reevaluate_tiers() -> dict:
    """Nightly: place every member in the tier their rolling window supports (idempotent)."""
    return tiers.reevaluate_all()
