"""The activity feed: lines about what members did (a status update, a new topic, a badge,
a tier) and what the club published (articles, contest results: no actor, everyone sees
them). A member's feed holds the lines of the people they follow, their own, and the
club's."""

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import FeedItem, FeedVerb, MemberFollow

TEXT_LENGTH = 200


def publish(*, verb: str, actor=None, target=None, text: str = "", url: str = "", at=None):
    """Add a feed line. Idempotent per (verb, target): publishing the same thing again
    returns the first line unchanged. Lines without a target are always added."""
    if verb not in FeedVerb.values:
        raise ValueError(f"unknown feed verb {verb!r}")
    fields = {
        "actor": actor,
        "text": (text or "")[:TEXT_LENGTH],
        "url": (url or "")[:300],
        "created_at": at or timezone.now(),
    }
    if target is None:
        return FeedItem.objects.create(verb=verb, **fields)
    target_type = ContentType.objects.get_for_model(target)
    lookup = {"verb": verb, "target_type": target_type, "target_id": target.pk}
    existing = FeedItem.objects.filter(**lookup).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return FeedItem.objects.create(**lookup, **fields)
    except IntegrityError:  # published concurrently
        return FeedItem.objects.get(**lookup)


def set_hidden(*, target, hidden: bool) -> int:
    """Hide or show every feed line about `target` (moderation does this for content)."""
    return FeedItem.objects.filter(
        target_type=ContentType.objects.get_for_model(target), target_id=target.pk
    ).update(is_hidden=hidden)


def for_member(member) -> QuerySet:
    """The member's feed, newest first: one query (the followed members are a subquery),
    with each line's actor, their name and handle."""
    followed = MemberFollow.objects.filter(follower=member).values("followed_id")
    return (
        FeedItem.objects.filter(is_hidden=False)
        .filter(Q(actor__isnull=True) | Q(actor=member) | Q(actor__in=followed))
        .select_related("actor", "actor__profile", "actor__community")
        .order_by("-created_at", "-pk")
    )


def of_member(member) -> QuerySet:
    """One member's own lines (their profile)."""
    return (
        FeedItem.objects.filter(is_hidden=False, actor=member)
        .select_related("actor", "actor__profile", "actor__community")
        .order_by("-created_at", "-pk")
    )


# --- Gamification's listeners (registered in community.apps) ----------------------------------


# Badge and tier lines link to nothing of their own: the page shows the actor's name linked
# to their profile (by the handle they have then).


def on_badge_granted(*, member, member_badge) -> None:
    publish(
        verb=FeedVerb.BADGE,
        actor=member,
        target=member_badge,
        text=member_badge.badge.name,
        at=member_badge.granted_at,
    )


def on_tier_change(*, member, previous, tier) -> None:
    """Only moving up is news: a tier lost at the nightly re-evaluation is not announced,
    nor the lowest tier every member starts in."""
    if previous is not None and tier.threshold <= previous.threshold:
        return
    from gamification.models import Tier, TierChange

    if not Tier.objects.filter(threshold__lt=tier.threshold).exists():
        return

    change = (
        TierChange.objects.filter(member=member, to_tier=tier)
        .order_by("-created_at", "-pk")
        .first()
    )
    publish(verb=FeedVerb.TIER, actor=member, target=change, text=tier.name)
