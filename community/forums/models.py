"""Forums: categories (grouped by kind, maybe limited to a tier or an interest group), topics
with their posts, the history of edits, pictures attached to posts, members following a
topic, and polls inside topics.

A post is a community Contribution (community/models.py): Markdown source in `body`, the
sanitized HTML in `body_html`, likes, flags, hiding. A topic's first post (`is_opening`)
pays the "topic posted" rule and every later post "comment posted" (see Post.AWARD_ACTION).

Who may see a category is decided in selectors.py (can_enter / visible_categories); every
view and selector goes through them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

from community.models import Contribution, InterestGroup
from gamification.models import Action, Tier

USER = settings.AUTH_USER_MODEL


class CategoryKind(models.TextChoices):
    PRODUCT = "product", _("Products")
    EDUCATION = "education", _("Education")
    GROUP = "group", _("Customer groups")


class ForumCategory(models.Model):
    name = models.CharField(_("name"), max_length=80)
    slug = models.SlugField(_("slug"), max_length=80, unique=True, allow_unicode=True)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(
        _("kind"), max_length=12, choices=CategoryKind.choices, default=CategoryKind.PRODUCT
    )
    position = models.PositiveIntegerField(
        _("position"), default=0, help_text=_("Smaller numbers come first within a kind.")
    )
    # PROTECT, not SET_NULL: deleting the tier or group must never open a closed category.
    min_tier = models.ForeignKey(
        Tier,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("lowest tier"),
        help_text=_("Members below this tier can neither see nor post in this category."),
    )
    group = models.ForeignKey(
        InterestGroup,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="forum_categories",
        verbose_name=_("interest group"),
        help_text=_("Only members of this group can see and post in this category."),
    )
    is_active = models.BooleanField(
        _("open"), default=True, help_text=_("Closed categories are shown to moderators only.")
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "position", "name"]
        verbose_name = _("forum category")
        verbose_name_plural = _("forum categories")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("forums:category", args=[self.slug])

    @property
    def is_restricted(self) -> bool:
        return bool(self.min_tier_id or self.group_id)


class TaggedTopic(TaggedItemBase):
    """A topic's tag (django-taggit) with a real foreign key to the topic, so tag pages
    join on an indexed column instead of a content type and an object id."""

    content_object = models.ForeignKey(
        "Topic", on_delete=models.CASCADE, related_name="tagged_items"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="topic_tag_once")
        ]


class Topic(models.Model):
    category = models.ForeignKey(
        ForumCategory, on_delete=models.PROTECT, related_name="topics", verbose_name=_("category")
    )
    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    created_at = models.DateTimeField(default=timezone.now)
    last_post_at = models.DateTimeField(default=timezone.now)
    is_locked = models.BooleanField(_("locked"), default=False)
    is_pinned = models.BooleanField(_("pinned"), default=False)
    # Set by a moderator hiding the whole topic; a topic whose opening post is hidden (by a
    # moderator or by flags) is not listed either (selectors.visible_topics).
    is_hidden = models.BooleanField(_("hidden"), default=False)
    # Every post written in it, hidden ones included (they stay in the thread as a line
    # saying so, so the pages and quotes keep their places).
    post_count = models.PositiveIntegerField(default=0)
    first_post = models.OneToOneField(
        "Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    tags = TaggableManager(_("tags"), through=TaggedTopic, blank=True)

    class Meta:
        ordering = ["-is_pinned", "-last_post_at", "-pk"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        indexes = [
            models.Index(
                fields=["category", "-is_pinned", "-last_post_at", "-id"], name="topic_listing"
            ),
            models.Index(fields=["author", "-created_at"], name="topic_author_time"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("forums:topic", args=[self.pk])

    @property
    def reply_count(self) -> int:
        return max(self.post_count - 1, 0)


class _AwardAction:
    """Post.AWARD_ACTION: "comment_posted" on the class (what a reply pays), and on a post
    the rule that post pays: "topic_posted" for a topic's opening post. So the moderation
    code that revokes and restores by `content.AWARD_ACTION` gives back what was paid."""

    def __get__(self, instance, owner=None) -> str:
        if instance is not None and instance.is_opening:
            return Action.TOPIC_POSTED
        return Action.COMMENT_POSTED


class Post(Contribution):
    AWARD_ACTION = _AwardAction()

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="posts")
    is_opening = models.BooleanField(default=False, editable=False)
    quote_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("quoting"),
    )
    # Who made the last edit, and the note a moderator left with it (shown on the post).
    edited_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    edit_note = models.CharField(_("note shown with the edit"), max_length=300, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("forum post")
        verbose_name_plural = _("forum posts")
        constraints = [
            models.UniqueConstraint(
                fields=["topic"], condition=Q(is_opening=True), name="forum_post_one_opening"
            )
        ]
        indexes = [
            models.Index(fields=["topic", "created_at", "id"], name="forum_post_thread"),
            models.Index(fields=["author", "-created_at"], name="forum_post_author_time"),
        ]

    def __str__(self) -> str:
        return f"post #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("forums:post", args=[self.pk])


class PostRevision(models.Model):
    """One edit of a post: the source (and topic title) as they were before it, who edited,
    when, and the note shown to readers when a moderator edited. Append-only."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField()
    title = models.CharField(max_length=200, blank=True)
    editor = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    by_moderator = models.BooleanField(default=False)
    note = models.CharField(_("note"), max_length=300, blank=True)
    edited_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-edited_at", "-pk"]
        verbose_name = _("post revision")
        verbose_name_plural = _("post revisions")

    def __str__(self) -> str:
        return f"revision of {self.post_id} at {self.edited_at:%Y-%m-%d %H:%M}"


class PostImage(models.Model):
    """A picture attached to a post, checked and re-encoded (portal/shell/pictures.py). It is
    served by forums:image, which applies the post's own visibility."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(upload_to="forums/%Y/%m/", width_field="width", height_field="height")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"image {self.position} of post {self.post_id}"


class TopicFollow(models.Model):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="follows")
    member = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="followed_topics")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["topic", "member"], name="topic_follow_once")
        ]
        indexes = [models.Index(fields=["member", "-created_at"], name="topic_follow_member")]

    def __str__(self) -> str:
        return f"{self.member_id} follows {self.topic_id}"


class Poll(models.Model):
    topic = models.OneToOneField(Topic, on_delete=models.CASCADE, related_name="poll")
    question = models.CharField(_("question"), max_length=200)
    is_multiple = models.BooleanField(_("several answers allowed"), default=False)
    closes_at = models.DateTimeField(_("closes"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("poll")
        verbose_name_plural = _("polls")

    def __str__(self) -> str:
        return self.question

    def is_open(self, at=None) -> bool:
        return self.closes_at is None or (at or timezone.now()) < self.closes_at


class PollChoice(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="choices")
    text = models.CharField(_("answer"), max_length=120)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["poll", "position"], name="poll_choice_position")
        ]

    def __str__(self) -> str:
        return self.text


class PollVote(models.Model):
    """One member's vote for one choice. The database holds both rules: a member votes for
    a choice at most once, and in a single-choice poll (`single` set on its votes) at most
    once in the whole poll."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="votes")
    choice = models.ForeignKey(PollChoice, on_delete=models.CASCADE, related_name="votes")
    member = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="poll_votes")
    single = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["choice", "member"], name="poll_vote_once_per_choice"),
            models.UniqueConstraint(
                fields=["poll", "member"], condition=Q(single=True), name="poll_vote_once_single"
            ),
        ]
        indexes = [models.Index(fields=["poll", "member"], name="poll_vote_member")]

    def __str__(self) -> str:
        return f"{self.member_id} votes {self.choice_id}"
