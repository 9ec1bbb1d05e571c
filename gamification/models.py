"""The ledger, earning rules, tiers, badges, challenges, leaderboards' totals, referrals
and rewards. Balances change only through gamification/ledger.py."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

USER = settings.AUTH_USER_MODEL


class Currency(models.TextChoices):
    POINTS = "points", _("points")
    CREDIT = "credit", _("credit")


class GiftKind(models.TextChoices):
    """What a gift from the club is (campaigns, automations: rewards.give_gift)."""

    NONE = "", _("no gift")
    POINTS = "points", _("points")
    CREDIT = "credit", _("credit (rials)")
    VOUCHER = "voucher", _("a reward voucher")


class HeldCurrency(models.TextChoices):
    """Where points and credit under review wait (gamification/holds.py): accounts of their
    own, so a hold is a pair of ledger entries and the spendable balance never includes it."""

    POINTS = "points_held", _("points on hold")
    CREDIT = "credit_held", _("credit on hold")


HELD = {Currency.POINTS: HeldCurrency.POINTS, Currency.CREDIT: HeldCurrency.CREDIT}


class EntryKind(models.TextChoices):
    AWARD = "award", _("Activity points")
    AWARD_REVOKED = "award_revoked", _("Activity points taken back")
    PURCHASE_POINTS = "purchase_points", _("Purchase points")
    CASHBACK = "cashback", _("Cashback")
    REDEEM = "redeem", _("Credit spent at the till")
    REFERRAL_SHARE = "referral_share", _("Referral share")
    PURCHASE_REVERSAL = "purchase_reversal", _("Purchase reversed or returned")
    CONVERSION_OUT = "conversion_out", _("Points converted to credit")
    CONVERSION_IN = "conversion_in", _("Credit from points")
    ADJUSTMENT = "adjustment", _("Adjustment by the club")
    REWARD = "reward", _("Reward redeemed")
    CHALLENGE = "challenge", _("Challenge completed")
    EXPIRY = "expiry", _("Points expired")
    HOLD = "hold", _("Held for review")
    HOLD_RELEASED = "hold_released", _("Released after review")
    HOLD_FORFEITED = "hold_forfeited", _("Forfeited after review")
    GIFT = "gift", _("Gift from the club")


# Points entries of these kinds count as "earned" (tiers, leaderboards), reversals included.
EARNING_KINDS = frozenset(
    {
        EntryKind.AWARD,
        EntryKind.AWARD_REVOKED,
        EntryKind.PURCHASE_POINTS,
        EntryKind.PURCHASE_REVERSAL,
        EntryKind.CHALLENGE,
        EntryKind.ADJUSTMENT,
        # Held points do not count towards tiers or leaderboards until released.
        EntryKind.HOLD,
        EntryKind.HOLD_RELEASED,
    }
)


class ClubSettings(models.Model):
    """The club manager's numbers. One row (pk=1)."""

    rials_per_point = models.PositiveIntegerField(
        _("credit per converted point (rials)"), default=100
    )
    min_points_to_convert = models.PositiveIntegerField(_("fewest points to convert"), default=500)
    min_redeemable_credit = models.PositiveBigIntegerField(
        _("credit balance needed before spending (rials)"), default=50_000
    )
    tier_window_days = models.PositiveIntegerField(_("tier window (days)"), default=365)
    referral_share_days = models.PositiveIntegerField(
        _("referral share period (days)"), default=365
    )

    class Meta:
        verbose_name = _("club settings")
        verbose_name_plural = _("club settings")

    def __str__(self) -> str:
        return str(_("Club settings"))

    @classmethod
    def load(cls) -> "ClubSettings":
        return cls.objects.get_or_create(pk=1)[0]


class Account(models.Model):
    """A member's balance of one currency. Written only by ledger.post() under a row lock."""

    member = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="accounts")
    currency = models.CharField(max_length=12, choices=Currency.choices + HeldCurrency.choices)
    balance = models.BigIntegerField(default=0)
    # Points earned ever (earning kinds only): the all-time leaderboard reads it.
    lifetime_earned = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "currency"], name="account_one_per_currency"),
            models.CheckConstraint(
                condition=~Q(currency="points") | Q(balance__gte=0),
                name="account_points_never_negative",
            ),
            models.CheckConstraint(
                condition=~Q(currency__in=HeldCurrency.values) | Q(balance__gte=0),
                name="account_held_never_negative",
            ),
        ]
        indexes = [models.Index(fields=["currency", "-lifetime_earned"], name="account_earned")]

    def __str__(self) -> str:
        return f"{self.member_id}:{self.currency}={self.balance}"


class AppendOnly(models.Model):
    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.pop("_allow_update", False):
            raise ValueError(f"{type(self).__name__} rows are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError(f"{type(self).__name__} rows are never deleted.")


class LedgerEntry(AppendOnly):
    """One posting. Never updated or deleted: a correction is a new entry that points at
    the entry it corrects."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries")
    amount = models.BigIntegerField()
    kind = models.CharField(max_length=30, choices=EntryKind.choices)
    subject_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    actor = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="caused_entries"
    )
    actor_label = models.CharField(max_length=80, blank=True, help_text="e.g. terminal:T17")
    branch = models.ForeignKey(
        "cardgateway.Branch", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    idempotency_key = models.CharField(max_length=200, unique=True)
    corrects = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections"
    )
    description = models.CharField(max_length=255, blank=True)
    balance_after = models.BigIntegerField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="entry_amount_nonzero")]
        indexes = [
            models.Index(fields=["account", "id"], name="entry_account_id"),
            models.Index(fields=["subject_type", "subject_id"], name="entry_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount:+d} ({self.idempotency_key})"


class DailyTotal(models.Model):
    """Points a member earned on one day: the leaderboards' and tiers' pre-aggregate,
    kept by ledger.post() under the member's account lock."""

    member = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    earned = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "day"], name="daily_total_once")]
        indexes = [models.Index(fields=["day", "member"], name="daily_total_day")]

    def __str__(self) -> str:
        return f"{self.member_id} {self.day}: {self.earned}"


class Action(models.TextChoices):
    TOPIC_POSTED = "topic_posted", _("Topic posted")
    COMMENT_POSTED = "comment_posted", _("Comment posted")
    STATUS_POSTED = "status_posted", _("Status update posted")
    LIKE_RECEIVED = "like_received", _("Like received")
    ARTICLE_PUBLISHED = "article_published", _("Article published")
    SURVEY_COMPLETED = "survey_completed", _("Survey completed")
    CONTEST_WON = "contest_won", _("Contest won")
    PHOTO_VOTE_RECEIVED = "photo_vote_received", _("Photo vote received")
    PROFILE_COMPLETED = "profile_completed", _("Profile completed")
    FRIEND_INVITED = "friend_invited", _("Friend invited")
    REFERRAL_SIGNED_UP = "referral_signed_up", _("Referral signed up")
    REFERRAL_FIRST_PURCHASE = "referral_first_purchase", _("Referral's first purchase")
    SHARED = "shared", _("Shared to a social network")
    SUPPORT_RENEWED = "support_renewed", _("Support renewed")


class EarningRule(models.Model):
    action = models.CharField(_("action"), max_length=40, choices=Action.choices, unique=True)
    points = models.PositiveIntegerField(_("points"))
    daily_cap = models.PositiveIntegerField(
        _("daily cap (points)"), default=0, help_text=_("0 means no cap.")
    )
    min_account_age_days = models.PositiveIntegerField(_("minimum account age (days)"), default=0)
    revoke_on_removal = models.BooleanField(
        _("take back when the subject is removed"), default=True
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["action"]
        verbose_name = _("earning rule")
        verbose_name_plural = _("earning rules")

    def __str__(self) -> str:
        return self.get_action_display()


class Award(models.Model):
    """Points paid for one (member, action, subject). At most one live award each; a revoked
    award may be followed by a new one (content restored)."""

    member = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="awards")
    action = models.CharField(max_length=40, choices=Action.choices)
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    subject_id = models.PositiveBigIntegerField()
    points = models.PositiveIntegerField()
    entry = models.OneToOneField(LedgerEntry, on_delete=models.PROTECT, related_name="award")
    revoked_entry = models.OneToOneField(
        LedgerEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="revoked_award"
    )
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["member", "action", "subject_type", "subject_id"],
                condition=Q(revoked_at__isnull=True),
                name="award_once_while_live",
            )
        ]
        indexes = [
            models.Index(fields=["subject_type", "subject_id"], name="award_subject"),
            models.Index(fields=["member", "action", "created_at"], name="award_member_day"),
        ]

    def __str__(self) -> str:
        return f"{self.action} for {self.member_id}: {self.points}"


class Tier(models.Model):
    name = models.CharField(_("name"), max_length=40)
    slug = models.SlugField(_("slug"), unique=True)
    threshold = models.PositiveIntegerField(_("points in the window to qualify"), unique=True)
    cashback_bp = models.PositiveIntegerField(
        _("cashback (basis points)"),
        default=0,
        # xgettext:no-python-format
        help_text=_("500 = 5 % of the purchase."),
    )
    referral_bp = models.PositiveIntegerField(
        _("referral share (basis points)"),
        default=0,
        # xgettext:no-python-format
        help_text=_("100 = 1 % of referee purchases."),
    )
    points_per_million = models.PositiveIntegerField(
        _("purchase points per 1,000,000 rials"), default=100
    )
    benefits = models.TextField(_("benefits"), blank=True)
    colour = models.CharField(_("badge colour"), max_length=7, default="#8c6d3f")
    ticket_priority = models.CharField(
        _("ticket priority at least"),
        max_length=10,
        blank=True,
        choices=[("high", _("high")), ("urgent", _("urgent"))],
        help_text=_("VIP support: this tier's members' tickets are filed at least this urgent."),
    )

    class Meta:
        ordering = ["threshold"]
        verbose_name = _("tier")
        verbose_name_plural = _("tiers")
        constraints = [
            models.CheckConstraint(
                condition=Q(cashback_bp__lte=10_000), name="tier_cashback_le_100"
            ),
            models.CheckConstraint(
                condition=Q(referral_bp__lte=10_000), name="tier_referral_le_100"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MemberTier(models.Model):
    member = models.OneToOneField(USER, on_delete=models.CASCADE, related_name="club_tier")
    tier = models.ForeignKey(Tier, on_delete=models.PROTECT, related_name="+")
    since = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.member_id}: {self.tier_id}"


class TierChange(models.Model):
    member = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="tier_changes")
    from_tier = models.ForeignKey(
        Tier, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_tier = models.ForeignKey(Tier, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.member_id}: {self.from_tier_id} -> {self.to_tier_id}"


class BadgeRule(models.TextChoices):
    FIRST_PURCHASE = "first_purchase", _("First purchase")
    COMMENTS = "comments", _("Comments posted")
    LIKES_RECEIVED = "likes_received", _("Likes received")
    TIER_REACHED = "tier_reached", _("Tier reached")
    REFERRALS = "referrals", _("Friends referred")
    ACTIVE_WEEKS = "active_weeks", _("Active weeks in a row")


class Badge(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(_("name"), max_length=60)
    description = models.CharField(_("description"), max_length=200, blank=True)
    rule = models.CharField(_("rule"), max_length=20, choices=BadgeRule.choices, blank=True)
    threshold = models.PositiveIntegerField(_("threshold"), default=1)
    tier = models.ForeignKey(
        Tier, null=True, blank=True, on_delete=models.CASCADE, help_text=_("For 'tier reached'.")
    )
    colour = models.CharField(_("colour"), max_length=7, default="#0b5d4b")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MemberBadge(models.Model):
    member = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="badges")
    badge = models.ForeignKey(Badge, on_delete=models.CASCADE, related_name="holders")
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-granted_at"]
        constraints = [models.UniqueConstraint(fields=["member", "badge"], name="badge_once")]

    def __str__(self) -> str:
        return f"{self.member_id}: {self.badge_id}"


class Challenge(models.Model):
    name = models.CharField(_("name"), max_length=80)
    description = models.CharField(_("description"), max_length=255, blank=True)
    action = models.CharField(_("action"), max_length=40, choices=Action.choices)
    target = models.PositiveIntegerField(_("times to do it"))
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    reward_points = models.PositiveIntegerField(_("reward points"), default=0)
    reward_badge = models.ForeignKey(Badge, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["ends_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="challenge_window"
            ),
            models.CheckConstraint(condition=Q(target__gte=1), name="challenge_target_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class ChallengeProgress(models.Model):
    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="progress")
    member = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="challenge_progress")
    count = models.PositiveIntegerField(default=0)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["challenge", "member"], name="challenge_progress_once")
        ]

    def __str__(self) -> str:
        return f"{self.member_id}: {self.count}"


class Referral(models.Model):
    referrer = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="referrals_made")
    referee = models.OneToOneField(USER, on_delete=models.PROTECT, related_name="referral")
    created_at = models.DateTimeField(default=timezone.now)
    share_until = models.DateTimeField()
    first_purchase_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(referrer=F("referee")), name="referral_not_self")
        ]

    def __str__(self) -> str:
        return f"{self.referrer_id} -> {self.referee_id}"


class Reward(models.Model):
    name = models.CharField(_("name"), max_length=80)
    description = models.CharField(_("description"), max_length=255, blank=True)
    points_cost = models.PositiveIntegerField(_("points"))
    stock = models.PositiveIntegerField(
        _("stock"), null=True, blank=True, help_text=_("Empty: unlimited.")
    )
    per_member_limit = models.PositiveIntegerField(_("per member"), default=1)
    valid_from = models.DateTimeField(_("available from"), default=timezone.now)
    valid_until = models.DateTimeField(_("available until"), null=True, blank=True)
    voucher_days = models.PositiveIntegerField(_("voucher valid for (days)"), default=30)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["points_cost"]
        constraints = [
            models.CheckConstraint(condition=Q(points_cost__gte=1), name="reward_costs_points")
        ]

    def __str__(self) -> str:
        return self.name


class Voucher(models.Model):
    class Status(models.TextChoices):
        ISSUED = "issued", _("issued")
        CONSUMED = "consumed", _("used")

    code = models.CharField(max_length=20, unique=True)
    reward = models.ForeignKey(Reward, on_delete=models.PROTECT, related_name="vouchers")
    member = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="vouchers")
    entry = models.OneToOneField(LedgerEntry, on_delete=models.PROTECT, related_name="voucher")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ISSUED)
    issued_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    consumed_at = models.DateTimeField(null=True, blank=True)
    consumed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return self.code


class HoldStatus(models.TextChoices):
    HELD = "held", _("held")
    RELEASED = "released", _("released")
    FORFEITED = "forfeited", _("forfeited")


class Hold(models.Model):
    """Points or credit from one ledger entry, moved to the member's held account until a
    review decides (gamification/holds.py). `subject` is what holds it (a fraud case)."""

    member = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="holds")
    currency = models.CharField(max_length=10, choices=Currency.choices)
    source = models.ForeignKey(LedgerEntry, on_delete=models.PROTECT, related_name="holds")
    amount = models.PositiveBigIntegerField()
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    subject_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("subject_type", "subject_id")
    status = models.CharField(max_length=10, choices=HoldStatus.choices, default=HoldStatus.HELD)
    hold_entry = models.OneToOneField(
        LedgerEntry, on_delete=models.PROTECT, related_name="hold_placed"
    )
    # What the decision gave back and what it took.
    released = models.PositiveBigIntegerField(default=0)
    forfeited = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["source"], condition=Q(status="held"), name="hold_one_live_per_entry"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="hold_amount_positive"),
            models.CheckConstraint(
                condition=Q(status="held", released=0, forfeited=0, settled_at__isnull=True)
                | (
                    ~Q(status="held")
                    & Q(settled_at__isnull=False)
                    & Q(released__lte=F("amount"))
                    & Q(forfeited__lte=F("amount"))
                ),
                name="hold_settled_consistently",
            ),
        ]
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="hold_subject")]

    def __str__(self) -> str:
        return f"{self.member_id} {self.currency} {self.amount} ({self.status})"
