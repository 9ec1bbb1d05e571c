"""Writes of the showcase app outside the Wagtail editor."""

from .models import HallOfFameEntry


def erase_member_entries(member, keep_posts: bool) -> None:
    """Registered with portal.accounts.erasure: an erased member leaves the hall of fame
    (their entries, which carry their name and maybe a photo, are removed), whatever
    `keep_posts` says. Idempotent; runs inside the erasure's transaction. The page's older
    revisions still hold the entry until they are pruned."""
    HallOfFameEntry.objects.filter(member=member).delete()
