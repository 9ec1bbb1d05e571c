from celery import shared_task

from . import services


@shared_task
def run_export(export_id: int) -> str:
    """Make one export's file (idempotent: a finished export is left as it is)."""
    return services.make_export(export_id=export_id).status


@shared_task
def purge_old_exports() -> int:
    """Nightly: remove exports older than settings.REPORT_EXPORT_KEEP_DAYS, files included."""
    return services.purge_old_exports()
