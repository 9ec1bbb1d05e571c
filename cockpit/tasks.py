from celery import shared_task

from . import campaigns
from .models import Campaign


@shared_task
def send_due_campaigns() -> dict[int, dict]:
    """Every minute: send the campaigns whose time has come (and finish any left half-sent
    by a worker that stopped). Idempotent: see cockpit/campaigns.py."""
    sent = {}
    for campaign_id in campaigns.claim_due():
        campaign = Campaign.objects.get(pk=campaign_id)
        sent[campaign_id] = campaigns.send(campaign=campaign)
    return sent
