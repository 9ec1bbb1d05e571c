"""Fraud review: the manager's thresholds, the signals the rules compare, and the cases
they open. Points and credit under review are held in the ledger (gamification.holds),
never deleted."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

USER = settings.AUTH_USER_MODEL


class Rule(models.TextChoices):
    REFERRAL_SHARED_SIGNAL = (
        "referral_shared_signal",
        _("Referee shares a device, IP address or address with the referrer"),
    )
    REFERRAL_MOBILE_PATTERN = (
        "referral_mobile_pattern",
        _("Referees' mobile numbers follow a pattern"),
    )
    REFERRAL_CHAIN = "referral_chain", _("Referees sign up, buy once and vanish")
    LIKE_RING = "like_ring", _("Like or vote ring")
    TILL_OWN_CARD = "till_own_card", _("Cashier credits their own card")
    TILL_CONCENTRATION = "till_concentration", _("Cashier credits the same few cards")
    TILL_NEAR_LIMIT = "till_near_limit", _("Purchases just under the amount limit")
    TILL_IMPOSSIBLE_TRAVEL = (
        "till_impossible_travel",
        _("One card at two branches too far apart in too little time"),
    )


class FraudSettings(models.Model):
    """The club manager's thresholds. One row (pk=1)."""

    scan_days = models.PositiveIntegerField(_("days of activity each scan looks at"), default=30)
    mobile_pattern_digits = models.PositiveIntegerField(
        _("mobile digits referees share to count as a pattern"),
        default=9,
        help_text=_("09121234567 and 09121234599 share 9 digits."),
    )
    mobile_pattern_min_referees = models.PositiveIntegerField(
        _("referees sharing a pattern before it is flagged"), default=3
    )
    chain_min_referees = models.PositiveIntegerField(
        _("one-purchase referees before a chain is flagged"), default=3
    )
    chain_quiet_days = models.PositiveIntegerField(
        _("days without activity after the one purchase"), default=30
    )
    concentration_top_cards = models.PositiveIntegerField(
        _("'the same few cards': how many"), default=3
    )
    concentration_factor = models.PositiveIntegerField(
        _("flag a cashier at this many times the branch's normal share"),
        default=3,
        help_text=_("Compared with the branch's median cashier."),
    )
    concentration_min_purchases = models.PositiveIntegerField(
        _("fewest purchases by a cashier before they are compared"), default=20
    )
    near_limit_percent = models.PositiveIntegerField(
        _("'just under the limit': within this percent of it"), default=5
    )
    near_limit_min_count = models.PositiveIntegerField(
        _("purchases just under the limit on one card before it is flagged"), default=3
    )
    travel_max_kmh = models.PositiveIntegerField(
        _("fastest believable travel between branches (km/h)"), default=120
    )
    like_ring_max_size = models.PositiveIntegerField(_("largest ring size"), default=5)
    like_ring_share_percent = models.PositiveIntegerField(
        _("share of a ring member's likes that go to the ring"), default=70
    )
    like_ring_min_likes = models.PositiveIntegerField(
        _("fewest likes given by a ring member"), default=10
    )

    class Meta:
        verbose_name = _("fraud rules")
        verbose_name_plural = _("fraud rules")

    def __str__(self) -> str:
        return gettext("Fraud rules")

    @classmethod
    def load(cls) -> "FraudSettings":
        return cls.objects.get_or_create(pk=1)[0]


class SignupSignal(models.Model):
    """Where an account was created from: the referral rules compare referrer and referee."""

    member = models.OneToOneField(USER, on_delete=models.CASCADE, related_name="signup_signal")
    ip = models.GenericIPAddressField(null=True, blank=True)
    # A random id kept in a long-lived cookie: one browser, whoever logs in on it.
    device = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.member_id}: {self.ip} {self.device[:8]}"


class CaseStatus(models.TextChoices):
    OPEN = "open", _("waiting for a decision")
    CLEARED = "cleared", _("cleared: holds released")
    CONFIRMED = "confirmed", _("confirmed: held amounts forfeited")


class FraudCase(models.Model):
    rule = models.CharField(_("rule"), max_length=40, choices=Rule.choices)
    key = models.CharField(max_length=200, unique=True)
    summary = models.CharField(_("summary"), max_length=300)
    params = models.JSONField(default=dict, blank=True)
    evidence = models.JSONField(default=dict, blank=True)
    member = models.ForeignKey(
        USER,
        verbose_name=_("member"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="fraud_cases",
    )
    suspect = models.ForeignKey(
        USER,
        verbose_name=_("staff member"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="fraud_cases_as_staff",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )
    created_at = models.DateTimeField(_("flagged"), default=timezone.now, db_index=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_note = models.TextField(_("reason for the decision"), blank=True)
    holds = GenericRelation(
        "gamification.Hold", content_type_field="subject_type", object_id_field="subject_id"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("fraud case")
        verbose_name_plural = _("fraud cases")
        constraints = [
            models.CheckConstraint(
                condition=Q(status=CaseStatus.OPEN)
                | Q(decided_at__isnull=False, decided_by__isnull=False),
                name="fraud_case_decision_has_who_and_when",
            )
        ]
        indexes = [models.Index(fields=["status", "-created_at"], name="fraud_case_queue")]

    def __str__(self) -> str:
        return f"{self.get_rule_display()} #{self.pk}"

    @property
    def summary_text(self) -> str:
        """The summary in the reader's language."""
        try:
            return gettext(self.summary) % self.params
        except (KeyError, TypeError, ValueError):
            return gettext(self.summary)
