"""Contests: quizzes and puzzles (questions with correct answers, one attempt per member,
a results table) and photo contests (members submit a photo, others vote). The club
manager builds them in the Wagtail admin (wagtail_hooks.py); services.py runs them and
closes them, paying the winners through the activity engine.

A contest's times:
  quiz   opens_at ............................. closes_at   (answering)
  photo  opens_at ... submissions_close_at                   (submitting)
                voting_opens_at .............. closes_at   (voting)
After closes_at the close job (services.close_contest) ranks the entries once, records the
winners and pays them; `closed_at` says it has run."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
)
from wagtail.models import Orderable

from community.models import Contribution

USER = settings.AUTH_USER_MODEL
# Addresses under /community/contests/ that are not a contest.
RESERVED_SLUGS = frozenset({"winners"})


class ContestKind(models.TextChoices):
    QUIZ = "quiz", _("Quiz or puzzle")
    PHOTO = "photo", _("Photo contest")


class Phase(models.TextChoices):
    """Where a contest is in its life, for members (Contest.phase)."""

    UPCOMING = "upcoming", _("Upcoming")
    RUNNING = "running", _("Running")
    FINISHED = "finished", _("Finished")


class Contest(ClusterableModel):
    kind = models.CharField(_("kind"), max_length=10, choices=ContestKind.choices)
    title = models.CharField(_("title"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=80, unique=True, allow_unicode=True)
    description = models.TextField(
        _("description"), blank=True, help_text=_("What it is about and the rules, in plain text.")
    )
    is_published = models.BooleanField(
        _("published"),
        default=False,
        help_text=_("Members see the contest only once it is published."),
    )
    opens_at = models.DateTimeField(
        _("opens"), help_text=_("A quiz opens for answers; a photo contest for submissions.")
    )
    closes_at = models.DateTimeField(
        _("closes"),
        help_text=_(
            "The end: no more answers or votes. Winners are chosen and paid shortly after."
        ),
    )
    # Photo contests only.
    submissions_close_at = models.DateTimeField(
        _("submissions close"), null=True, blank=True, help_text=_("Photo contests only.")
    )
    voting_opens_at = models.DateTimeField(
        _("voting opens"), null=True, blank=True, help_text=_("Photo contests only.")
    )
    max_votes_per_member = models.PositiveIntegerField(
        _("votes per member"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Photo contests: how many photos one member may vote for. Empty: no limit."),
    )
    photos_per_member = models.PositiveSmallIntegerField(
        _("photos per member"),
        default=1,
        validators=[MinValueValidator(1)],
        help_text=_("Photo contests: how many photos one member may submit."),
    )
    # Quizzes only.
    time_limit_minutes = models.PositiveIntegerField(
        _("time limit (minutes)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Quizzes: time for one attempt, counted on the server. Empty: no limit."),
    )
    # The prize.
    winners_count = models.PositiveSmallIntegerField(
        _("number of winners"), default=3, validators=[MinValueValidator(1)]
    )
    pays_points = models.BooleanField(
        _("pay points to the winners"),
        default=True,
        help_text=_("The points of the 'Contest won' earning rule, once per winner."),
    )
    badge = models.ForeignKey(
        "gamification.Badge",
        verbose_name=_("badge for the winners"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("kind"),
                FieldPanel("title"),
                FieldPanel("slug"),
                FieldPanel("description"),
                FieldPanel("is_published"),
            ],
            heading=_("Contest"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")]),
                FieldRowPanel([FieldPanel("submissions_close_at"), FieldPanel("voting_opens_at")]),
                FieldPanel("time_limit_minutes"),
                FieldRowPanel(
                    [FieldPanel("photos_per_member"), FieldPanel("max_votes_per_member")]
                ),
            ],
            heading=_("Times and limits"),
        ),
        MultiFieldPanel(
            [FieldPanel("winners_count"), FieldPanel("pays_points"), FieldPanel("badge")],
            heading=_("Prize"),
        ),
        InlinePanel(
            "questions",
            heading=_("Questions (quizzes only)"),
            label=_("Question"),
        ),
    ]

    class Meta:
        ordering = ["-opens_at", "-pk"]
        verbose_name = _("contest")
        verbose_name_plural = _("contests")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="contest_window"
            )
        ]
        indexes = [models.Index(fields=["is_published", "closes_at"], name="contest_live")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("contests:detail", args=[self.slug])

    # --- Validation (the Wagtail form calls it) ------------------------------------------

    def clean(self) -> None:
        errors = {}
        if self.slug in RESERVED_SLUGS:
            errors["slug"] = _("This slug is taken by a page of the site; choose another.")
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            errors["closes_at"] = _("The contest must close after it opens.")
        if self.kind == ContestKind.PHOTO:
            if self.submissions_close_at is None:
                errors["submissions_close_at"] = _("A photo contest needs a submission deadline.")
            elif (
                self.opens_at
                and self.closes_at
                and not (self.opens_at < self.submissions_close_at <= self.closes_at)
            ):
                errors["submissions_close_at"] = _(
                    "Submissions must close after the contest opens and no later than it closes."
                )
            if self.voting_opens_at is None:
                errors["voting_opens_at"] = _("A photo contest needs a time when voting opens.")
            elif (
                self.opens_at
                and self.closes_at
                and not (self.opens_at <= self.voting_opens_at < self.closes_at)
            ):
                errors["voting_opens_at"] = _(
                    "Voting must open between the contest's opening and its close."
                )
        if self.pk:
            before = Contest.objects.filter(pk=self.pk).values("kind", "closed_at").first()
            if before and before["kind"] != self.kind and self._has_entries():
                errors["kind"] = _("Members have already taken part: the kind cannot change.")
            if before and before["closed_at"] is not None:
                saved = Contest.objects.get(pk=self.pk)
                if saved.closes_at != self.closes_at or saved.winners_count != self.winners_count:
                    errors["closes_at"] = _(
                        "This contest is closed and its winners are paid: its times and "
                        "number of winners can no longer change."
                    )
        if errors:
            raise ValidationError(errors)

    def _has_entries(self) -> bool:
        return self.attempts.exists() or self.photos.exists()

    # --- Where it stands -----------------------------------------------------------------

    @property
    def is_quiz(self) -> bool:
        return self.kind == ContestKind.QUIZ

    @property
    def is_photo(self) -> bool:
        return self.kind == ContestKind.PHOTO

    def phase(self, at=None) -> str:
        now = at or timezone.now()
        if now < self.opens_at:
            return Phase.UPCOMING
        if now < self.closes_at:
            return Phase.RUNNING
        return Phase.FINISHED

    def is_open(self, at=None) -> bool:
        """Quizzes: answering is open."""
        return self.phase(at) == Phase.RUNNING

    def is_finished(self, at=None) -> bool:
        return self.phase(at) == Phase.FINISHED

    def submissions_open(self, at=None) -> bool:
        now = at or timezone.now()
        return (
            self.is_photo
            and self.submissions_close_at is not None
            and self.opens_at <= now < self.submissions_close_at
        )

    def voting_open(self, at=None) -> bool:
        now = at or timezone.now()
        return (
            self.is_photo
            and self.voting_opens_at is not None
            and self.voting_opens_at <= now < self.closes_at
        )


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Choices, one correct")
    MULTIPLE = "multiple", _("Choices, one or more correct (choose all that apply)")
    TEXT = "text", _("Short answer typed in")


class Question(Orderable, ClusterableModel):
    contest = ParentalKey(Contest, on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField(
        _("kind"), max_length=10, choices=QuestionKind.choices, default=QuestionKind.SINGLE
    )
    text = models.TextField(_("question"))
    points = models.PositiveIntegerField(
        _("points"),
        default=1,
        validators=[MinValueValidator(1)],
        help_text=_("For a correct answer."),
    )
    accepted_answers = models.TextField(
        _("accepted answers"),
        blank=True,
        help_text=_(
            "Short-answer questions: every accepted answer, one per line. Capitals, extra "
            "spaces, Persian or Arabic digits and Arabic forms of Persian letters do not matter."
        ),
    )

    panels = [
        FieldPanel("kind"),
        FieldPanel("text"),
        FieldPanel("points"),
        FieldPanel("accepted_answers"),
        InlinePanel("choices", heading=_("Choices"), label=_("Choice")),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.text[:60]

    def accepted(self) -> list[str]:
        return [line.strip() for line in self.accepted_answers.splitlines() if line.strip()]


class Choice(Orderable):
    question = ParentalKey(Question, on_delete=models.CASCADE, related_name="choices")
    text = models.CharField(_("choice"), max_length=200)
    is_correct = models.BooleanField(_("correct"), default=False)

    panels = [FieldPanel("text"), FieldPanel("is_correct")]

    class Meta(Orderable.Meta):
        verbose_name = _("choice")
        verbose_name_plural = _("choices")

    def __str__(self) -> str:
        return self.text


class Attempt(models.Model):
    """A member's one attempt at a quiz (database constraint). `answers` holds what they
    sent ({question id: [choice ids] or "text"}); `marks` the points each question earned,
    both fixed when they submit. The deadline is set at the start from the time limit and
    the contest's close, and the server refuses answers that come later."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="attempts")
    member = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="contest_attempts")
    started_at = models.DateTimeField(default=timezone.now)
    deadline_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    # True when the answers came after the deadline (they were not counted).
    timed_out = models.BooleanField(default=False)
    answers = models.JSONField(default=dict, blank=True)
    marks = models.JSONField(default=dict, blank=True)
    score = models.PositiveIntegerField(default=0)
    duration_ms = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("quiz attempt")
        verbose_name_plural = _("quiz attempts")
        constraints = [
            models.UniqueConstraint(fields=["contest", "member"], name="contest_attempt_once")
        ]
        indexes = [
            models.Index(fields=["contest", "-score", "duration_ms"], name="attempt_ranking")
        ]

    def __str__(self) -> str:
        return f"{self.member_id} in {self.contest_id}: {self.score}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None

    @property
    def duration_text(self) -> str:
        """The time taken as minutes:seconds ("12:05"), or "" before it is known."""
        if self.duration_ms is None:
            return ""
        minutes, seconds = divmod(self.duration_ms // 1000, 60)
        return f"{minutes}:{seconds:02d}"


class ContestPhoto(Contribution):
    """A member's photo in a photo contest; the caption is Contribution.body (plain text).
    Moderators remove it with community.moderation.hide like any contribution."""

    AWARD_ACTION = ""  # submitting pays nothing; votes received do (PhotoVote)

    contest = models.ForeignKey(Contest, on_delete=models.PROTECT, related_name="photos")
    photo = models.ImageField(_("photo"), upload_to="contests/%Y/%m/")
    vote_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("contest photo")
        verbose_name_plural = _("contest photos")
        indexes = [
            models.Index(fields=["contest", "is_hidden", "created_at"], name="photo_gallery"),
            models.Index(fields=["contest", "author"], name="photo_contest_author"),
        ]

    def __str__(self) -> str:
        return f"photo #{self.pk}"

    def reaction_awards(self) -> list[tuple]:
        """What community.moderation takes back on hiding and pays again on restoring,
        besides likes: the PHOTO_VOTE_RECEIVED award of each vote."""
        from gamification.models import Action

        votes = self.votes.select_related("member").order_by("pk")
        return [(vote, Action.PHOTO_VOTE_RECEIVED, vote.member) for vote in votes]

    def get_absolute_url(self) -> str:
        return reverse("contests:gallery", args=[self.contest.slug]) + f"#photo-{self.pk}"


class PhotoVote(models.Model):
    """One member's vote for one photo (database constraint). `contest` repeats the
    photo's contest to count a member's votes in a contest with one index."""

    photo = models.ForeignKey(ContestPhoto, on_delete=models.CASCADE, related_name="votes")
    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="photo_votes")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("photo vote")
        verbose_name_plural = _("photo votes")
        constraints = [models.UniqueConstraint(fields=["photo", "member"], name="photo_vote_once")]
        indexes = [models.Index(fields=["contest", "member"], name="vote_contest_member")]

    def __str__(self) -> str:
        return f"{self.member_id} votes {self.photo_id}"


class Winner(models.Model):
    """A winning place, fixed when the contest closes; the subject of the CONTEST_WON award
    so a winner is paid once however often the close job runs."""

    contest = models.ForeignKey(Contest, on_delete=models.PROTECT, related_name="winners")
    rank = models.PositiveSmallIntegerField(_("place"))
    member = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="contest_wins")
    attempt = models.ForeignKey(
        Attempt, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    photo = models.ForeignKey(
        ContestPhoto, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The quiz score, or the photo's votes, when the contest closed.
    score = models.PositiveIntegerField(default=0)
    points = models.PositiveIntegerField(default=0)
    badge = models.ForeignKey(
        "gamification.Badge", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["contest", "rank"]
        verbose_name = _("contest winner")
        verbose_name_plural = _("contest winners")
        constraints = [
            models.UniqueConstraint(fields=["contest", "rank"], name="winner_place_once"),
            models.UniqueConstraint(fields=["contest", "member"], name="winner_member_once"),
        ]

    def __str__(self) -> str:
        return f"{self.contest_id} #{self.rank}: {self.member_id}"
