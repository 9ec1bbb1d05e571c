"""Where gamification tells the rest of the portal about a change without importing it.

The portal registers plain callables at start-up (portal.accounts.apps); with none
registered nothing happens. This keeps `gamification` free of imports from other apps."""

_tier_listeners: list = []


def on_tier_change(listener) -> None:
    if listener not in _tier_listeners:
        _tier_listeners.append(listener)


def tier_changed(*, member, previous, tier) -> None:
    for listener in _tier_listeners:
        listener(member=member, previous=previous, tier=tier)
