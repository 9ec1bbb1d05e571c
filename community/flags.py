"""Flags: a member tells the moderators that something breaks the rules. One flag per
member per thing (a database constraint). A flag weighs more when its member stands higher
(tier) and has been right before (upheld flags); once the weights on a thing reach the
manager's threshold (CommunitySettings.flag_hide_threshold) it is hidden until a moderator
reviews it (community.moderation)."""

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from gamification.models import MemberTier, Tier
from portal.shell.errors import CodedError

from . import brakes, moderation
from .models import CommunitySettings, Flag, FlagOutcome, FlagReason

BASE_WEIGHT = 2
UPHELD_PER_POINT = 5
MAX_WEIGHT = 10
NOTE_LENGTH = 300


class FlagRefused(CodedError):
    code = "flag_refused"
    default_message = _("You cannot flag this.")

    def __init__(self, message=None, *, code: str | None = None):
        super().__init__(message)
        if code:
            self.code = code


def tier_step(member) -> int:
    """0 for the lowest tier (or none), 1 for the next, and so on."""
    row = MemberTier.objects.filter(member=member).select_related("tier").first()
    if row is None:
        return 0
    return Tier.objects.filter(threshold__lt=row.tier.threshold).count()


def weight_of(member) -> int:
    """2, plus 1 per tier step, plus 1 per 5 of the member's flags that moderators upheld;
    at most 10."""
    upheld = Flag.objects.filter(member=member, outcome=FlagOutcome.UPHELD).count()
    return min(MAX_WEIGHT, BASE_WEIGHT + tier_step(member) + upheld // UPHELD_PER_POINT)


def flag(*, member, target, reason: str, note: str = "") -> Flag:
    """Flag `target` (any Contribution) for the moderators. Raises FlagRefused for an
    unknown reason, one's own or already hidden content, or a second flag on the same
    thing; brakes.Refused when suspended or over the day's flags. One transaction: locks
    the target row, adds the flag's weight to it and hides it (moderation.hide, no
    moderator) once the total reaches the threshold."""
    if reason not in FlagReason.values:
        raise FlagRefused(_("Choose a reason."), code="reason")
    note = (note or "").strip()[:NOTE_LENGTH]
    if getattr(target, "author_id", None) == member.pk:
        raise FlagRefused(_("You cannot flag your own post."), code="own")
    target_type = ContentType.objects.get_for_model(target)
    model = type(target)
    with transaction.atomic():
        locked = model._default_manager.select_for_update().get(pk=target.pk)
        if locked.is_hidden:
            raise FlagRefused(
                _("This is already hidden; the moderators will look at it."), code="hidden"
            )
        if Flag.objects.filter(
            member=member, target_type=target_type, target_id=target.pk
        ).exists():
            raise FlagRefused(_("You have already flagged this."), code="already_flagged")
        brakes.check(member=member, kind="flag")
        try:
            with transaction.atomic():
                new = Flag.objects.create(
                    member=member,
                    target_type=target_type,
                    target_id=target.pk,
                    reason=reason,
                    note=note,
                    weight=weight_of(member),
                )
        except IntegrityError as error:
            raise FlagRefused(
                _("You have already flagged this."), code="already_flagged"
            ) from error
        model._default_manager.filter(pk=target.pk).update(
            flag_weight=F("flag_weight") + new.weight
        )
        locked.refresh_from_db(fields=["flag_weight"])
        target.flag_weight = locked.flag_weight
        if locked.flag_weight >= CommunitySettings.load().flag_hide_threshold:
            moderation.hide(content=target, moderator=None, reason=moderation.AUTO_REASON)
        brakes.note(member=member, kind="flag")
    return new
