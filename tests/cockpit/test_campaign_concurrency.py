"""Two workers sending the same campaign at once, on PostgreSQL with real threads: each
member still gets one delivery, one gift and one notification, and the books balance."""

import pytest

from cockpit import campaigns
from cockpit.models import Campaign, CampaignStatus, Delivery, GiftKind, Segment
from gamification import ledger
from gamification.models import EntryKind, LedgerEntry
from portal.accounts import roles
from portal.notifications.models import Notification

from ..gamification.test_ledger_concurrency import run_in_threads

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

MEMBERS = 12
WORKERS = 4


def test_concurrent_sends_give_each_member_one_delivery_gift_and_notification(make_user):
    members = [make_user(roles.MEMBER) for _ in range(MEMBERS)]
    segment = Segment.objects.create(name="Everyone")
    campaign = Campaign.objects.create(
        name="Rush",
        segment=segment,
        channels=["portal"],
        title="Hello",
        gift_kind=GiftKind.POINTS,
        gift_amount=25,
    )
    results, errors = run_in_threads(
        [
            lambda: campaigns.send(campaign=Campaign.objects.get(pk=campaign.pk), batch_size=3)
            for _ in range(WORKERS)
        ]
    )
    assert errors == []
    assert Delivery.objects.filter(campaign=campaign).count() == MEMBERS
    assert not Delivery.objects.filter(processed_at__isnull=True).exists()
    for member in members:
        assert Notification.objects.filter(member=member).count() == 1
        assert LedgerEntry.objects.filter(account__member=member, kind=EntryKind.GIFT).count() == 1
        assert ledger.balances(member).points == 25
    assert ledger.audit() == []
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENT


def test_concurrent_due_jobs_claim_a_campaign_once(make_user):
    from cockpit.tasks import send_due_campaigns

    for _ in range(3):
        make_user(roles.MEMBER)
    segment = Segment.objects.create(name="Everyone")
    campaign = Campaign.objects.create(name="Due", segment=segment, channels=["portal"], title="Hi")
    campaigns.schedule_campaign(campaign=campaign)
    results, errors = run_in_threads([send_due_campaigns for _ in range(WORKERS)])
    assert errors == []
    assert sum(campaign.pk in result for result in results) == 1
    assert Notification.objects.count() == 3
