"""What members do in the community's shared parts: post status updates, comment, follow
each other, join and leave interest groups. Likes, flags and moderation have modules of
their own (likes.py, flags.py, moderation.py).

Posting follows the spam brakes (community.brakes): check() before, note() after, in the
same transaction; a refusal (brakes.Refused) says when the member may try again."""

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gamification import activity
from gamification.models import Action
from portal.shell.errors import CodedError

from . import brakes, feed, text
from .links import content_url
from .mentions import notify_mentions
from .models import (
    Comment,
    CommunitySettings,
    FeedVerb,
    GroupMembership,
    InterestGroup,
    MemberFollow,
    StatusUpdate,
)
from .profiles import profile_for

STATUS_LENGTH = 500
COMMENT_LENGTH = 1000


class CommunityRefused(CodedError):
    code = "refused"
    default_message = _("This cannot be done right now.")

    def __init__(self, message=None, *, code: str | None = None):
        super().__init__(message)
        if code:
            self.code = code


def _clean_body(body: str, *, limit: int, required: bool = True) -> str:
    body = (body or "").strip()
    if required and not body:
        raise CommunityRefused(_("Write something first."), code="empty")
    if len(body) > limit:
        raise CommunityRefused(
            _("Keep it to %(limit)d characters (this has %(count)d).")
            % {"limit": limit, "count": len(body)},
            code="too_long",
        )
    return body


# --- Status updates and comments -------------------------------------------------------------


def post_status(*, author, body: str, photo=None) -> StatusUpdate:
    """A status update on the author's profile: text up to 500 characters (Markdown,
    sanitized), optionally a photo (checked and re-encoded: portal.shell.pictures). Pays the
    "status" rule, adds a line to the followers' feed, tells the mentioned members.
    Raises CommunityRefused (empty, too long), ValidationError({"photo": ...}) for a bad
    picture, brakes.Refused; nothing is saved then. One transaction."""
    from portal.shell.pictures import clean_upload

    body = _clean_body(body, limit=STATUS_LENGTH, required=photo is None)
    picture = None
    if photo is not None:
        picture = clean_upload(photo, max_kb=CommunitySettings.load().max_image_kb, field="photo")
    profile_for(author)
    with transaction.atomic():
        brakes.check(member=author, kind="status", source=body)
        status = StatusUpdate(author=author, body=body, body_html=text.render(body))
        if picture is not None:
            status.photo.save(picture.name, picture, save=False)
        status.save()
        url = content_url(status)
        activity.record(member=author, action=Action.STATUS_POSTED, subject=status)
        feed.publish(
            verb=FeedVerb.STATUS,
            actor=author,
            target=status,
            text=text.plain(body, limit=feed.TEXT_LENGTH),
            url=url,
            at=status.created_at,
        )
        notify_mentions(content=status, author=author, url=url)
        brakes.note(member=author, kind="status", source=body)
    return status


def _has_field(model, name: str) -> bool:
    return any(field.name == name for field in model._meta.concrete_fields)


def post_comment(*, author, target, body: str) -> Comment:
    """A comment on `target` (a status update, or any model a page offers comments on):
    up to 1000 characters of Markdown, sanitized. Pays the "comment" rule, raises the
    target's comment_count, tells the target's author and the mentioned members. Raises
    CommunityRefused (empty, too long, hidden target) or brakes.Refused, saving nothing.
    One transaction."""
    body = _clean_body(body, limit=COMMENT_LENGTH)
    if getattr(target, "is_hidden", False):
        raise CommunityRefused(
            _("This has been hidden by the moderators; it takes no comments."), code="hidden"
        )
    profile_for(author)
    model = type(target)
    with transaction.atomic():
        brakes.check(member=author, kind="comment", source=body)
        comment = Comment.objects.create(
            author=author,
            body=body,
            body_html=text.render(body),
            target_type=ContentType.objects.get_for_model(target),
            target_id=target.pk,
        )
        if _has_field(model, "comment_count"):
            model._default_manager.filter(pk=target.pk).update(comment_count=F("comment_count") + 1)
        activity.record(member=author, action=Action.COMMENT_POSTED, subject=comment)
        url = content_url(comment)
        told = notify_mentions(content=comment, author=author, url=url)
        owner = getattr(target, "author", None)
        if owner is not None and owner.pk != author.pk and owner not in told:
            _tell_comment(owner=owner, author=author, comment=comment, url=url)
        brakes.note(member=author, kind="comment", source=body)
    return comment


def _tell_comment(*, owner, author, comment, url: str) -> None:
    from portal.notifications.services import language_of, notify

    with translation.override(language_of(owner)):
        title = gettext("%(name)s commented on your post") % {"name": author.display_name}
    notify(
        member=owner,
        kind="comment",
        title=title[:200],
        body=text.plain(comment.body, limit=200),
        url=url,
    )


# --- Following ------------------------------------------------------------------------------


def follow(*, follower, followed) -> bool:
    """`follower` sees `followed`'s activity in their feed. Idempotent: True when it is new.
    Raises CommunityRefused for oneself or a closed account."""
    if follower.pk == followed.pk:
        raise CommunityRefused(_("You cannot follow yourself."), code="self")
    if not followed.is_active or followed.erased_at:
        raise CommunityRefused(_("This account is closed."), code="inactive")
    try:
        with transaction.atomic():
            _row, created = MemberFollow.objects.get_or_create(follower=follower, followed=followed)
    except IntegrityError:  # the same follow at the same moment
        return False
    return created


def unfollow(*, follower, followed) -> bool:
    """Stop following. True when there was a follow to end."""
    deleted, _rows = MemberFollow.objects.filter(follower=follower, followed=followed).delete()
    return bool(deleted)


# --- Interest groups ----------------------------------------------------------------------------


def join_group(*, member, group: InterestGroup) -> bool:
    """Join an active group. Idempotent: True when the member was not in it yet."""
    if not group.is_active:
        raise CommunityRefused(_("This group is closed."), code="inactive")
    try:
        with transaction.atomic():
            _row, created = GroupMembership.objects.get_or_create(group=group, member=member)
    except IntegrityError:
        return False
    return created


def leave_group(*, member, group: InterestGroup) -> bool:
    """Leave a group. True when the member was in it."""
    deleted, _rows = GroupMembership.objects.filter(group=group, member=member).delete()
    return bool(deleted)
