"""Reads the member panel, the header and the history page share."""

from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils import timezone

from . import ledger
from .models import (
    Challenge,
    ChallengeProgress,
    Currency,
    LedgerEntry,
    MemberBadge,
    MemberTier,
    Tier,
)
from .tiers import earned_in_window


@dataclass
class MemberStatus:
    tier: Tier | None
    points: int
    credit: int
    held_points: int = 0
    held_credit: int = 0


def member_status(*, member) -> MemberStatus:
    """Tier and balances for the header (two queries)."""
    row = MemberTier.objects.select_related("tier").filter(member=member).first()
    balances = ledger.balances(member)
    return MemberStatus(
        row.tier if row else None,
        balances.points,
        balances.credit,
        balances.held_points,
        balances.held_credit,
    )


@dataclass
class TierProgress:
    tier: Tier | None
    next_tier: Tier | None
    earned: int
    needed: int  # points still to earn for the next tier (0 at the top)
    percent: int


def tier_progress(*, member, tier: Tier | None) -> TierProgress:
    earned = earned_in_window(member=member)
    next_tier = (
        Tier.objects.filter(threshold__gt=tier.threshold if tier else -1)
        .order_by("threshold")
        .first()
    )
    if next_tier is None:
        return TierProgress(tier, None, earned, 0, 100)
    floor = tier.threshold if tier else 0
    span = max(next_tier.threshold - floor, 1)
    percent = max(0, min(100, (earned - floor) * 100 // span))
    return TierProgress(tier, next_tier, earned, max(next_tier.threshold - earned, 0), percent)


def member_badges(*, member):
    return MemberBadge.objects.filter(member=member).select_related("badge")


def open_challenges(*, member, at=None) -> list[tuple[Challenge, int, bool]]:
    """Running challenges with the member's count and whether it is completed."""
    at = at or timezone.now()
    challenges = Challenge.objects.filter(starts_at__lte=at, ends_at__gte=at).prefetch_related(
        Prefetch(
            "progress",
            queryset=ChallengeProgress.objects.filter(member=member),
            to_attr="mine",
        )
    )
    rows = []
    for challenge in challenges:
        mine = challenge.mine[0] if challenge.mine else None
        rows.append(
            (
                challenge,
                min(mine.count, challenge.target) if mine else 0,
                bool(mine and mine.completed_at),
            )
        )
    return rows


def history(*, member):
    """The member's ledger entries, newest first, with their causes prefetched."""
    return (
        # The spendable accounts: a hold shows as one entry out, its release as one back.
        LedgerEntry.objects.filter(account__member=member, account__currency__in=Currency.values)
        .select_related("account", "branch", "subject_type")
        .prefetch_related("subject")
        .order_by("-created_at", "-id")
    )
