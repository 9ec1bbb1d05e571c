"""What the club page shows, read live from the gamification settings: the tiers with
their figures and the active earning rules. Nothing here is typed in by hand, so a change
to a Tier or an EarningRule shows on the page at once."""

from dataclasses import dataclass
from decimal import Decimal

from gamification.models import ClubSettings, EarningRule, Tier
from gamification.selectors import TierProgress, tier_progress
from gamification.tiers import current_tier


@dataclass
class TierRow:
    tier: Tier
    cashback_percent: Decimal
    referral_percent: Decimal


def _percent(basis_points: int) -> Decimal:
    # 250 basis points → Decimal("2.5"): no float, no trailing zeros.
    value = (Decimal(basis_points) / 100).normalize()
    return value.quantize(Decimal(1)) if value == value.to_integral() else value


def club_figures() -> dict:
    """Tiers in threshold order, active earning rules and the club's numbers (3 queries)."""
    settings = ClubSettings.load()
    return {
        "tier_rows": [
            TierRow(tier, _percent(tier.cashback_bp), _percent(tier.referral_bp))
            for tier in Tier.objects.order_by("threshold")
        ],
        "earning_rules": list(EarningRule.objects.filter(is_active=True).order_by("action")),
        "tier_window_days": settings.tier_window_days,
        "rials_per_point": settings.rials_per_point,
    }


def member_progress(*, member) -> TierProgress:
    return tier_progress(member=member, tier=current_tier(member))
