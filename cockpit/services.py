"""Saving segments and campaigns (sending lives in campaigns.py)."""

from django.db import transaction

from .campaigns import NotEditable
from .forms import CampaignForm, SegmentForm
from .models import Campaign, CampaignStatus, Segment


def save_segment(*, form: SegmentForm, actor) -> Segment:
    """Create or update a segment from a valid form (its filters included), in one
    transaction. A campaign already sent keeps its deliveries: it resolved the segment
    when it was sent."""
    with transaction.atomic():
        segment = form.save(commit=False)
        if segment.pk is None:
            segment.created_by = actor
        segment.save()
        form.save_m2m()
    return segment


def save_campaign(*, form: CampaignForm, actor) -> Campaign:
    """Save a campaign not yet sent from a valid form, as a draft (a scheduled one goes
    back to draft until it is scheduled again). Locks an existing campaign's row, so a
    campaign the job has just started sending cannot change under it (raises
    NotEditable)."""
    with transaction.atomic():
        campaign = form.save(commit=False)
        if campaign.pk is None:
            campaign.created_by = actor
        elif not Campaign.objects.select_for_update().get(pk=campaign.pk).is_editable:
            raise NotEditable()
        campaign.status = CampaignStatus.DRAFT
        campaign.save()
    return campaign
