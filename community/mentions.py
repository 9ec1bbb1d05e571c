"""@mentions: when content is saved, each member it mentions is told once."""

from django.utils import translation
from django.utils.translation import gettext

from . import text
from .models import CommunityProfile

KIND = "mention"


def notify_mentions(*, content, author, url: str) -> list:
    """Tell every member `content.body` mentions by @handle (active members other than the
    author) with a notification linking to `url`. Once per member and `url`: saving the
    content again after an edit tells only the newly mentioned. Two queries, then one
    notification each. Returns the members told."""
    from portal.notifications.models import Notification
    from portal.notifications.services import language_of, notify

    handles = text.mentioned_handles(getattr(content, "body", "") or "")
    if not handles or not url:
        return []
    members = [
        profile.member
        for profile in CommunityProfile.objects.filter(handle__in=handles)
        .exclude(member=author)
        .filter(member__is_active=True, member__erased_at__isnull=True)
        .select_related("member", "member__profile")
    ]
    if not members:
        return []
    told = set(
        Notification.objects.filter(member__in=members, kind=KIND, url=url).values_list(
            "member_id", flat=True
        )
    )
    excerpt = text.plain(content.body, limit=200)
    notified = []
    for member in members:
        if member.pk in told:
            continue
        with translation.override(language_of(member)):
            title = gettext("%(name)s mentioned you") % {"name": author.display_name}
        notify(member=member, kind=KIND, title=title[:200], body=excerpt, url=url)
        notified.append(member)
    return notified
