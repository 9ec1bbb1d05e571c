"""Standalone surveys: a manager builds a survey (questions with their choices) in the
Wagtail admin, or copies a ready-made one (ready_made.py); members in its audience answer
it once while it is open, and are paid the "survey completed" rule's points.

Who answered is kept apart from what was answered:

- Participation: survey + member + time. One per member and survey (a unique constraint),
  for every survey. It is what "has answered" means, and what the points are paid for.
- Response and its Answers: what was answered. A non-anonymous response names the member
  and the day; an anonymous one names neither (no member, no date at all: a day would link
  it back to the participation whenever few answered that day). Their keys are random
  UUIDs, so neither can they be put back in the order they were given."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable

USER = settings.AUTH_USER_MODEL


class Audience(models.TextChoices):
    ALL = "all", _("All members")
    TIER = "tier", _("Members of one tier")
    GROUP = "group", _("Members of one interest group")


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    RATING = "rating", _("Rating from 1 to 5")
    NPS = "nps", _("Likelihood to recommend, 0 to 10 (NPS)")
    TEXT = "text", _("Free text")


CHOICE_KINDS = frozenset({QuestionKind.SINGLE, QuestionKind.MULTIPLE})
SCALES = {QuestionKind.RATING: range(1, 6), QuestionKind.NPS: range(0, 11)}
TEXT_MAX_LENGTH = 2000


class SurveyState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Not open yet")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Survey(ClusterableModel):
    title = models.CharField(_("title"), max_length=200)
    intro = models.TextField(
        _("introduction"), blank=True, help_text=_("Shown above the questions.")
    )
    thank_you = models.TextField(
        _("thank-you text"), blank=True, help_text=_("Shown once a member has answered.")
    )
    audience = models.CharField(
        _("who may answer"), max_length=10, choices=Audience.choices, default=Audience.ALL
    )
    tier = models.ForeignKey(
        "gamification.Tier",
        verbose_name=_("tier"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Only for the audience “Members of one tier”."),
    )
    group = models.ForeignKey(
        "community.InterestGroup",
        verbose_name=_("interest group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Only for the audience “Members of one interest group”."),
    )
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    is_published = models.BooleanField(
        _("published"),
        default=False,
        help_text=_("Members see the survey only once it is published and open."),
    )
    is_anonymous = models.BooleanField(
        _("anonymous"),
        default=False,
        help_text=_(
            "Answers are stored without the member or the date: the club knows only who has "
            "answered, not what they answered. Cannot be changed once someone has answered."
        ),
    )
    # The ready-made template it was copied from (ready_made.TEMPLATES), if any.
    template_key = models.CharField(max_length=40, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    panels = [
        FieldPanel("title"),
        FieldPanel("intro"),
        FieldPanel("thank_you"),
        MultiFieldPanel(
            [
                FieldPanel("audience"),
                FieldRowPanel([FieldPanel("tier"), FieldPanel("group")]),
            ],
            heading=_("Audience"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")]),
                FieldPanel("is_published"),
                FieldPanel("is_anonymous"),
            ],
            heading=_("When and how"),
        ),
        InlinePanel("questions", heading=_("Questions"), label=_("Question")),
    ]

    class Meta:
        ordering = ["-opens_at", "-pk"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        constraints = [
            models.CheckConstraint(
                condition=Q(audience=Audience.TIER, tier__isnull=False)
                | (~Q(audience=Audience.TIER) & Q(tier__isnull=True)),
                name="survey_tier_audience",
            ),
            models.CheckConstraint(
                condition=Q(audience=Audience.GROUP, group__isnull=False)
                | (~Q(audience=Audience.GROUP) & Q(group__isnull=True)),
                name="survey_group_audience",
            ),
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True)
                | Q(closes_at__isnull=True)
                | Q(closes_at__gt=F("opens_at")),
                name="survey_closes_after_opening",
            ),
            models.CheckConstraint(
                condition=Q(is_published=False)
                | Q(opens_at__isnull=False, closes_at__isnull=False),
                name="survey_published_has_dates",
            ),
        ]
        indexes = [
            models.Index(
                fields=["is_published", "opens_at", "closes_at"], name="survey_open_window"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def state(self, at=None) -> str:
        now = at or timezone.now()
        if not self.is_published:
            return SurveyState.DRAFT
        if now < self.opens_at:
            return SurveyState.SCHEDULED
        if now >= self.closes_at:
            return SurveyState.CLOSED
        return SurveyState.OPEN

    def get_state_display(self) -> str:
        return SurveyState(self.state()).label

    def audience_label(self) -> str:
        if self.audience == Audience.TIER and self.tier_id:
            return _("Tier: %(tier)s") % {"tier": self.tier}
        if self.audience == Audience.GROUP and self.group_id:
            return _("Interest group: %(group)s") % {"group": self.group}
        return str(Audience(self.audience).label)


class Question(ClusterableModel, Orderable):
    survey = ParentalKey(Survey, on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField(_("type"), max_length=10, choices=QuestionKind.choices)
    text = models.CharField(_("question"), max_length=300)
    help_text = models.CharField(_("help text"), max_length=300, blank=True)
    required = models.BooleanField(_("an answer is required"), default=True)

    panels = [
        FieldRowPanel([FieldPanel("kind"), FieldPanel("required")]),
        FieldPanel("text"),
        FieldPanel("help_text"),
        InlinePanel(
            "choices",
            heading=_("Choices"),
            label=_("Choice"),
            help_text=_("For single and multiple choice questions: at least two."),
        ),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.text

    @property
    def has_choices(self) -> bool:
        return self.kind in CHOICE_KINDS


class Choice(Orderable):
    question = ParentalKey(Question, on_delete=models.CASCADE, related_name="choices")
    label = models.CharField(_("label"), max_length=200)

    panels = [FieldPanel("label")]

    class Meta(Orderable.Meta):
        verbose_name = _("choice")
        verbose_name_plural = _("choices")

    def __str__(self) -> str:
        return self.label


class Participation(models.Model):
    """That a member has answered a survey, and when; never what. The points are paid for
    this row."""

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="participations")
    member = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="survey_participations")
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-answered_at", "-pk"]
        verbose_name = _("survey participation")
        verbose_name_plural = _("survey participations")
        constraints = [
            models.UniqueConstraint(fields=["survey", "member"], name="survey_participation_once")
        ]
        indexes = [models.Index(fields=["member", "survey"], name="survey_part_member")]

    def __str__(self) -> str:
        return f"{self.member_id} answered {self.survey_id}"


class Response(models.Model):
    """One member's answers to one survey. Anonymous: no member and no date."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="responses")
    member = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.CASCADE, related_name="survey_responses"
    )
    submitted_on = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "member"],
                condition=Q(member__isnull=False),
                name="survey_response_once",
            ),
            # A response naming its member carries its day.
            models.CheckConstraint(
                condition=Q(member__isnull=True) | Q(submitted_on__isnull=False),
                name="survey_response_dated",
            ),
        ]
        indexes = [models.Index(fields=["member"], name="survey_resp_member")]

    def __str__(self) -> str:
        return f"response {self.pk}"


class Answer(models.Model):
    """One answer: a chosen choice (a row per choice for multiple choice), a number (rating
    1-5, NPS 0-10) or a text."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    choice = models.ForeignKey(
        Choice, null=True, blank=True, on_delete=models.PROTECT, related_name="answers"
    )
    number = models.PositiveSmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question", "choice"],
                condition=Q(choice__isnull=False),
                name="survey_answer_choice_once",
            ),
            models.UniqueConstraint(
                fields=["response", "question"],
                condition=Q(choice__isnull=True),
                name="survey_answer_once",
            ),
            models.CheckConstraint(
                condition=Q(number__isnull=True) | Q(number__lte=10), name="survey_answer_scale"
            ),
        ]
        indexes = [
            models.Index(fields=["question", "choice"], name="survey_answer_choice"),
            models.Index(fields=["question", "number"], name="survey_answer_number"),
        ]

    def __str__(self) -> str:
        return f"answer to {self.question_id}"
