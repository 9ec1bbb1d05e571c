"""The club manager's cockpit: saved member segments and the campaigns sent to them.

A Segment is a set of optional filters combined with AND (cockpit/segments.py turns it
into one query). A Campaign sends a message, and maybe a gift, to a segment resolved at
send time; each member gets at most one Delivery per campaign (a unique constraint), which
is what makes sending idempotent (cockpit/campaigns.py)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gamification.models import GiftKind  # the gift fields' choices; imported from here too

USER = settings.AUTH_USER_MODEL


class Consent(models.TextChoices):
    SMS = "sms", _("marketing SMS")
    EMAIL = "email", _("marketing e-mail")
    ANY = "any", _("SMS or e-mail")
    BOTH = "both", _("SMS and e-mail")


class Month(models.IntegerChoices):
    JANUARY = 1, _("January")
    FEBRUARY = 2, _("February")
    MARCH = 3, _("March")
    APRIL = 4, _("April")
    MAY = 5, _("May")
    JUNE = 6, _("June")
    JULY = 7, _("July")
    AUGUST = 8, _("August")
    SEPTEMBER = 9, _("September")
    OCTOBER = 10, _("October")
    NOVEMBER = 11, _("November")
    DECEMBER = 12, _("December")


def _check_range(errors: dict, low_field: str, high_field: str, low, high) -> None:
    if low is not None and high is not None and low > high:
        errors[high_field] = ValidationError(
            _("The upper bound must not be below the lower bound."), code="range"
        )


class SegmentFilters(models.Model):
    """The filters of a segment, every one optional; the ones set are combined with AND.
    Abstract so the live-count form and a saved segment share the exact same fields."""

    tiers = models.ManyToManyField(
        "gamification.Tier", verbose_name=_("tiers"), blank=True, related_name="+"
    )
    home_branches = models.ManyToManyField(
        "cardgateway.Branch", verbose_name=_("home branches"), blank=True, related_name="+"
    )
    last_purchase_min_days = models.PositiveIntegerField(
        _("last purchase at least (days ago)"), null=True, blank=True
    )
    last_purchase_max_days = models.PositiveIntegerField(
        _("last purchase at most (days ago)"), null=True, blank=True
    )
    period_days = models.PositiveIntegerField(
        _("period: last N days"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Visits and spend are counted in this period; empty: all time."),
    )
    period_from = models.DateField(_("period from"), null=True, blank=True)
    period_to = models.DateField(_("period to"), null=True, blank=True)
    visits_min = models.PositiveIntegerField(_("visits at least"), null=True, blank=True)
    visits_max = models.PositiveIntegerField(_("visits at most"), null=True, blank=True)
    spend_min = models.PositiveBigIntegerField(_("spend at least (rials)"), null=True, blank=True)
    spend_max = models.PositiveBigIntegerField(_("spend at most (rials)"), null=True, blank=True)
    birthday_month = models.PositiveSmallIntegerField(
        _("birthday month"), choices=Month.choices, null=True, blank=True
    )
    points_min = models.BigIntegerField(_("points balance at least"), null=True, blank=True)
    points_max = models.BigIntegerField(_("points balance at most"), null=True, blank=True)
    credit_min = models.BigIntegerField(_("credit balance at least (rials)"), null=True, blank=True)
    credit_max = models.BigIntegerField(_("credit balance at most (rials)"), null=True, blank=True)
    joined_from = models.DateField(_("joined on or after"), null=True, blank=True)
    joined_to = models.DateField(_("joined on or before"), null=True, blank=True)
    interest_groups = models.ManyToManyField(
        "community.InterestGroup", verbose_name=_("interest groups"), blank=True, related_name="+"
    )
    interest_tags = models.ManyToManyField(
        "taggit.Tag", verbose_name=_("interests (profile tags)"), blank=True, related_name="+"
    )
    consent = models.CharField(
        _("marketing consent"), max_length=8, choices=Consent.choices, blank=True
    )

    class Meta:
        abstract = True

    def clean(self) -> None:
        super().clean()
        errors: dict = {}
        for low, high in [
            ("last_purchase_min_days", "last_purchase_max_days"),
            ("visits_min", "visits_max"),
            ("spend_min", "spend_max"),
            ("points_min", "points_max"),
            ("credit_min", "credit_max"),
            ("period_from", "period_to"),
            ("joined_from", "joined_to"),
        ]:
            _check_range(errors, low, high, getattr(self, low), getattr(self, high))
        if self.period_days and (self.period_from or self.period_to):
            errors["period_days"] = ValidationError(
                _("Give either the last N days or dates, not both."), code="period"
            )
        if errors:
            raise ValidationError(errors)


class Segment(SegmentFilters):
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(
        USER, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("segment")
        verbose_name_plural = _("segments")

    def __str__(self) -> str:
        return self.name


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("e-mail")
    PORTAL = "portal", _("in-portal notification")


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SCHEDULED = "scheduled", _("scheduled")
    SENDING = "sending", _("sending")
    SENT = "sent", _("sent")
    CANCELLED = "cancelled", _("cancelled")


class Campaign(models.Model):
    name = models.CharField(_("name"), max_length=120)
    segment = models.ForeignKey(
        Segment, verbose_name=_("segment"), on_delete=models.PROTECT, related_name="campaigns"
    )
    channels = models.JSONField(_("channels"), default=list)
    title = models.CharField(_("message title"), max_length=200)
    body = models.TextField(_("message text"), blank=True)
    gift_kind = models.CharField(
        _("gift"), max_length=10, choices=GiftKind.choices, blank=True, default=GiftKind.NONE
    )
    gift_amount = models.PositiveBigIntegerField(
        _("gift amount"), null=True, blank=True, help_text=_("Points, or credit in rials.")
    )
    gift_reward = models.ForeignKey(
        "gamification.Reward",
        verbose_name=_("reward"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    voucher_days = models.PositiveIntegerField(
        _("voucher valid for (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text=_("Empty: the reward's own validity."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    scheduled_at = models.DateTimeField(_("send at"), null=True, blank=True)
    # Set when a worker takes the campaign and refreshed after every batch: a campaign left
    # "sending" by a worker that died is taken again once this is old (tasks.py).
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        USER, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.CheckConstraint(
                condition=Q(gift_kind="")
                | Q(gift_kind__in=["points", "credit"], gift_amount__gte=1)
                | Q(gift_kind="voucher", gift_reward__isnull=False),
                name="campaign_gift_complete",
            ),
            models.CheckConstraint(
                condition=~Q(status="scheduled") | Q(scheduled_at__isnull=False),
                name="campaign_scheduled_has_time",
            ),
        ]
        indexes = [models.Index(fields=["status", "scheduled_at"], name="campaign_due")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_editable(self) -> bool:
        return self.status in (CampaignStatus.DRAFT, CampaignStatus.SCHEDULED)

    def channel_labels(self) -> list[str]:
        labels = dict(Channel.choices)
        return [str(labels.get(channel, channel)) for channel in self.channels]


class SkipReason(models.TextChoices):
    NO_CONSENT = "no_consent", _("no consent or contact for any chosen channel")
    GIFT_FAILED = "gift_failed", _("the gift could not be given")


class Delivery(models.Model):
    """One member's copy of a campaign. Created (unique per campaign and member) before
    anything is given or sent; `processed_at` is set under the row's lock in the same
    transaction as the gift and the notification, so neither can happen twice."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="deliveries")
    member = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    # The channels the message was handed to (the notification task sends e-mail and SMS).
    by_portal = models.BooleanField(_("in portal"), default=False)
    by_email = models.BooleanField(_("by e-mail"), default=False)
    by_sms = models.BooleanField(_("by SMS"), default=False)
    skipped_reason = models.CharField(
        _("skipped"), max_length=20, choices=SkipReason.choices, blank=True
    )
    gift_entry = models.ForeignKey(
        "gamification.LedgerEntry",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    voucher = models.ForeignKey(
        "gamification.Voucher", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    notification = models.ForeignKey(
        "notifications.Notification",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "member"], name="delivery_once_per_member")
        ]
        indexes = [
            models.Index(
                fields=["campaign", "member"],
                condition=Q(processed_at__isnull=True),
                name="delivery_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} → {self.member_id}"

    @property
    def channels(self) -> list[str]:
        return [
            channel
            for channel, flag in [
                (Channel.PORTAL, self.by_portal),
                (Channel.EMAIL, self.by_email),
                (Channel.SMS, self.by_sms),
            ]
            if flag
        ]
