"""Referrals: who brought whom, and what the referrer earns for it.

register_referral() is called by the portal when a member signs up through a share link;
credit_purchase_share() by the card gateway inside its purchase transaction."""

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from . import activity, ledger
from .models import Action, ClubSettings, Currency, EntryKind, LedgerEntry, Referral
from .tiers import current_tier


class SelfReferral(ValueError):
    pass


def register_referral(*, referrer, referee, at=None) -> Referral | None:
    """Record that `referee` signed up through `referrer`'s link and pay the referrer the
    "referral signed up" rule. A member never refers themselves; a referee has one
    referrer (the first). Returns the referral, or None when one already existed."""
    if referrer.pk == referee.pk:
        raise SelfReferral("a member cannot refer themselves")
    at = at or timezone.now()
    days = ClubSettings.load().referral_share_days
    try:
        with transaction.atomic():
            referral = Referral.objects.create(
                referrer=referrer,
                referee=referee,
                created_at=at,
                share_until=at + timedelta(days=days),
            )
    except IntegrityError:
        return None
    activity.record(member=referrer, action=Action.REFERRAL_SIGNED_UP, subject=referral, at=at)
    return referral


@dataclass(frozen=True)
class ShareResult:
    entry: LedgerEntry | None
    amount: int


def share_of(amount: int, basis_points: int) -> int:
    """A percentage of rials, rounded down to a whole rial, in integers only."""
    return amount * basis_points // 10_000


def credit_purchase_share(
    *,
    referee,
    base_amount: int,
    idempotency_key: str,
    branch=None,
    actor_label: str = "",
    description: str = "",
    at=None,
) -> ShareResult:
    """Pay the referrer their tier's referral rate of `base_amount` (the referee's purchase
    after credit spent), while the referral's share period lasts, and the "referral first
    purchase" points on the referee's first purchase. Runs inside the caller's transaction;
    idempotent through `idempotency_key`. No referral, an expired one, or a zero share pays
    nothing."""
    at = at or timezone.now()
    referral = Referral.objects.select_related("referrer").filter(referee=referee).first()
    if referral is None or base_amount <= 0:
        return ShareResult(None, 0)
    if referral.first_purchase_at is None:
        Referral.objects.filter(pk=referral.pk, first_purchase_at__isnull=True).update(
            first_purchase_at=at
        )
        activity.record(
            member=referral.referrer, action=Action.REFERRAL_FIRST_PURCHASE, subject=referral, at=at
        )
    if at > referral.share_until:
        return ShareResult(None, 0)
    tier = current_tier(referral.referrer)
    amount = share_of(base_amount, tier.referral_bp if tier else 0)
    if amount <= 0:
        return ShareResult(None, 0)
    entry = ledger.post(
        member=referral.referrer,
        currency=Currency.CREDIT,
        amount=amount,
        kind=EntryKind.REFERRAL_SHARE,
        idempotency_key=idempotency_key,
        subject=referral,
        branch=branch,
        actor_label=actor_label,
        description=description,
        at=at,
    )
    return ShareResult(entry, amount)


def referees_of(member) -> list[tuple[Referral, int]]:
    """The member's referees, newest first, each with the credit (rials) it has brought,
    reversals included. Two queries whatever the number of referees."""
    referrals = list(Referral.objects.filter(referrer=member).select_related("referee__profile"))
    ct = ContentType.objects.get_for_model(Referral)
    brought = dict(
        LedgerEntry.objects.filter(
            account__member=member,
            account__currency=Currency.CREDIT,
            subject_type=ct,
            subject_id__in=[r.pk for r in referrals],
        )
        .values("subject_id")
        .annotate(total=Sum("amount"))
        .values_list("subject_id", "total")
    )
    return [(referral, brought.get(referral.pk, 0)) for referral in referrals]
