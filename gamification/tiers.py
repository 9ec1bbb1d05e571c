"""Tiers follow the points a member earned in a rolling window (ClubSettings).

evaluate() moves a member up the moment they qualify (called after every earning).
reevaluate_all() is the scheduled job that also moves members down once the window no
longer supports their tier."""

from datetime import timedelta

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from . import ledger
from .models import ClubSettings, DailyTotal, MemberTier, Tier, TierChange


def earned_in_window(*, member, at=None, window_days: int | None = None) -> int:
    at = at or timezone.now()
    days = window_days if window_days is not None else ClubSettings.load().tier_window_days
    start = timezone.localdate(at) - timedelta(days=days - 1)
    return (
        DailyTotal.objects.filter(
            member=member, day__gte=start, day__lte=timezone.localdate(at)
        ).aggregate(total=Sum("earned"))["total"]
        or 0
    )


def is_upgrade(*, previous: Tier | None, tier: Tier) -> bool:
    """Moving up: from a lower tier, or straight past the lowest one at the first
    placement (everyone starts in the lowest tier: that is no news)."""
    if previous is not None:
        return tier.threshold > previous.threshold
    return Tier.objects.filter(threshold__lt=tier.threshold).exists()


def tier_for(points: int, tiers: list[Tier]) -> Tier | None:
    """The highest tier whose threshold `points` reaches (tiers sorted by threshold)."""
    chosen = None
    for tier in tiers:
        if points >= tier.threshold:
            chosen = tier
    return chosen


def current_tier(member) -> Tier | None:
    row = MemberTier.objects.select_related("tier").filter(member=member).first()
    return row.tier if row else None


def evaluate(*, member, reason: str = "", at=None, allow_down: bool = False) -> Tier | None:
    """Put the member in the tier their window supports. Without `allow_down` only moves up.
    Records a TierChange and notifies nobody itself: callers (portal) do that. Returns the
    new tier when it changed, else None."""
    tiers = list(Tier.objects.order_by("threshold"))
    if not tiers:
        return None
    at = at or timezone.now()
    with transaction.atomic():
        # The points account lock serialises this member's evaluations (and postings), so
        # two concurrent first evaluations cannot both create the tier row.
        ledger.lock_accounts([member], currencies=("points",))
        points = earned_in_window(member=member, at=at)
        target = tier_for(points, tiers) or tiers[0]
        row = MemberTier.objects.select_for_update().filter(member=member).first()
        if row is not None and row.tier_id == target.pk:
            return None
        if row is not None and not allow_down:
            if target.threshold < next(t.threshold for t in tiers if t.pk == row.tier_id):
                return None
        previous = row.tier if row else None
        if row is None:
            MemberTier.objects.create(member=member, tier=target, since=at)
        else:
            row.tier, row.since = target, at
            row.save(update_fields=["tier", "since"])
        direction = "up" if previous is None or target.threshold > previous.threshold else "down"
        TierChange.objects.create(
            member=member,
            from_tier=previous,
            to_tier=target,
            reason=(reason or f"{points} points in the window")[:200] + f" ({direction})",
            created_at=at,
        )
    _announce(member=member, previous=previous, tier=target)
    return target


def promote_if_due(*, member, current: Tier | None, at=None) -> Tier | None:
    """evaluate() for the hot path (a purchase): the window total is read once and the full
    evaluation runs only when it reaches a tier above `current`, the member's tier as the
    caller read it. Returns the new tier when the member moved up, else None."""
    tiers = list(Tier.objects.order_by("threshold"))
    if not tiers or (current is not None and current.pk == tiers[-1].pk):
        return None
    target = tier_for(earned_in_window(member=member, at=at), tiers) or tiers[0]
    if current is not None and target.threshold <= current.threshold:
        return None
    return evaluate(member=member, at=at)


def _announce(*, member, previous, tier) -> None:
    from . import hooks

    hooks.tier_changed(member=member, previous=previous, tier=tier)


def reevaluate_all(*, at=None) -> dict:
    """The nightly job: every member with a tier or with points in the window is placed
    again, down as well as up. Idempotent. Returns counts."""
    at = at or timezone.now()
    days = ClubSettings.load().tier_window_days
    start = timezone.localdate(at) - timedelta(days=days - 1)
    tiers = list(Tier.objects.order_by("threshold"))
    if not tiers:
        return {"members": 0, "changed": 0}
    totals = dict(
        DailyTotal.objects.filter(day__gte=start, day__lte=timezone.localdate(at))
        .values("member")
        .annotate(total=Sum("earned"))
        .values_list("member", "total")
    )
    current = dict(MemberTier.objects.values_list("member_id", "tier_id"))
    changed = 0
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.in_bulk(set(totals) | set(current))
    for member_id in sorted(users):
        target = tier_for(totals.get(member_id, 0), tiers) or tiers[0]
        if current.get(member_id) == target.pk:
            continue
        if evaluate(
            member=users[member_id], reason="nightly re-evaluation", at=at, allow_down=True
        ):
            changed += 1
    return {"members": len(users), "changed": changed}
