"""Reads of the cockpit shared by the screens and the exports."""

from collections.abc import Iterable, Iterator

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _lazy

from .models import Campaign, Delivery, Segment, SkipReason


def segment_list() -> QuerySet[Segment]:
    """Saved segments with who made them and how many campaigns use them. One query."""
    return (
        Segment.objects.select_related("created_by")
        .annotate(campaign_count=Count("campaigns"))
        .order_by("name", "pk")
    )


def campaign_list() -> QuerySet[Campaign]:
    """Campaigns, newest first, with their segment and reward. One query."""
    return Campaign.objects.select_related("segment", "gift_reward", "created_by").order_by(
        "-created_at", "-pk"
    )


def delivery_counts(campaign: Campaign) -> dict:
    """One query: targeted (deliveries), processed, delivered (not skipped), delivered
    per channel, skipped for lack of consent, and gifts given."""
    delivered = Q(processed_at__isnull=False, skipped_reason="")
    return Delivery.objects.filter(campaign=campaign).aggregate(
        targeted=Count("pk"),
        processed=Count("pk", filter=Q(processed_at__isnull=False)),
        delivered=Count("pk", filter=delivered),
        by_portal=Count("pk", filter=Q(by_portal=True)),
        by_email=Count("pk", filter=Q(by_email=True)),
        by_sms=Count("pk", filter=Q(by_sms=True)),
        skipped_consent=Count("pk", filter=Q(skipped_reason=SkipReason.NO_CONSENT)),
        gifts=Count("pk", filter=Q(gift_entry__isnull=False)),
    )


def _deliveries() -> QuerySet[Delivery]:
    return Delivery.objects.select_related(
        "campaign", "member__profile", "gift_entry", "voucher"
    ).order_by("pk")


def deliveries(campaign: Campaign) -> QuerySet[Delivery]:
    """A campaign's deliveries with the member, profile, gift entry and voucher joined
    (one query per page, whatever its length)."""
    return _deliveries().filter(campaign=campaign)


# The columns of a deliveries export (reports/exports.py registers it; delivery_rows).
DELIVERY_COLUMNS = [
    _lazy("Campaign"),
    _lazy("Member"),
    _lazy("E-mail"),
    _lazy("In portal"),
    _lazy("By e-mail"),
    _lazy("By SMS"),
    _lazy("Skipped"),
    _lazy("Gift"),
    _lazy("Voucher"),
    _lazy("Targeted at"),
    _lazy("Processed at"),
]


def _rows(queryset: QuerySet[Delivery]) -> Iterator[list]:
    """One row per delivery, streamed (`iterator`): a 100,000-member campaign is not held
    in memory."""
    reasons = dict(SkipReason.choices)
    for delivery in queryset.iterator(chunk_size=2000):
        member = delivery.member
        yield [
            delivery.campaign.name,
            member.get_full_name(),
            member.email,
            delivery.by_portal,
            delivery.by_email,
            delivery.by_sms,
            str(reasons.get(delivery.skipped_reason, "")),
            delivery.gift_entry.amount if delivery.gift_entry else "",
            delivery.voucher.code if delivery.voucher else "",
            delivery.created_at,
            delivery.processed_at,
        ]


def delivery_rows(campaign: Campaign) -> tuple[list[str], Iterable[list]]:
    """Headers and rows of one campaign's deliveries."""
    return [str(column) for column in DELIVERY_COLUMNS], _rows(deliveries(campaign))


def period_delivery_rows(*, start, end, branch=None) -> Iterator[list]:
    """Rows of the deliveries of campaigns sent between the dates `start` and `end`
    (inclusive), to members of `branch` when given: the reports' deliveries export."""
    queryset = _deliveries().filter(campaign__sent_at__date__range=(start, end))
    if branch is not None:
        queryset = queryset.filter(member__profile__home_branch=branch)
    return _rows(queryset)
