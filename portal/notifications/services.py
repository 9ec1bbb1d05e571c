"""notify(): the single entry point for telling a member something."""

from django.db import transaction
from django.utils import timezone

from portal.realtime import member_group, send_event_on_commit

from .models import Notification

CHANNELS = frozenset({"email", "sms"})


def language_of(user) -> str | None:
    """The language to write to `user` in: their profile's, else None (the active one)."""
    profile = getattr(user, "profile", None)
    return getattr(profile, "preferred_language", None) or None


@transaction.atomic
def notify(
    *,
    member,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    channels: tuple[str, ...] = (),
    marketing: bool = False,
) -> Notification:
    """Store a notification, push it to the member's open pages once the transaction
    commits, and hand e-mail / SMS delivery (`channels`) to a Celery task that honours
    the member's marketing consent. Delivery happens at most once per channel."""
    unknown = set(channels) - CHANNELS
    if unknown:
        raise ValueError(f"unknown channels: {sorted(unknown)}")
    notification = Notification.objects.create(
        member=member, kind=kind, title=title, body=body, url=url, marketing=marketing
    )
    send_event_on_commit(
        member_group(member.pk),
        {
            "type": "notification.created",
            "notification": notification.as_message(),
            "unread": unread_count(member=member),
        },
    )
    if channels:
        from .tasks import deliver_notification

        transaction.on_commit(lambda: deliver_notification.delay(notification.pk, list(channels)))
    return notification


def unread_count(*, member) -> int:
    return Notification.objects.filter(member=member, read_at__isnull=True).count()


def mark_read(*, member, notification_ids: list[int] | None = None) -> int:
    """Mark the member's notifications read (all, or the given ids). Returns how many."""
    unread = Notification.objects.filter(member=member, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    count = unread.update(read_at=timezone.now())
    send_event_on_commit(
        member_group(member.pk),
        {"type": "notification.read", "unread": unread_count(member=member)},
    )
    return count
