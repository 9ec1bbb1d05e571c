"""The club's automatic messages: birthday greetings, win-back offers, welcome, tier
congratulations and points expiry. `AutomationSettings` is the manager's switches (one
row, pk=1); `AutomationRun` records each (member, occasion) once, so a job run twice sends
nothing the second time."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gamification.models import GiftKind  # the gift fields' choices; imported from here too

USER = settings.AUTH_USER_MODEL


VALIDITY_HELP = _(
    "How long a voucher gift can be used. Points and credit gifts stay in the balance "
    "(points follow the points expiry period)."
)


class AutomationSettings(models.Model):
    """The club manager's automations. One row (pk=1)."""

    # Birthday.
    birthday_enabled = models.BooleanField(_("birthday greetings on"), default=True)
    birthday_days_before = models.PositiveSmallIntegerField(
        _("greet this many days before the birthday"),
        default=3,
        validators=[MinValueValidator(0)],
    )
    birthday_gift_kind = models.CharField(
        _("birthday gift"),
        max_length=10,
        choices=GiftKind.choices,
        default=GiftKind.POINTS,
        blank=True,
    )
    birthday_gift_amount = models.PositiveIntegerField(
        _("birthday gift amount"),
        default=100,
        help_text=_("Points, or rials of credit. Unused for a voucher."),
    )
    birthday_gift_reward = models.ForeignKey(
        "gamification.Reward",
        verbose_name=_("birthday voucher reward"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    birthday_gift_valid_days = models.PositiveIntegerField(
        _("birthday gift valid for (days)"),
        default=30,
        validators=[MinValueValidator(1)],
        help_text=VALIDITY_HELP,
    )
    birthday_message = models.TextField(
        _("birthday message"),
        blank=True,
        help_text=_("Added to the greeting. Empty: the standard greeting only."),
    )

    # Win-back.
    winback_enabled = models.BooleanField(_("win-back offers on"), default=True)
    winback_min_visits = models.PositiveIntegerField(
        _("fewest purchases to count as a regular"), default=3, validators=[MinValueValidator(1)]
    )
    winback_lapse_days = models.PositiveIntegerField(
        _("days since the last purchase to count as lapsed"),
        default=70,
        validators=[MinValueValidator(1)],
    )
    winback_gift_kind = models.CharField(
        _("win-back gift"),
        max_length=10,
        choices=GiftKind.choices,
        default=GiftKind.CREDIT,
        blank=True,
    )
    winback_gift_amount = models.PositiveIntegerField(
        _("win-back gift amount"),
        default=50_000,
        help_text=_("Points, or rials of credit. Unused for a voucher."),
    )
    winback_gift_reward = models.ForeignKey(
        "gamification.Reward",
        verbose_name=_("win-back voucher reward"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    winback_gift_valid_days = models.PositiveIntegerField(
        _("win-back gift valid for (days)"),
        default=30,
        validators=[MinValueValidator(1)],
        help_text=VALIDITY_HELP,
    )
    winback_message = models.TextField(
        _("win-back message"), blank=True, help_text=_("Added to the standard offer text.")
    )

    # Welcome.
    welcome_enabled = models.BooleanField(_("welcome message on"), default=True)
    welcome_message = models.TextField(
        _("welcome message"), blank=True, help_text=_("Added to the standard welcome.")
    )
    welcome_gift_kind = models.CharField(
        _("welcome gift"),
        max_length=10,
        choices=GiftKind.choices,
        default=GiftKind.NONE,
        blank=True,
    )
    welcome_gift_amount = models.PositiveIntegerField(_("welcome gift amount"), default=0)
    welcome_gift_reward = models.ForeignKey(
        "gamification.Reward",
        verbose_name=_("welcome voucher reward"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    welcome_gift_valid_days = models.PositiveIntegerField(
        _("welcome gift valid for (days)"),
        default=30,
        validators=[MinValueValidator(1)],
        help_text=VALIDITY_HELP,
    )

    # Tier upgrades.
    tier_congrats_enabled = models.BooleanField(_("tier upgrade congratulations on"), default=True)

    # Points expiry.
    expiry_enabled = models.BooleanField(_("points expiry on"), default=False)
    expiry_days = models.PositiveIntegerField(
        _("points expire after (days)"), default=365, validators=[MinValueValidator(1)]
    )
    expiry_reminder_days = models.PositiveIntegerField(
        _("remind this many days before points expire"), default=30
    )

    class Meta:
        verbose_name = _("automation settings")
        verbose_name_plural = _("automation settings")

    def __str__(self) -> str:
        return str(_("Automation settings"))

    def clean(self) -> None:
        errors = {}
        for prefix in ("birthday", "winback", "welcome"):
            kind = getattr(self, f"{prefix}_gift_kind")
            if kind == GiftKind.VOUCHER and getattr(self, f"{prefix}_gift_reward") is None:
                errors[f"{prefix}_gift_reward"] = _("Choose the reward the voucher is for.")
            if kind in (GiftKind.POINTS, GiftKind.CREDIT) and not getattr(
                self, f"{prefix}_gift_amount"
            ):
                errors[f"{prefix}_gift_amount"] = _("Give an amount above zero.")
        if self.expiry_reminder_days >= self.expiry_days:
            errors["expiry_reminder_days"] = _("The reminder must come before points expire.")
        if errors:
            raise ValidationError(errors)

    @classmethod
    def load(cls) -> "AutomationSettings":
        return cls.objects.get_or_create(pk=1)[0]


class RunKind(models.TextChoices):
    BIRTHDAY = "birthday", _("Birthday greeting")
    WINBACK = "winback", _("Win-back offer")
    WELCOME = "welcome", _("Welcome")
    TIER = "tier", _("Tier congratulations")
    EXPIRY_REMINDER = "expiry_reminder", _("Points expiry reminder")
    EXPIRY = "expiry", _("Points expired")


class AutomationRun(models.Model):
    """One automation done for one member on one occasion (`key`, e.g. "birthday:2027" or
    "winback:2027-03-01"). Inserted before anything is sent or given: the unique constraint
    makes a second run of the same occasion a no-op."""

    member = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="automation_runs")
    kind = models.CharField(_("automation"), max_length=20, choices=RunKind.choices)
    key = models.CharField(_("occasion"), max_length=80)
    gift = models.CharField(_("gift"), max_length=120, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("automation run")
        verbose_name_plural = _("automation runs")
        constraints = [
            models.UniqueConstraint(fields=["member", "kind", "key"], name="automation_run_once"),
            models.CheckConstraint(condition=~Q(key=""), name="automation_run_has_key"),
        ]
        indexes = [models.Index(fields=["kind", "-created_at"], name="automation_run_kind")]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} for {self.member_id}"
