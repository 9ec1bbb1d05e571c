"""Spam brakes: every limit the club manager sets in CommunitySettings, checked before a
member posts, comments, likes, flags, votes or enters a photo, and recorded after.

- Suspended members may do none of these until the suspension ends.
- Time between two posts (topics, posts, comments, status updates, photos).
- Daily limits per kind, counted since local midnight: the settings give the lowest tier's
  allowance; each tier step up adds `tier_bonus_percent`; accounts younger than
  `new_account_days` get `new_account_percent` of it (at least one).
- Links and @mentions per post, fewer for new accounts.
- The same text from the same member again within `duplicate_window_hours`.
A refusal says why and, where waiting helps, when to try again (Refused.retry_at)."""

import hashlib
from datetime import datetime, timedelta

from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from portal.shell.errors import CodedError

from . import text
from .models import BrakeEvent, CommunitySettings, Suspension

POSTING = frozenset({"topic", "post", "comment", "status", "photo"})
DAILY_FIELD = {
    "topic": "daily_topics",
    "post": "daily_posts",
    "comment": "daily_posts",
    "status": "daily_status_updates",
    "photo": "daily_posts",
    "like": "daily_likes",
    "flag": "daily_flags",
    "vote": "daily_likes",
}
# Kinds that share one daily allowance are counted together.
COUNTED_WITH = {
    field: sorted(kind for kind, f in DAILY_FIELD.items() if f == field)
    for field in set(DAILY_FIELD.values())
}


class Refused(CodedError):
    code = "slow_down"
    default_message = _("Please slow down.")

    def __init__(self, code: str, message, retry_at: datetime | None = None):
        self.code = code
        self.retry_at = retry_at
        super().__init__(message)


def _when(moment: datetime) -> str:
    local = timezone.localtime(moment)
    if local.date() == timezone.localdate():
        return formats.time_format(local, "H:i")
    return formats.date_format(local, "j F, H:i")


def _text_hash(source: str) -> str:
    normal = " ".join((source or "").split()).casefold()
    return hashlib.sha256(normal.encode()).hexdigest() if normal else ""


def active_suspension(member, *, at=None) -> Suspension | None:
    """The member's suspension in force at `at` (the one lasting longest), or None."""
    at = at or timezone.now()
    return (
        Suspension.objects.filter(member=member, until__gt=at, lifted_at__isnull=True)
        .order_by("-until")
        .first()
    )


def suspended_until(member, *, at=None) -> datetime | None:
    suspension = active_suspension(member, at=at)
    return suspension.until if suspension else None


def _tier_step(member) -> int:
    from gamification.models import MemberTier, Tier

    row = MemberTier.objects.filter(member=member).values_list("tier__threshold", flat=True)
    threshold = row.first()
    if threshold is None:
        return 0
    return Tier.objects.filter(threshold__lt=threshold).count()


def _is_new(member, settings, at) -> bool:
    return member.date_joined > at - timedelta(days=settings.new_account_days)


def daily_limit(member, kind: str, *, settings=None, at=None) -> int:
    settings = settings or CommunitySettings.load()
    at = at or timezone.now()
    base = getattr(settings, DAILY_FIELD[kind])
    limit = base * (100 + settings.tier_bonus_percent * _tier_step(member)) // 100
    if _is_new(member, settings, at):
        limit = max(1, limit * settings.new_account_percent // 100)
    return limit


def check(*, member, kind: str, source: str = "", at=None) -> None:
    """Raise Refused when `member` may not do `kind` now (with `source` as the text)."""
    if kind not in DAILY_FIELD:
        raise ValueError(f"unknown kind {kind!r}")
    at = at or timezone.now()
    until = suspended_until(member, at=at)
    if until is not None:
        raise Refused(
            "suspended",
            _("You are suspended from taking part until %(when)s.") % {"when": _when(until)},
            until,
        )
    settings = CommunitySettings.load()
    events = BrakeEvent.objects.filter(member=member)
    if kind in POSTING and settings.seconds_between_posts:
        last = (
            events.filter(kind__in=POSTING)
            .order_by("-created_at")
            .values_list("created_at", flat=True)
            .first()
        )
        if last and last > at - timedelta(seconds=settings.seconds_between_posts):
            retry = last + timedelta(seconds=settings.seconds_between_posts)
            raise Refused(
                "slow_down",
                _("You posted a moment ago. You can post again at %(when)s.")
                % {"when": _when(retry)},
                retry,
            )
    midnight = timezone.localtime(at).replace(hour=0, minute=0, second=0, microsecond=0)
    limit = daily_limit(member, kind, settings=settings, at=at)
    done = events.filter(kind__in=COUNTED_WITH[DAILY_FIELD[kind]], created_at__gte=midnight).count()
    if done >= limit:
        retry = midnight + timedelta(days=1)
        raise Refused(
            "daily_limit",
            _("You have reached today's limit (%(limit)d). You can go on from %(when)s.")
            % {"limit": limit, "when": _when(retry)},
            retry,
        )
    if kind in POSTING and source:
        _check_text(member, settings, source, at, events)


def _check_text(member, settings, source, at, events) -> None:
    new = _is_new(member, settings, at)
    max_links = settings.new_account_max_links if new else settings.max_links
    if text.link_count(source) > max_links:
        raise Refused(
            "too_many_links",
            _("A post may hold at most %(count)d links.") % {"count": max_links},
        )
    max_mentions = settings.new_account_max_mentions if new else settings.max_mentions
    if len(text.mentioned_handles(source)) > max_mentions:
        raise Refused(
            "too_many_mentions",
            _("A post may mention at most %(count)d members.") % {"count": max_mentions},
        )
    digest = _text_hash(source)
    window = at - timedelta(hours=settings.duplicate_window_hours)
    if digest and events.filter(text_hash=digest, created_at__gte=window).exists():
        raise Refused("duplicate", _("You have posted this same text already."))


def note(*, member, kind: str, source: str = "", at=None) -> None:
    """Record that `member` did `kind` (call right after it succeeded, in its transaction)."""
    if kind not in DAILY_FIELD:
        raise ValueError(f"unknown kind {kind!r}")
    BrakeEvent.objects.create(
        member=member,
        kind=kind,
        text_hash=_text_hash(source) if kind in POSTING else "",
        created_at=at or timezone.now(),
    )
