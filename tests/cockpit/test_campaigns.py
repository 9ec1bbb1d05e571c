"""Sending campaigns: once per member whatever happens (twice in a row, due jobs, resumed
runs), gifts through the ledger with a clean audit, consent honoured, schedules kept."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from cockpit import campaigns, selectors
from cockpit.models import Campaign, CampaignStatus, Delivery, GiftKind, Segment, SkipReason
from cockpit.tasks import send_due_campaigns
from gamification import ledger
from gamification.models import EntryKind, LedgerEntry, Reward, Voucher
from portal.accounts import roles
from portal.audit.models import Action, AuditEntry
from portal.notifications import sms
from portal.notifications.models import Notification

pytestmark = pytest.mark.django_db

NOW = timezone.now()


@pytest.fixture
def members(make_user):
    """Three members: one agreeing to SMS (verified mobile), one to e-mail, one to
    nothing."""
    texting = make_user(
        roles.MEMBER,
        mobile="09121234567",
        sms_consent=True,
        sms_consent_at=NOW,
    )
    type(texting).objects.filter(pk=texting.pk).update(mobile_verified=True)
    mailing = make_user(roles.MEMBER, email_consent=True, email_consent_at=NOW)
    silent = make_user(roles.MEMBER)
    return texting, mailing, silent


@pytest.fixture
def everyone(db):
    return Segment.objects.create(name="Everyone")


def campaign_for(segment, manager=None, **kwargs):
    kwargs.setdefault("channels", ["portal"])
    return Campaign.objects.create(
        name="Spring",
        segment=segment,
        title="Spring offer",
        body="Come and see.",
        created_by=manager,
        **kwargs,
    )


def test_sending_twice_gives_each_member_one_delivery_gift_and_notification(
    members, everyone, manager, django_capture_on_commit_callbacks
):
    campaign = campaign_for(
        everyone, manager, gift_kind=GiftKind.POINTS, gift_amount=50, channels=["portal", "sms"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        first = campaigns.send(campaign=campaign)
    campaign.refresh_from_db()
    campaign.status = CampaignStatus.SENDING  # as if a second worker ran it again
    campaign.save()
    with django_capture_on_commit_callbacks(execute=True):
        campaigns.send(campaign=campaign)
        campaigns.send(campaign=campaign)

    assert first["targeted"] == 3 and first["gifts"] == 3
    assert Delivery.objects.filter(campaign=campaign).count() == 3
    for member in members:
        assert Notification.objects.filter(member=member, kind="campaign").count() == 1
        gifts = LedgerEntry.objects.filter(account__member=member, kind=EntryKind.GIFT)
        assert [entry.amount for entry in gifts] == [50]
        assert gifts[0].idempotency_key == f"campaign:{campaign.pk}:member:{member.pk}"
        assert ledger.balances(member).points == 50
    assert len(sms.outbox) == 1
    assert ledger.audit() == []
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENT and campaign.sent_at


def test_an_sms_only_campaign_skips_a_member_without_sms_consent(
    members, everyone, django_capture_on_commit_callbacks
):
    texting, mailing, silent = members
    campaign = campaign_for(
        everyone, gift_kind=GiftKind.CREDIT, gift_amount=10_000, channels=["sms"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        counts = campaigns.send(campaign=campaign)

    assert counts["by_sms"] == 1 and counts["skipped_consent"] == 2 and counts["gifts"] == 1
    assert [message["to"] for message in sms.outbox] == [texting.mobile]
    skipped = Delivery.objects.get(campaign=campaign, member=silent)
    assert skipped.skipped_reason == SkipReason.NO_CONSENT
    assert skipped.gift_entry is None and skipped.notification is None
    assert not Notification.objects.filter(member__in=[mailing, silent]).exists()
    assert ledger.balances(silent).credit == 0
    assert ledger.balances(texting).credit == 10_000
    assert mail.outbox == []


def test_an_email_campaign_mails_only_members_who_agreed(
    members, everyone, django_capture_on_commit_callbacks
):
    _texting, mailing, _silent = members
    campaign = campaign_for(everyone, channels=["email", "portal"])
    with django_capture_on_commit_callbacks(execute=True):
        counts = campaigns.send(campaign=campaign)
    assert counts["by_email"] == 1 and counts["by_portal"] == 3
    assert [message.to for message in mail.outbox] == [[mailing.email]]
    assert sms.outbox == []


def test_a_voucher_gift_costs_the_member_no_points(members, everyone):
    reward = Reward.objects.create(name="Free coffee", points_cost=300, stock=0)
    campaign = campaign_for(
        everyone, gift_kind=GiftKind.VOUCHER, gift_reward=reward, voucher_days=7
    )
    campaigns.send(campaign=campaign)
    campaigns.send(campaign=campaign)

    assert Voucher.objects.filter(reward=reward).count() == 3
    for member in members:
        voucher = Voucher.objects.get(member=member)
        assert voucher.expires_at - voucher.issued_at == timedelta(days=7)
        assert ledger.balances(member).points == 0
        delivery = Delivery.objects.get(campaign=campaign, member=member)
        assert delivery.voucher == voucher and delivery.gift_entry.kind == EntryKind.GIFT
    assert ledger.audit() == []


def test_a_scheduled_campaign_is_not_sent_before_its_time(members, everyone):
    start = timezone.now()
    campaign = campaign_for(everyone)
    campaigns.schedule_campaign(campaign=campaign, send_at=start + timedelta(hours=2))

    with time_machine.travel(start + timedelta(hours=1, minutes=59), tick=False):
        assert send_due_campaigns() == {}
    assert not Delivery.objects.exists()
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SCHEDULED

    with time_machine.travel(start + timedelta(hours=2), tick=False):
        sent = send_due_campaigns()
    assert sent[campaign.pk]["delivered"] == 3
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENT


def test_the_due_job_resumes_a_campaign_left_sending_by_a_dead_worker(members, everyone):
    campaign = campaign_for(everyone)
    Campaign.objects.filter(pk=campaign.pk).update(
        status=CampaignStatus.SENDING, claimed_at=timezone.now() - timedelta(minutes=5)
    )
    assert send_due_campaigns() == {}  # another worker may still be at it
    Campaign.objects.filter(pk=campaign.pk).update(
        claimed_at=timezone.now() - campaigns.STALE_AFTER - timedelta(seconds=1)
    )
    assert send_due_campaigns()[campaign.pk]["delivered"] == 3


def test_a_cancelled_campaign_is_never_sent(members, everyone, manager):
    campaign = campaign_for(everyone)
    campaigns.schedule_campaign(campaign=campaign, actor=manager)
    campaigns.cancel_campaign(campaign=campaign, actor=manager)
    assert send_due_campaigns() == {}
    assert campaigns.send(campaign=campaign)["targeted"] == 0
    assert not Notification.objects.exists()
    with pytest.raises(campaigns.NotEditable):
        campaigns.schedule_campaign(campaign=campaign)


def test_sending_in_small_batches_reaches_everyone_once(members, everyone):
    campaign = campaign_for(everyone, gift_kind=GiftKind.POINTS, gift_amount=5)
    counts = campaigns.send(campaign=campaign, batch_size=2)
    assert counts["delivered"] == 3 and counts["gifts"] == 3
    assert Notification.objects.count() == 3


def test_the_segment_is_resolved_when_sending(members, everyone, make_user):
    campaign = campaign_for(everyone)
    late = make_user(roles.MEMBER)
    campaigns.send(campaign=campaign)
    assert Delivery.objects.filter(campaign=campaign, member=late).exists()


def test_sending_is_audited(members, everyone, manager):
    campaign = campaign_for(everyone, manager)
    campaigns.send(campaign=campaign)
    entry = AuditEntry.objects.get(action=Action.CAMPAIGN_SENT, target_id=campaign.pk)
    assert entry.actor == manager
    assert entry.detail["delivered"] == 3


def test_the_management_command_sends_due_campaigns(members, everyone, capsys):
    campaign = campaign_for(everyone)
    campaigns.schedule_campaign(campaign=campaign)
    call_command("send_campaigns")
    assert f"campaign {campaign.pk}" in capsys.readouterr().out
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENT


def test_a_member_notified_in_their_language(make_user, everyone):
    make_user(roles.MEMBER, preferred_language="fa")
    campaign = campaign_for(everyone, gift_kind=GiftKind.POINTS, gift_amount=5)
    campaigns.send(campaign=campaign)
    body = Notification.objects.get().body
    assert body.startswith("Come and see.")
    assert "5" in body


def test_a_gift_that_cannot_be_given_is_recorded_and_nothing_is_sent(members, everyone):
    texting, _mailing, _silent = members
    campaign = campaign_for(everyone, gift_kind=GiftKind.POINTS, gift_amount=10)
    # The key already used for another amount: the ledger refuses the gift.
    ledger.post(
        member=texting,
        currency="points",
        amount=99,
        kind=EntryKind.ADJUSTMENT,
        idempotency_key=campaigns.gift_key(campaign.pk, texting.pk),
    )
    counts = campaigns.send(campaign=campaign)
    failed = Delivery.objects.get(campaign=campaign, member=texting)
    assert failed.skipped_reason == SkipReason.GIFT_FAILED and failed.gift_entry is None
    assert not Notification.objects.filter(member=texting).exists()
    assert counts["delivered"] == 2 and counts["gifts"] == 2
    assert ledger.balances(texting).points == 99
    assert ledger.audit() == []


def test_delivery_rows_for_exports_have_one_cell_per_header(members, everyone):
    reward = Reward.objects.create(name="Free coffee", points_cost=300)
    campaign = campaign_for(everyone, gift_kind=GiftKind.VOUCHER, gift_reward=reward)
    campaigns.send(campaign=campaign)
    headers, rows = selectors.delivery_rows(campaign)
    rows = list(rows)
    assert len(rows) == 3
    assert all(len(row) == len(headers) for row in rows)
    codes = set(Voucher.objects.values_list("code", flat=True))
    assert {row[headers.index("Voucher")] for row in rows} == codes


def test_deliveries_export_in_the_reports_covers_campaigns_sent_in_the_period(members, everyone):
    from django.utils import timezone

    from reports import exports

    campaign = campaign_for(everyone)
    campaigns.send(campaign=campaign)
    report = exports.get("campaign_deliveries")
    today = timezone.localdate().isoformat()
    rows = list(report.rows({"start": today, "end": today, "branch": None}))
    assert len(rows) == 3
    assert all(len(row) == len(report.columns) for row in rows)
    assert {row[0] for row in rows} == {campaign.name}
    assert not list(report.rows({"start": "2000-01-01", "end": "2000-01-02", "branch": None}))
