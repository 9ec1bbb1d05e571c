"""What an account erasure (portal.accounts.erasure) does to the member's community data.
Registered from community.apps; runs inside the erasure's transaction, idempotent.

Always: the profile keeps no bio and its handle becomes former_<id>; the member's follows
(both ways), group memberships, spam-brake counters and badge and tier lines in the feed go.
Likes and flags stay (counts and the moderation record), pointing at the pseudonym.

keep_posts: status updates and comments stay, shown under "Former member" (the author's
display name after the erasure). Otherwise their text and photos are removed and they are
hidden for good; the rows stay because the books (awards) and the moderation log point at
them."""

from django.db import transaction
from django.db.models import F

from .models import (
    BrakeEvent,
    Comment,
    CommunityProfile,
    FeedItem,
    FeedVerb,
    GroupMembership,
    MemberFollow,
    StatusUpdate,
)

ERASED_REASON = "erased"


def erase_member(member, keep_posts: bool) -> None:
    CommunityProfile.objects.filter(member=member).update(handle=f"former_{member.pk}", bio="")
    MemberFollow.objects.filter(follower=member).delete()
    MemberFollow.objects.filter(followed=member).delete()
    GroupMembership.objects.filter(member=member).delete()
    BrakeEvent.objects.filter(member=member).delete()
    FeedItem.objects.filter(actor=member, verb__in=[FeedVerb.BADGE, FeedVerb.TIER]).delete()
    _rename_in_notifications(member)
    if keep_posts:
        return
    FeedItem.objects.filter(actor=member, verb=FeedVerb.STATUS).delete()
    _remove_photos(StatusUpdate.objects.filter(author=member).exclude(photo=""))
    # Comments shown until now no longer count on their status updates.
    for comment in Comment.objects.filter(author=member, is_hidden=False).only(
        "target_type", "target_id"
    ):
        model = comment.target_type.model_class()
        if model is not None and any(f.name == "comment_count" for f in model._meta.fields):
            model._default_manager.filter(pk=comment.target_id, comment_count__gt=0).update(
                comment_count=F("comment_count") - 1
            )
    for model in (StatusUpdate, Comment):
        model.objects.filter(author=member).update(
            body="", body_html="", is_hidden=True, hidden_reason=ERASED_REASON
        )
        model.objects.filter(author=member, hidden_at__isnull=True).update(
            hidden_at=member.erased_at
        )


def _rename_in_notifications(member) -> None:
    """Others were told "<name> mentioned you" or "<name> commented on your post": those
    titles now read with the member's display name after the erasure ("Former member")."""
    from django.utils.translation import gettext

    from portal.notifications.models import Notification

    from .links import content_url
    from .mentions import KIND as MENTION

    urls = [content_url(s) for s in StatusUpdate.objects.filter(author=member).only("pk")]
    urls += [content_url(c) for c in Comment.objects.filter(author=member).only("pk")]
    if not urls:
        return
    told = Notification.objects.filter(url__in=urls).exclude(member=member)
    name = {"name": member.display_name}
    told.filter(kind=MENTION).update(title=gettext("%(name)s mentioned you") % name)
    told.filter(kind="comment").update(title=gettext("%(name)s commented on your post") % name)


def _remove_photos(statuses) -> None:
    storage = StatusUpdate._meta.get_field("photo").storage
    names = [name for name in statuses.values_list("photo", flat=True) if name]
    statuses.update(photo="")

    def delete_files() -> None:
        for name in names:
            storage.delete(name)

    # Only once the erasure is committed: a rollback must not leave rows without files.
    transaction.on_commit(delete_files)
