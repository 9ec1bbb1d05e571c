"""Likes: one per member per thing (a database constraint), never on one's own content.
A like pays the content's author the "like received" rule (the Like is the award's
subject), and taking it back takes those points back."""

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from gamification import activity
from gamification.models import Action
from portal.shell.errors import CodedError

from . import brakes
from .models import Like


class LikeRefused(CodedError):
    code = "like_refused"
    default_message = _("You cannot like this.")

    def __init__(self, message=None, *, code: str | None = None):
        super().__init__(message)
        if code:
            self.code = code


def _has_field(model, name: str) -> bool:
    return any(field.name == name for field in model._meta.concrete_fields)


def _author_id(target):
    return getattr(target, "author_id", None)


def _find(*, member, target):
    return Like.objects.filter(
        member=member,
        target_type=ContentType.objects.get_for_model(target),
        target_id=target.pk,
    ).first()


def like(*, member, target) -> Like:
    """`member` likes `target`. Idempotent: liking again returns the first Like and changes
    nothing. Raises LikeRefused for one's own or hidden content, brakes.Refused when the
    member is suspended or over the day's likes. One transaction; the first like adds one
    to the target's like_count (when it has one) and pays its author once, even when many
    requests race (the unique constraint decides)."""
    existing = _find(member=member, target=target)
    if existing is not None:
        return existing
    if _author_id(target) == member.pk:
        raise LikeRefused(_("You cannot like your own post."), code="own")
    if getattr(target, "is_hidden", False):
        raise LikeRefused(_("This has been hidden by the moderators."), code="hidden")
    target_type = ContentType.objects.get_for_model(target)
    model = type(target)
    with transaction.atomic():
        brakes.check(member=member, kind="like")
        try:
            with transaction.atomic():
                new = Like.objects.create(
                    member=member, target_type=target_type, target_id=target.pk
                )
        except IntegrityError:  # the same like, a moment earlier
            return Like.objects.get(member=member, target_type=target_type, target_id=target.pk)
        if _has_field(model, "like_count"):
            model._default_manager.filter(pk=target.pk).update(like_count=F("like_count") + 1)
        author = getattr(target, "author", None)
        if author is not None:
            activity.record(member=author, action=Action.LIKE_RECEIVED, subject=new, actor=member)
        brakes.note(member=member, kind="like")
    return new


def unlike(*, member, target) -> bool:
    """Take the member's like back: the like_count drops by one and the author's points for
    it are taken back. Returns False when there was no like. One transaction."""
    model = type(target)
    with transaction.atomic():
        existing = (
            Like.objects.select_for_update()
            .filter(
                member=member,
                target_type=ContentType.objects.get_for_model(target),
                target_id=target.pk,
            )
            .first()
        )
        if existing is None:
            return False
        activity.revoke(subject=existing, actor=member)
        deleted, _rows = Like.objects.filter(pk=existing.pk).delete()
        if deleted and _has_field(model, "like_count"):
            model._default_manager.filter(pk=target.pk, like_count__gt=0).update(
                like_count=F("like_count") - 1
            )
    return bool(deleted)


def liked_ids(*, member, targets) -> set[int]:
    """The pks among `targets` (all of one model) the member likes: one query."""
    targets = list(targets)
    if not targets or member is None or not member.is_authenticated:
        return set()
    return set(
        Like.objects.filter(
            member=member,
            target_type=ContentType.objects.get_for_model(targets[0]),
            target_id__in=[t.pk for t in targets],
        ).values_list("target_id", flat=True)
    )
