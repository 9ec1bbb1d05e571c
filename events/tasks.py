from celery import shared_task

from . import services


@shared_task
def send_invitations(round_id: int) -> int:
    """Send one invitation round (idempotent: a retry or a second run invites nobody
    twice). Returns how many members the round invited."""
    return services.send_invitations(round_id=round_id).invited_count
