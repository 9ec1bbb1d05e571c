"""Where gamification tells the rest of the portal about a change without importing it.

The portal registers plain callables at start-up (portal.accounts.apps, community.apps);
with none registered nothing happens. This keeps `gamification` free of imports from other
apps."""

_tier_listeners: list = []
_badge_listeners: list = []


def on_tier_change(listener) -> None:
    if listener not in _tier_listeners:
        _tier_listeners.append(listener)


def tier_changed(*, member, previous, tier) -> None:
    for listener in _tier_listeners:
        listener(member=member, previous=previous, tier=tier)


def on_badge_granted(listener) -> None:
    """`listener(member=..., member_badge=...)` runs once for each badge a member is given
    (rule badges and challenge rewards), after the MemberBadge row exists."""
    if listener not in _badge_listeners:
        _badge_listeners.append(listener)


def badge_granted(*, member, member_badge) -> None:
    for listener in _badge_listeners:
        listener(member=member, member_badge=member_badge)
