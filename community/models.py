"""The community's shared parts: interest groups, following, likes, flags, moderation,
suspensions, the manager's spam brakes, status updates with their comments, and the
activity feed. Forums, surveys and contests are apps of their own (community/forums,
community/surveys, community/contests) built on these.

Everything members write is a Contribution: it has an author, a time, a sanitized HTML body
(community/text.py renders Markdown and cleans it with bleach), can be liked, flagged,
hidden and restored, and names the earning rule (gamification Action) it pays."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

USER = settings.AUTH_USER_MODEL


# --- Interest groups and following ------------------------------------------------------


class CommunityProfile(models.Model):
    """A member's public face in the community: the @handle others mention, a short bio.
    Created on first use (community.profiles.profile_for)."""

    member = models.OneToOneField(USER, on_delete=models.CASCADE, related_name="community")
    handle = models.CharField(
        _("handle"),
        max_length=30,
        unique=True,
        help_text=_("Small letters, digits and underscores; others mention you as @handle."),
    )
    bio = models.CharField(_("about me"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("community profile")
        verbose_name_plural = _("community profiles")
        constraints = [
            models.CheckConstraint(
                condition=Q(handle__regex=r"^[a-z0-9_]{3,30}$"), name="handle_characters"
            )
        ]

    def __str__(self) -> str:
        return f"@{self.handle}"


class InterestGroup(models.Model):
    name = models.CharField(_("name"), max_length=80)
    slug = models.SlugField(_("slug"), unique=True, allow_unicode=True)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("interest group")
        verbose_name_plural = _("interest groups")

    def __str__(self) -> str:
        return self.name


class GroupMembership(models.Model):
    group = models.ForeignKey(InterestGroup, on_delete=models.CASCADE, related_name="memberships")
    member = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="group_memberships")
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-joined_at"]
        constraints = [
            models.UniqueConstraint(fields=["group", "member"], name="group_membership_once")
        ]

    def __str__(self) -> str:
        return f"{self.member_id} in {self.group_id}"


class MemberFollow(models.Model):
    """`follower` sees `followed`'s activity in their feed."""

    follower = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="following")
    followed = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="followers")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["follower", "followed"], name="follow_once"),
            models.CheckConstraint(condition=~Q(follower=F("followed")), name="follow_not_self"),
        ]
        indexes = [models.Index(fields=["followed"], name="follow_followed")]

    def __str__(self) -> str:
        return f"{self.follower_id} -> {self.followed_id}"


# --- What members write ------------------------------------------------------------------


class Contribution(models.Model):
    """The fields every piece of member content shares. Subclasses set AWARD_ACTION (the
    gamification Action its author is paid for, or "") and get_absolute_url()."""

    AWARD_ACTION = ""

    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    # The author's Markdown as written (kept for editing) and the sanitized HTML shown.
    body = models.TextField(_("text"), blank=True)
    body_html = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    is_hidden = models.BooleanField(_("hidden"), default=False)
    hidden_at = models.DateTimeField(null=True, blank=True)
    # "flags" when hidden automatically by flag weight, else the moderator's reason.
    hidden_reason = models.CharField(max_length=200, blank=True)
    like_count = models.PositiveIntegerField(default=0)
    flag_weight = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class StatusUpdate(Contribution):
    """A short post on the member's profile, optionally with a photo."""

    AWARD_ACTION = "status_posted"

    photo = models.ImageField(_("photo"), upload_to="status/%Y/%m/", blank=True)
    comment_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("status update")
        verbose_name_plural = _("status updates")
        indexes = [models.Index(fields=["author", "-created_at"], name="status_author_time")]

    def __str__(self) -> str:
        return f"status #{self.pk}"


class Comment(Contribution):
    """A comment on a status update or an article (any model: `target`)."""

    AWARD_ACTION = "comment_posted"

    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    target_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("target_type", "target_id")

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [
            models.Index(fields=["target_type", "target_id", "created_at"], name="comment_target")
        ]

    def __str__(self) -> str:
        return f"comment #{self.pk}"


class Like(models.Model):
    """One member's like of one thing (a post, a status update, a comment, an article)."""

    member = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="likes")
    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    target_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("target_type", "target_id")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "target_type", "target_id"], name="like_once")
        ]
        indexes = [models.Index(fields=["target_type", "target_id"], name="like_target")]

    def __str__(self) -> str:
        return f"{self.member_id} likes {self.target_type_id}:{self.target_id}"


# --- Flags and moderation ------------------------------------------------------------------


class FlagReason(models.TextChoices):
    SPAM = "spam", _("spam")
    OFFENSIVE = "offensive", _("offensive")
    OFF_TOPIC = "off_topic", _("off-topic")
    OTHER = "other", _("other")


class FlagOutcome(models.TextChoices):
    PENDING = "pending", _("waiting for review")
    UPHELD = "upheld", _("upheld")
    REJECTED = "rejected", _("rejected")


class Flag(models.Model):
    member = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="flags_raised")
    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    target_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("target_type", "target_id")
    reason = models.CharField(_("reason"), max_length=12, choices=FlagReason.choices)
    note = models.CharField(_("details"), max_length=300, blank=True)
    # The flagger's weight when they flagged (tier and record of upheld flags).
    weight = models.PositiveIntegerField()
    outcome = models.CharField(
        max_length=10, choices=FlagOutcome.choices, default=FlagOutcome.PENDING
    )
    created_at = models.DateTimeField(default=timezone.now)
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["member", "target_type", "target_id"], name="flag_once")
        ]
        indexes = [
            models.Index(fields=["outcome", "target_type", "target_id"], name="flag_queue"),
            models.Index(fields=["member", "outcome"], name="flag_record"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} flags {self.target_type_id}:{self.target_id} ({self.reason})"


class ModerationAction(models.TextChoices):
    HIDE = "hide", _("hid")
    RESTORE = "restore", _("restored")
    LOCK = "lock", _("locked")
    UNLOCK = "unlock", _("unlocked")
    PIN = "pin", _("pinned")
    UNPIN = "unpin", _("unpinned")
    MOVE = "move", _("moved")
    EDIT = "edit", _("edited")
    WARN = "warn", _("warned")
    SUSPEND = "suspend", _("suspended")
    UNSUSPEND = "unsuspend", _("lifted the suspension of")
    DISMISS_FLAGS = "dismiss_flags", _("dismissed the flags on")
    REMOVE_PHOTO = "remove_photo", _("removed a contest photo")


class ModerationLog(models.Model):
    """Every moderator action: who, what, on what (and whose), why and when. Append-only."""

    moderator = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=20, choices=ModerationAction.choices)
    target_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    member = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="moderation_history",
        help_text=_("The member whose content or account it was."),
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("moderation log entry")
        verbose_name_plural = _("moderation log")

    def __str__(self) -> str:
        return f"{self.moderator_id} {self.action} {self.target_type_id}:{self.target_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Moderation log entries are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Moderation log entries are never deleted.")


class Suspension(models.Model):
    """A member may not post, comment, like, vote or flag until `until` (or its lifting)."""

    member = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="suspensions")
    until = models.DateTimeField(_("suspended until"))
    reason = models.CharField(_("reason"), max_length=500)
    moderator = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    lifted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["member", "until"], name="suspension_member_until")]

    def __str__(self) -> str:
        return f"{self.member_id} until {self.until:%Y-%m-%d}"


class CommunitySettings(models.Model):
    """The club manager's spam brakes and flag threshold. One row (pk=1). Daily limits are
    for the lowest tier; each higher tier adds `tier_bonus_percent` per step."""

    seconds_between_posts = models.PositiveIntegerField(
        _("seconds between two posts by one member"), default=30
    )
    daily_topics = models.PositiveIntegerField(_("topics a day"), default=5)
    daily_posts = models.PositiveIntegerField(_("posts and comments a day"), default=50)
    daily_likes = models.PositiveIntegerField(_("likes a day"), default=100)
    daily_flags = models.PositiveIntegerField(_("flags a day"), default=10)
    daily_status_updates = models.PositiveIntegerField(_("status updates a day"), default=10)
    tier_bonus_percent = models.PositiveIntegerField(
        _("extra daily allowance per tier above the lowest (%)"), default=50
    )
    new_account_days = models.PositiveIntegerField(
        _("an account counts as new for (days)"), default=7
    )
    new_account_percent = models.PositiveIntegerField(
        _("new accounts get this share of the daily limits (%)"), default=30
    )
    new_account_max_links = models.PositiveIntegerField(
        _("links per post, new accounts"), default=1
    )
    new_account_max_mentions = models.PositiveIntegerField(
        _("mentions per post, new accounts"), default=2
    )
    max_links = models.PositiveIntegerField(_("links per post"), default=10)
    max_mentions = models.PositiveIntegerField(_("mentions per post"), default=10)
    duplicate_window_hours = models.PositiveIntegerField(
        _("refuse the same text again within (hours)"), default=24
    )
    flag_hide_threshold = models.PositiveIntegerField(
        _("hide content once its flags weigh"),
        default=10,
        help_text=_("A flag weighs 2 plus 1 per tier step plus 1 per 5 upheld flags (at most 10)."),
    )
    max_image_kb = models.PositiveIntegerField(_("largest picture (KB)"), default=5_120)

    class Meta:
        verbose_name = _("community settings")
        verbose_name_plural = _("community settings")

    def __str__(self) -> str:
        return gettext("Community settings")

    @classmethod
    def load(cls) -> "CommunitySettings":
        return cls.objects.get_or_create(pk=1)[0]


class BrakeEvent(models.Model):
    """One counted action for the spam brakes (community/brakes.py): what kind, when, and a
    hash of the text to refuse the same post twice. Old rows are purged by retention."""

    member = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10)
    text_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["member", "kind", "created_at"], name="brake_member_kind_time"),
            models.Index(fields=["member", "text_hash"], name="brake_member_text"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.kind} {self.created_at:%Y-%m-%d %H:%M}"


# --- The activity feed ----------------------------------------------------------------------


class FeedVerb(models.TextChoices):
    STATUS = "status", _("posted a status update")
    TOPIC = "topic", _("started a topic")
    ARTICLE = "article", _("published an article")
    CONTEST_RESULT = "contest_result", _("contest results")
    BADGE = "badge", _("earned a badge")
    TIER = "tier", _("reached a tier")


class FeedItem(models.Model):
    """One line of the activity feed. `actor` is the member it is about (empty for the
    club's own items: published articles, contest results, which everyone sees)."""

    actor = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.CASCADE, related_name="feed_items"
    )
    verb = models.CharField(max_length=20, choices=FeedVerb.choices)
    target_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    # What the line says, fixed when it happened (a badge's or tier's name, a title).
    text = models.CharField(max_length=200, blank=True)
    url = models.CharField(max_length=300, blank=True)
    is_hidden = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["verb", "target_type", "target_id"],
                condition=Q(target_id__isnull=False),
                name="feed_item_once_per_target",
            )
        ]
        indexes = [
            models.Index(fields=["actor", "-created_at"], name="feed_actor_time"),
            models.Index(fields=["-created_at"], name="feed_time"),
        ]

    def __str__(self) -> str:
        return f"{self.actor_id} {self.verb} {self.text}"
