from .models import MemberProfile, User
from .services import ensure_profile


def panel_profile(*, user: User) -> MemberProfile:
    """The profile with what the panel shows, in one query."""
    ensure_profile(user=user)
    return (
        MemberProfile.objects.select_related("user", "home_branch")
        .prefetch_related("interests")
        .get(user=user)
    )


def club_summary(*, member) -> dict:
    """What the panel shows from gamification: tier progress, badges, challenges,
    leaderboard position and referrals. A fixed number of queries."""
    from gamification import leaderboards, referrals, selectors

    status = selectors.member_status(member=member)
    rank, week_points = leaderboards.rank_of(member=member, period="week")
    return {
        "club_status": status,
        "tier_progress": selectors.tier_progress(member=member, tier=status.tier),
        "member_badges": list(selectors.member_badges(member=member)),
        "challenges": selectors.open_challenges(member=member),
        "week_rank": rank,
        "week_points": week_points,
        "referees": referrals.referees_of(member),
    }


def club_card(*, member):
    """The member's active club card for the panel, or None (one query)."""
    from cardgateway.models import Card, CardStatus

    return Card.objects.filter(member=member, status=CardStatus.ACTIVE).first()
