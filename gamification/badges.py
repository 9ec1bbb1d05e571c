"""Badges granted by rules over a member's record. evaluate() is idempotent: a badge is
held at most once (database constraint) and never taken away."""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from . import hooks
from .models import (
    Action,
    Award,
    Badge,
    BadgeRule,
    DailyTotal,
    EntryKind,
    LedgerEntry,
    MemberBadge,
    MemberTier,
    Referral,
)


def active_week_streak(*, member, at=None) -> int:
    """Consecutive weeks (Saturday to Friday, the Iranian week) with points earned, ending
    with the current or the last week."""
    today = timezone.localdate(at or timezone.now())
    week_start = today - timedelta(days=(today.weekday() - 5) % 7)
    days = set(
        DailyTotal.objects.filter(
            member=member, earned__gt=0, day__gte=week_start - timedelta(weeks=104)
        ).values_list("day", flat=True)
    )
    weeks = {d - timedelta(days=(d.weekday() - 5) % 7) for d in days}
    start = week_start if week_start in weeks else week_start - timedelta(weeks=1)
    streak = 0
    while start in weeks:
        streak += 1
        start -= timedelta(weeks=1)
    return streak


def measure(*, member, rule: str, badge: Badge) -> int:
    if rule == BadgeRule.FIRST_PURCHASE:
        return LedgerEntry.objects.filter(
            account__member=member, kind=EntryKind.PURCHASE_POINTS
        ).count()
    if rule == BadgeRule.COMMENTS:
        return Award.objects.filter(
            member=member, action=Action.COMMENT_POSTED, revoked_at__isnull=True
        ).count()
    if rule == BadgeRule.LIKES_RECEIVED:
        return Award.objects.filter(
            member=member, action=Action.LIKE_RECEIVED, revoked_at__isnull=True
        ).count()
    if rule == BadgeRule.REFERRALS:
        return Referral.objects.filter(referrer=member).count()
    if rule == BadgeRule.ACTIVE_WEEKS:
        return active_week_streak(member=member)
    if rule == BadgeRule.TIER_REACHED:
        row = MemberTier.objects.select_related("tier").filter(member=member).first()
        return int(bool(row and badge.tier_id and row.tier.threshold >= badge.tier.threshold))
    return 0


def evaluate(*, member) -> list[Badge]:
    """Grant every rule badge the member now qualifies for. Returns the new ones."""
    held = set(MemberBadge.objects.filter(member=member).values_list("badge_id", flat=True))
    granted = []
    for badge in Badge.objects.exclude(rule="").exclude(pk__in=held).select_related("tier"):
        if measure(member=member, rule=badge.rule, badge=badge) >= badge.threshold:
            try:
                with transaction.atomic():
                    held_badge = MemberBadge.objects.create(member=member, badge=badge)
            except IntegrityError:
                continue  # granted concurrently: still exactly once
            granted.append(badge)
            hooks.badge_granted(member=member, member_badge=held_badge)
    return granted
