"""Moderation: hiding and restoring what members wrote, warning and suspending members.

Every action is one transaction that writes a ModerationLog row and an entry in the staff
audit trail (portal.audit, Action.MODERATED) and tells the member concerned. Hiding takes
back the points the content earned (its author's award and the like-received awards of its
likes, gamification.activity.revoke) and hides its feed lines; restoring gives them back
(activity.record again) and shows them again.

Content is any Contribution (community.models): status updates, comments, forum posts,
contest photos. `moderator=None` means the flags hid it (community.flags)."""

import json

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gamification import activity
from gamification.models import Action as AwardAction
from gamification.models import Award
from portal.shell.errors import CodedError

from . import brakes
from .links import content_url
from .models import (
    Comment,
    FeedItem,
    Flag,
    FlagOutcome,
    Like,
    ModerationAction,
    ModerationLog,
    Suspension,
)

# hidden_reason of content the flags hid (until a moderator reviews it).
AUTO_REASON = "flags"
MODERATE = "accounts.moderate_community"


class ModerationRefused(CodedError):
    code = "moderation_refused"
    default_message = _("This moderation action cannot be done.")

    def __init__(self, message=None, *, code: str | None = None):
        super().__init__(message)
        if code:
            self.code = code


# --- Suspensions ----------------------------------------------------------------------------


# One query, shared with the spam brakes that refuse a suspended member.
active_suspension = brakes.active_suspension


def is_suspended(member, *, at=None) -> bool:
    return brakes.active_suspension(member, at=at) is not None


# --- The log --------------------------------------------------------------------------------


def _jsonable(detail: dict) -> dict:
    return json.loads(json.dumps(detail, cls=DjangoJSONEncoder))


def log(
    *,
    moderator,
    action: str,
    target=None,
    member=None,
    reason: str = "",
    request=None,
    **detail,
) -> ModerationLog:
    """Write one moderation log row and its audit trail entry (Action.MODERATED). Call it
    inside the action's transaction. `member` is whose content or account it was."""
    from portal.audit import services as audit

    if action not in ModerationAction.values:
        raise ValueError(f"unknown moderation action {action!r}")
    detail = _jsonable(detail)
    entry = ModerationLog.objects.create(
        moderator=moderator,
        action=action,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=target.pk if target is not None else None,
        member=member,
        reason=(reason or "")[:500],
        detail=detail,
    )
    audit.record(
        request=request if moderator is not None else None,
        actor=moderator,
        action=audit.Action.MODERATED,
        target=target if target is not None else member,
        member=member,
        moderation=action,
        reason=(reason or "")[:500],
        **detail,
    )
    return entry


# --- Telling members --------------------------------------------------------------------------


def _tell(member, *, kind: str, title, body="", url: str = "", params=None, email=False):
    """A notification in the member's language. `title` and `body` are lazy translations
    (formatted with `params`) or plain text written by a moderator."""
    from portal.notifications.services import language_of, notify

    with translation.override(language_of(member)):
        # Lazy values (a model's verbose name) are translated here, in their language.
        values = {key: str(value) for key, value in (params or {}).items()}
        title_text = str(title) % values if values else str(title)
        body_text = str(body) % values if values and body else str(body)
    notify(
        member=member,
        kind=kind,
        title=title_text[:200],
        body=body_text,
        url=url,
        channels=("email",) if email else (),
    )


def _what(content):
    """A lower-case noun for the content (lazy: translated in the reader's language)."""
    return content._meta.verbose_name


# --- Hiding and restoring ---------------------------------------------------------------------


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ModerationRefused(
            _("Give a reason: it is kept in the moderation log."), code="reason_required"
        )
    return reason


def _locked(content):
    """The content's row, locked; `content` itself is brought up to date afterwards."""
    return type(content)._default_manager.select_for_update().get(pk=content.pk)


def _copy_state(content, locked) -> None:
    for field in ("is_hidden", "hidden_at", "hidden_reason", "flag_weight", "like_count"):
        setattr(content, field, getattr(locked, field))


def _likes_of(content) -> list[Like]:
    return list(
        Like.objects.filter(
            target_type=ContentType.objects.get_for_model(content), target_id=content.pk
        ).select_related("member")
    )


def _reactions(content) -> list[tuple]:
    """(subject, action, actor) of every award others' reactions paid the author: its
    likes, and whatever the content's own `reaction_awards()` adds (a contest photo's votes)."""
    rows = [(like, AwardAction.LIKE_RECEIVED, like.member) for like in _likes_of(content)]
    extra = getattr(content, "reaction_awards", None)
    return rows + (list(extra()) if extra else [])


def _revoke_points(content, *, actor) -> int:
    """Take back the author's award for the content and the awards of its reactions.
    Returns the points taken back."""
    taken = activity.revoke(subject=content, actor=actor)
    for subject, _action, _actor in _reactions(content):
        taken += activity.revoke(subject=subject, actor=actor)
    return taken


def _revoked_without_live(subjects) -> set[tuple[int, int]]:
    """(content type id, pk) of the subjects that had an award taken back and hold no live
    award now: exactly what hiding took away."""
    if not subjects:
        return set()
    by_type: dict[int, list[int]] = {}
    for subject in subjects:
        by_type.setdefault(ContentType.objects.get_for_model(subject).pk, []).append(subject.pk)
    revoked, live = set(), set()
    for type_id, ids in by_type.items():
        rows = Award.objects.filter(subject_type_id=type_id, subject_id__in=ids).values_list(
            "subject_id", "revoked_at"
        )
        for subject_id, revoked_at in rows:
            (revoked if revoked_at else live).add((type_id, subject_id))
    return revoked - live


def _give_points_back(content) -> int:
    """Award again what hiding took back (the rule's daily cap applies as to any award)."""
    reactions = _reactions(content)
    due = _revoked_without_live([content, *(subject for subject, _a, _m in reactions)])
    given = 0
    content_type = ContentType.objects.get_for_model(content)
    if content.AWARD_ACTION and (content_type.pk, content.pk) in due:
        given += activity.record(
            member=content.author, action=content.AWARD_ACTION, subject=content
        ).awarded
    for subject, action, actor in reactions:
        if (ContentType.objects.get_for_model(subject).pk, subject.pk) in due:
            given += activity.record(
                member=content.author, action=action, subject=subject, actor=actor
            ).awarded
    return given


def _count_on_parent(content, delta: int) -> None:
    """A comment hidden or shown changes its status update's comment count."""
    if not isinstance(content, Comment):
        return
    model = content.target_type.model_class()
    if model is None or "comment_count" not in {f.name for f in model._meta.concrete_fields}:
        return
    rows = model._default_manager.filter(pk=content.target_id)
    if delta < 0:
        rows = rows.filter(comment_count__gte=-delta)
    rows.update(comment_count=F("comment_count") + delta)


def _feed_lines(content):
    return FeedItem.objects.filter(
        target_type=ContentType.objects.get_for_model(content), target_id=content.pk
    )


def _pending_flags(content):
    return Flag.objects.filter(
        target_type=ContentType.objects.get_for_model(content),
        target_id=content.pk,
        outcome=FlagOutcome.PENDING,
    )


def hide(*, content, moderator=None, reason: str, request=None) -> bool:
    """Hide `content` until a moderator restores it. One transaction; locks the content row.

    Takes back the points it earned, hides its feed lines, logs and tells the author. By a
    moderator (reason required) it also upholds the pending flags; hiding what the flags
    already hid confirms it (flags upheld, the moderator's reason kept). Returns False,
    changing nothing, when it is already hidden and there is nothing to confirm."""
    if moderator is not None:
        reason = _require_reason(reason)
    now = timezone.now()
    with transaction.atomic():
        locked = _locked(content)
        if locked.is_hidden:
            if moderator is None or locked.hidden_reason != AUTO_REASON:
                _copy_state(content, locked)
                return False
            # A moderator reviews what the flags hid: it stays hidden, the flags stand.
            locked.hidden_reason = reason[:200]
            locked.save(update_fields=["hidden_reason"])
            upheld = _pending_flags(locked).update(outcome=FlagOutcome.UPHELD, reviewed_at=now)
            log(
                moderator=moderator,
                action=ModerationAction.HIDE,
                target=locked,
                member=locked.author,
                reason=reason,
                request=request,
                confirmed=True,
                flags_upheld=upheld,
            )
            _copy_state(content, locked)
            return True
        locked.is_hidden = True
        locked.hidden_at = now
        locked.hidden_reason = AUTO_REASON if moderator is None else reason[:200]
        locked.save(update_fields=["is_hidden", "hidden_at", "hidden_reason"])
        taken = _revoke_points(locked, actor=moderator)
        _feed_lines(locked).update(is_hidden=True)
        upheld = 0
        if moderator is not None:
            upheld = _pending_flags(locked).update(outcome=FlagOutcome.UPHELD, reviewed_at=now)
        _count_on_parent(locked, -1)
        log(
            moderator=moderator,
            action=ModerationAction.HIDE,
            target=locked,
            member=locked.author,
            reason=reason if moderator is not None else AUTO_REASON,
            request=request,
            points_taken_back=taken,
            flags_upheld=upheld,
        )
        if moderator is None:
            body = _(
                "Several members flagged your %(what)s, so it is hidden until a moderator "
                "has looked at it. Points it earned are taken back meanwhile."
            )
        else:
            body = _("A moderator hid your %(what)s. The reason: %(reason)s")
        _tell(
            locked.author,
            kind="content_hidden",
            title=_("Your %(what)s was hidden"),
            body=body,
            url=content_url(locked),
            params={"what": _what(locked), "reason": reason},
        )
        _copy_state(content, locked)
    return True


def restore(*, content, moderator, reason: str, request=None) -> bool:
    """Show hidden `content` again: its points are given back, its feed lines shown, its
    pending flags rejected (and its flag weight reset), logged, the author told. One
    transaction; locks the content row. Returns False, changing nothing, when it is not
    hidden."""
    reason = _require_reason(reason)
    now = timezone.now()
    with transaction.atomic():
        locked = _locked(content)
        if not locked.is_hidden:
            _copy_state(content, locked)
            return False
        locked.is_hidden = False
        locked.hidden_at = None
        locked.hidden_reason = ""
        locked.flag_weight = 0
        locked.save(update_fields=["is_hidden", "hidden_at", "hidden_reason", "flag_weight"])
        rejected = _pending_flags(locked).update(outcome=FlagOutcome.REJECTED, reviewed_at=now)
        _feed_lines(locked).update(is_hidden=False)
        _count_on_parent(locked, +1)
        given = _give_points_back(locked)
        log(
            moderator=moderator,
            action=ModerationAction.RESTORE,
            target=locked,
            member=locked.author,
            reason=reason,
            request=request,
            points_given_back=given,
            flags_rejected=rejected,
        )
        _tell(
            locked.author,
            kind="content_restored",
            title=_("Your %(what)s is shown again"),
            body=_("A moderator looked at your %(what)s and restored it."),
            url=content_url(locked),
            params={"what": _what(locked)},
        )
        _copy_state(content, locked)
    return True


def dismiss_flags(*, content, moderator, reason: str, request=None) -> int:
    """Reject the pending flags on visible `content` (its flag weight starts again from
    zero). Hidden content is restored instead (restore() rejects its flags). Returns how
    many flags were rejected."""
    reason = _require_reason(reason)
    with transaction.atomic():
        locked = _locked(content)
        if locked.is_hidden:
            _copy_state(content, locked)
            raise ModerationRefused(
                _("It is hidden: restore it to dismiss its flags, or keep it hidden."),
                code="hidden",
            )
        rejected = _pending_flags(locked).update(
            outcome=FlagOutcome.REJECTED, reviewed_at=timezone.now()
        )
        if not rejected:
            _copy_state(content, locked)
            raise ModerationRefused(_("It has no flags waiting for review."), code="no_flags")
        locked.flag_weight = 0
        locked.save(update_fields=["flag_weight"])
        log(
            moderator=moderator,
            action=ModerationAction.DISMISS_FLAGS,
            target=locked,
            member=locked.author,
            reason=reason,
            request=request,
            flags_rejected=rejected,
        )
        _copy_state(content, locked)
    return rejected


# --- Members ------------------------------------------------------------------------------------


def _refuse_staff_target(member, moderator) -> None:
    if member.pk == moderator.pk:
        raise ModerationRefused(_("You cannot do this to your own account."), code="self")
    if member.is_superuser or member.has_perm(MODERATE):
        raise ModerationRefused(
            _("Moderators are not warned or suspended here: talk to the club manager."),
            code="staff",
        )


def warn(*, member, moderator, message: str, request=None) -> ModerationLog:
    """Send the member a private warning (a notification, also by e-mail) and log it."""
    message = (message or "").strip()
    if not message:
        raise ModerationRefused(_("Write the message the member will read."), code="empty")
    _refuse_staff_target(member, moderator)
    with transaction.atomic():
        entry = log(
            moderator=moderator,
            action=ModerationAction.WARN,
            member=member,
            reason=message,
            request=request,
        )
        _tell(
            member,
            kind="community_warning",
            title=_("A message from the moderators"),
            body=message,
            url="/community/",
            email=True,
        )
    return entry


def suspend(*, member, moderator, until, reason: str, request=None) -> Suspension:
    """Suspend the member from posting, commenting, liking, voting and flagging until
    `until` (an aware datetime in the future). Logged; the member is told (also by e-mail)."""
    from portal.shell.templatetags.club_format import jdate

    reason = _require_reason(reason)
    if until is None or until <= timezone.now():
        raise ModerationRefused(_("Choose a date in the future."), code="until_past")
    _refuse_staff_target(member, moderator)
    with transaction.atomic():
        suspension = Suspension.objects.create(
            member=member, until=until, reason=reason[:500], moderator=moderator
        )
        log(
            moderator=moderator,
            action=ModerationAction.SUSPEND,
            member=member,
            reason=reason,
            request=request,
            until=until,
        )
        from portal.notifications.services import language_of

        with translation.override(language_of(member)):
            title = gettext("You cannot post in the community until %(date)s") % {
                "date": jdate(until, True)
            }
        _tell(
            member,
            kind="community_suspended",
            title=title,
            body=reason,
            url="/community/",
            email=True,
        )
    return suspension


def lift_suspension(*, member, moderator, reason: str = "", request=None) -> int:
    """End the member's suspensions in force now. Raises ModerationRefused when there is
    none. Returns how many were lifted."""
    now = timezone.now()
    with transaction.atomic():
        lifted = Suspension.objects.filter(
            member=member, until__gt=now, lifted_at__isnull=True
        ).update(lifted_at=now)
        if not lifted:
            raise ModerationRefused(_("This member is not suspended."), code="not_suspended")
        log(
            moderator=moderator,
            action=ModerationAction.UNSUSPEND,
            member=member,
            reason=reason,
            request=request,
        )
        _tell(
            member,
            kind="community_unsuspended",
            title=_("You can post in the community again"),
            url="/community/",
        )
    return lifted
