"""Campaigns: schedule, cancel and send a message (and maybe a gift) to a segment.

Sending is idempotent and safe to run twice, or in two workers at once:

1. The segment is resolved when sending starts (one query) and a Delivery row is inserted
   for each member, in batches, with ON CONFLICT DO NOTHING on (campaign, member): a
   member already targeted is not targeted again.
2. Pending deliveries are then taken a batch at a time with SELECT ... FOR UPDATE SKIP
   LOCKED, so two workers share the work rather than doing it twice, and each batch is
   one transaction: the gift (ledger key `campaign:<id>:member:<id>`), the notification
   and the delivery's `processed_at` commit together or not at all. A member's gift and
   notification therefore happen exactly once.
3. The campaign is marked sent (and audited) once no delivery is left pending.

Consent: e-mail and SMS are chosen per member from their marketing consent and contact
details (the notification task checks consent again when it sends); the in-portal
notification needs no consent. A member left with no chosen channel is skipped (no gift,
no message) and the delivery records why."""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy, ngettext

from gamification import ledger, rewards
from portal.audit.services import Action, record
from portal.notifications.services import language_of, notify
from portal.shell.errors import CodedError

from . import segments
from .models import Campaign, CampaignStatus, Channel, Delivery, GiftKind, SkipReason

BATCH_SIZE = 1000
NOTIFICATION_KIND = "campaign"
# A campaign left "sending" this long after its last batch is taken again (a dead worker).
STALE_AFTER = timedelta(minutes=15)


class CampaignError(CodedError):
    code = "campaign_error"


class NotEditable(CampaignError):
    code = "not_editable"
    default_message = gettext_lazy("This campaign has already been sent or cancelled.")


def gift_key(campaign_id: int, member_id: int) -> str:
    return f"campaign:{campaign_id}:member:{member_id}"


# --- Scheduling --------------------------------------------------------------------------


def schedule_campaign(*, campaign: Campaign, send_at: datetime | None = None, actor=None) -> None:
    """Schedule a draft (or re-time a scheduled) campaign; `send_at` None means now (the
    next run of the send_due_campaigns job, within a minute). Raises NotEditable."""
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if not locked.is_editable:
            raise NotEditable()
        locked.status = CampaignStatus.SCHEDULED
        locked.scheduled_at = send_at or timezone.now()
        locked.save(update_fields=["status", "scheduled_at"])
        record(
            actor=actor,
            action=Action.CAMPAIGN_SENT,
            target=locked,
            event="scheduled",
            send_at=locked.scheduled_at,
        )
    campaign.refresh_from_db()


def cancel_campaign(*, campaign: Campaign, actor=None) -> None:
    """Cancel a draft or scheduled campaign (one being sent cannot be stopped half-way).
    Raises NotEditable."""
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if not locked.is_editable:
            raise NotEditable()
        locked.status = CampaignStatus.CANCELLED
        locked.save(update_fields=["status"])
        record(actor=actor, action=Action.CAMPAIGN_SENT, target=locked, event="cancelled")
    campaign.refresh_from_db()


def claim_due(*, now: datetime | None = None) -> list[int]:
    """Take every campaign due for sending: scheduled at or before `now`, or left
    "sending" by a worker that stopped (STALE_AFTER). Rows another worker is claiming are
    skipped (FOR UPDATE SKIP LOCKED); the claimed ones become "sending" with a fresh
    claim time, so a second worker does not take them again. Returns their ids."""
    now = now or timezone.now()
    with transaction.atomic():
        due = (
            Campaign.objects.select_for_update(skip_locked=True)
            .filter(
                Q(status=CampaignStatus.SCHEDULED, scheduled_at__lte=now)
                | Q(status=CampaignStatus.SENDING, claimed_at__lt=now - STALE_AFTER)
            )
            .order_by("scheduled_at", "pk")
        )
        ids = list(due.values_list("pk", flat=True))
        if ids:
            Campaign.objects.filter(pk__in=ids).update(
                status=CampaignStatus.SENDING, claimed_at=now
            )
    return ids


# --- Sending -----------------------------------------------------------------------------


def send(*, campaign: Campaign, batch_size: int = BATCH_SIZE, at: datetime | None = None) -> dict:
    """Send `campaign` to its segment (see the module docstring for the guarantees).
    A sent or cancelled campaign is left alone; a draft or scheduled one is sent now.
    Returns the counts of delivery_counts()."""
    at = at or timezone.now()
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if campaign.status in (CampaignStatus.SENT, CampaignStatus.CANCELLED):
            return delivery_counts(campaign)
        if campaign.status != CampaignStatus.SENDING:
            campaign.status = CampaignStatus.SENDING
            campaign.claimed_at = at
            campaign.save(update_fields=["status", "claimed_at"])
        started = not campaign.deliveries.exists()

    if started or campaign.deliveries.filter(processed_at__isnull=True).exists():
        _target(campaign, at=at, batch_size=batch_size)
    while _send_batch(campaign, batch_size=batch_size):
        Campaign.objects.filter(pk=campaign.pk).update(claimed_at=timezone.now())

    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        pending = locked.deliveries.filter(processed_at__isnull=True).exists()
        if locked.status == CampaignStatus.SENDING and not pending:
            locked.status = CampaignStatus.SENT
            locked.sent_at = timezone.now()
            locked.save(update_fields=["status", "sent_at"])
            counts = delivery_counts(locked)
            record(actor=locked.created_by, action=Action.CAMPAIGN_SENT, target=locked, **counts)
    return delivery_counts(campaign)


def _target(campaign: Campaign, *, at: datetime, batch_size: int) -> None:
    """Insert a delivery for every member of the segment as it is now (ON CONFLICT DO
    NOTHING: members already targeted keep their delivery)."""
    member_ids = list(segments.members(campaign.segment, at=at).values_list("pk", flat=True))
    for start in range(0, len(member_ids), batch_size):
        Delivery.objects.bulk_create(
            [
                Delivery(campaign=campaign, member_id=member_id, created_at=at)
                for member_id in member_ids[start : start + batch_size]
            ],
            ignore_conflicts=True,
        )


def _member_channels(campaign: Campaign, member) -> list[str]:
    """The chosen channels this member can be reached on for marketing."""
    profile = getattr(member, "profile", None)
    chosen = set(campaign.channels)
    reachable = []
    if Channel.PORTAL in chosen:
        reachable.append(Channel.PORTAL.value)
    if Channel.EMAIL in chosen and member.email and profile and profile.email_consent:
        reachable.append(Channel.EMAIL.value)
    if (
        Channel.SMS in chosen
        and member.mobile
        and member.mobile_verified
        and profile
        and profile.sms_consent
    ):
        reachable.append(Channel.SMS.value)
    return reachable


def _send_batch(campaign: Campaign, *, batch_size: int) -> int:
    """Process up to `batch_size` pending deliveries in one transaction. Returns how many
    were processed (0: nothing left that another worker is not already doing)."""
    with transaction.atomic():
        batch = list(
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(campaign=campaign, processed_at__isnull=True)
            .select_related("member__profile")
            .order_by("pk")[:batch_size]
        )
        now = timezone.now()
        for delivery in batch:
            _deliver(campaign, delivery, now=now)
        Delivery.objects.bulk_update(
            batch,
            [
                "by_portal",
                "by_email",
                "by_sms",
                "skipped_reason",
                "gift_entry",
                "voucher",
                "notification",
                "processed_at",
            ],
        )
    return len(batch)


def _deliver(campaign: Campaign, delivery: Delivery, *, now: datetime) -> None:
    member = delivery.member
    delivery.processed_at = now
    channels = _member_channels(campaign, member)
    if not channels:
        delivery.skipped_reason = SkipReason.NO_CONSENT
        return
    delivery.by_portal = Channel.PORTAL in channels
    delivery.by_email = Channel.EMAIL in channels
    delivery.by_sms = Channel.SMS in channels
    try:
        with transaction.atomic():
            _give_gift(campaign, delivery)
    except (ledger.LedgerError, rewards.RewardError):
        # Recorded and left for the manager to see: the rest of the batch goes on.
        delivery.skipped_reason = SkipReason.GIFT_FAILED
        delivery.by_portal = delivery.by_email = delivery.by_sms = False
        delivery.gift_entry = delivery.voucher = None
        return
    with translation.override(language_of(member)):
        body = campaign.body
        gift_line = gift_text(campaign)
        if gift_line:
            body = f"{body}\n\n{gift_line}" if body else gift_line
        delivery.notification = notify(
            member=member,
            kind=NOTIFICATION_KIND,
            title=campaign.title,
            body=body,
            url=_gift_url(campaign),
            channels=tuple(c for c in channels if c != Channel.PORTAL),
            marketing=True,
        )


def _give_gift(campaign: Campaign, delivery: Delivery) -> None:
    if campaign.gift_kind == GiftKind.NONE:
        return
    delivery.gift_entry, voucher = rewards.give_gift(
        member=delivery.member,
        kind=campaign.gift_kind,
        idempotency_key=gift_key(campaign.pk, delivery.member_id),
        amount=int(campaign.gift_amount or 0),
        reward=campaign.gift_reward,
        days=campaign.voucher_days,
        subject=campaign,
        actor=campaign.created_by,
        description=campaign.name,
    )
    if voucher is not None:
        delivery.voucher = voucher


def gift_text(campaign: Campaign) -> str:
    """The gift in words, in the active language ("" when there is none)."""
    if campaign.gift_kind == GiftKind.POINTS:
        return ngettext(
            "Your gift: %(count)s point.", "Your gift: %(count)s points.", campaign.gift_amount
        ) % {"count": f"{campaign.gift_amount:,}"}
    if campaign.gift_kind == GiftKind.CREDIT:
        return gettext("Your gift: %(amount)s rials of credit.") % {
            "amount": f"{campaign.gift_amount:,}"
        }
    if campaign.gift_kind == GiftKind.VOUCHER:
        return gettext("Your gift: a voucher for %(reward)s.") % {
            "reward": campaign.gift_reward.name
        }
    return ""


def _gift_url(campaign: Campaign) -> str:
    if campaign.gift_kind == GiftKind.VOUCHER:
        return reverse("gamification:rewards")
    if campaign.gift_kind in (GiftKind.POINTS, GiftKind.CREDIT):
        return reverse("gamification:history")
    return ""


def delivery_counts(campaign: Campaign) -> dict:
    """Targeted, processed, skipped for consent, gifts given and delivered per channel
    (one query)."""
    from .selectors import delivery_counts as counts

    return counts(campaign)
