from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

USER = settings.AUTH_USER_MODEL


class Branch(models.Model):
    """A store of the club. Terminals, cashiers and members' home branch point here."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=120)
    city = models.CharField(_("city"), max_length=80)
    address = models.CharField(_("address"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # Where the store is (WGS 84 degrees): the fraud rules judge how fast a card would have
    # had to travel between two branches. Without both, the branch is left out of that rule.
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("branch")
        verbose_name_plural = _("branches")
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(
                    latitude__gte=-90,
                    latitude__lte=90,
                    longitude__gte=-180,
                    longitude__lte=180,
                ),
                name="branch_coordinates_both_and_on_earth",
                violation_error_message=_(
                    "Give both latitude and longitude (in degrees), or neither."
                ),
            )
        ]

    def __str__(self) -> str:
        return self.name


class Terminal(models.Model):
    """A card reader (or the till software behind it). Its secret is kept encrypted with a
    key from the environment (cardgateway/vault.py), so a database dump alone reveals
    nothing; it is shown once, when created or rotated."""

    terminal_id = models.CharField(_("terminal id"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, related_name="terminals", verbose_name=_("branch")
    )
    secret_encrypted = models.TextField(editable=False)
    is_enabled = models.BooleanField(_("enabled"), default=True)
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    rotated_at = models.DateTimeField(_("secret rotated"), null=True, blank=True)
    # After a rotation with a grace period the old secret keeps working until then, so the
    # reader can be updated without downtime (services.rotate_terminal_secret).
    previous_secret_encrypted = models.TextField(editable=False, blank=True)
    previous_secret_valid_until = models.DateTimeField(
        _("old secret works until"), null=True, blank=True
    )

    class Meta:
        ordering = ["branch__name", "terminal_id"]
        verbose_name = _("terminal")
        verbose_name_plural = _("terminals")

    def __str__(self) -> str:
        return f"{self.terminal_id} ({self.name})"


class CardStatus(models.TextChoices):
    ACTIVE = "active", _("active")
    BLOCKED = "blocked", _("blocked")
    LOST = "lost", _("lost")
    REPLACED = "replaced", _("replaced")
    EXPIRED = "expired", _("expired")


class Card(models.Model):
    """A member's club card. Balances belong to the member, not the card, so a replaced
    card loses nothing."""

    number = models.CharField(_("card number"), max_length=16, unique=True)
    member = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="cards", verbose_name=_("member")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CardStatus.choices, default=CardStatus.ACTIVE
    )
    replaces = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
        verbose_name=_("replaces"),
    )
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    issued_at_branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("card")
        verbose_name_plural = _("cards")
        constraints = [
            models.CheckConstraint(
                condition=Q(number__regex=r"^[0-9]{16}$"), name="card_number_16_digits"
            ),
            # A member holds at most one usable card at a time.
            models.UniqueConstraint(
                fields=["member"], condition=Q(status="active"), name="one_active_card"
            ),
        ]

    def __str__(self) -> str:
        return self.masked

    @property
    def masked(self) -> str:
        return f"{self.number[:6]}******{self.number[-4:]}"

    @property
    def is_usable(self) -> bool:
        return self.status == CardStatus.ACTIVE


class CardEvent(models.Model):
    """A card's history: every change of state, who made it and why."""

    card = models.ForeignKey(Card, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=10, choices=CardStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=CardStatus.choices)
    actor = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True)
    reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.card}: {self.from_status or '-'} → {self.to_status}"


class GatewaySettings(models.Model):
    """The club manager's limits for the tills. One row (pk=1)."""

    requests_per_minute = models.PositiveIntegerField(
        _("requests per minute per terminal"), default=600
    )
    purchases_per_hour = models.PositiveIntegerField(_("purchases per hour per card"), default=20)
    max_purchase_amount = models.PositiveBigIntegerField(
        _("largest single purchase (rials)"), default=500_000_000
    )

    class Meta:
        verbose_name = _("till limits")
        verbose_name_plural = _("till limits")

    def __str__(self) -> str:
        return str(_("Till limits"))

    @classmethod
    def load(cls) -> "GatewaySettings":
        return cls.objects.get_or_create(pk=1)[0]


class TxnKind(models.TextChoices):
    PURCHASE = "purchase", _("purchase")
    REVERSAL = "reversal", _("reversal")
    RETURN = "return", _("return")


class Transaction(models.Model):
    """A purchase, reversal or return posted by a terminal or at the cashier screen, with
    the answer it got: replaying the same request returns `response` unchanged. Amounts
    are signed as in the answer: a reversal's or return's are negative."""

    kind = models.CharField(max_length=10, choices=TxnKind.choices)
    terminal = models.ForeignKey(
        Terminal, on_delete=models.PROTECT, null=True, blank=True, related_name="transactions"
    )
    txn_id = models.CharField(max_length=64)
    request_hash = models.CharField(max_length=64)
    receipt = models.CharField(max_length=40, unique=True)
    original = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="followups"
    )
    card = models.ForeignKey(Card, on_delete=models.PROTECT, related_name="transactions")
    member = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="card_transactions")
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="transactions")
    cashier = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    amount = models.BigIntegerField()
    redeemed = models.BigIntegerField(default=0)
    cashback = models.BigIntegerField(default=0)
    points = models.BigIntegerField(default=0)
    referral_share = models.BigIntegerField(default=0)
    # Points a reversal or return could not take back because the member had spent them.
    points_uncollected = models.BigIntegerField(default=0)
    tier = models.CharField(max_length=50, blank=True)
    occurred_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    response = models.JSONField()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["terminal", "txn_id"],
                condition=Q(terminal__isnull=False),
                name="txn_id_unique_per_terminal",
            ),
            models.UniqueConstraint(
                fields=["txn_id"], condition=Q(terminal__isnull=True), name="txn_id_unique_at_till"
            ),
            models.UniqueConstraint(
                fields=["original"], condition=Q(kind="reversal"), name="one_reversal_per_purchase"
            ),
        ]
        indexes = [
            models.Index(fields=["card", "kind", "created_at"]),
            # A member's purchases in a period: the cockpit's segments, win-back and KPIs.
            models.Index(fields=["member", "kind", "created_at"], name="txn_member_kind_time"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.txn_id} ({self.receipt})"


class LimitKind(models.TextChoices):
    RATE = "rate", _("requests per minute")
    VELOCITY = "velocity", _("purchases per hour")
    AMOUNT = "amount", _("largest amount")


class LimitHit(models.Model):
    """A request a limit refused, for the club manager to review."""

    kind = models.CharField(_("limit"), max_length=10, choices=LimitKind.choices)
    terminal = models.ForeignKey(
        Terminal, on_delete=models.CASCADE, null=True, blank=True, related_name="limit_hits"
    )
    card = models.ForeignKey(
        Card, on_delete=models.CASCADE, null=True, blank=True, related_name="limit_hits"
    )
    detail = models.CharField(_("detail"), max_length=200)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.detail}"


class CashierStation(models.Model):
    """Where a cashier works: the branch (and terminal) their postings are recorded under."""

    cashier = models.OneToOneField(
        USER, on_delete=models.CASCADE, related_name="station", verbose_name=_("cashier")
    )
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, verbose_name=_("branch"))
    terminal = models.ForeignKey(
        Terminal, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("terminal")
    )

    class Meta:
        verbose_name = _("cashier station")
        verbose_name_plural = _("cashier stations")

    def __str__(self) -> str:
        return f"{self.cashier} @ {self.branch}"
