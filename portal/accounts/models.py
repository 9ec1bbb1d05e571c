import secrets
from datetime import date

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager

from .mobile import display_mobile, validate_mobile

MIN_MEMBER_AGE = 13
MAX_MEMBER_AGE = 120
REFERRAL_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I look-alikes


def new_referral_code() -> str:
    return "".join(secrets.choice(REFERRAL_ALPHABET) for _ in range(8))


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra):
        from .services import ensure_profile

        if not email:
            raise ValueError("Users need an e-mail address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        ensure_profile(user=user)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in: member or staff. E-mail is the login; the mobile number,
    once verified by SMS, is the second identifier."""

    email = models.EmailField(_("e-mail"), unique=True)
    mobile = models.CharField(
        _("mobile"), max_length=16, unique=True, null=True, blank=True, validators=[validate_mobile]
    )
    mobile_verified = models.BooleanField(_("mobile verified"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("Django admin access"), default=False, help_text=_("Superusers only, in practice.")
    )
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    # Set by the erasure job (erasure.py): the row stays, pseudonymised, because the books
    # (ledger, purchases, cards) point at it.
    erased_at = models.DateTimeField(_("erased"), null=True, blank=True, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        # Role permissions: the groups of roles.py hold them, views check them.
        permissions = [
            ("moderate_community", _("Can moderate the community")),
            ("answer_tickets", _("Can answer support tickets")),
            ("operate_till", _("Can use the cashier screen")),
            ("manage_club", _("Can manage the club: rules, campaigns, reports")),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def display_name(self) -> str:
        if self.erased_at:
            return str(_("Former member"))
        profile = getattr(self, "profile", None)
        if profile and (profile.first_name or profile.last_name):
            initial = f" {profile.last_name[:1]}." if profile.last_name else ""
            return f"{profile.first_name}{initial}".strip()
        return self.email.split("@", 1)[0]

    def get_full_name(self) -> str:
        if self.erased_at:
            return str(_("Former member"))
        profile = getattr(self, "profile", None)
        if profile:
            return f"{profile.first_name} {profile.last_name}".strip() or self.email
        return self.email

    def get_short_name(self) -> str:
        return self.display_name

    @property
    def mobile_display(self) -> str:
        return display_mobile(self.mobile or "")


def validate_birth_date(value: date) -> None:
    today = timezone.localdate()
    if value > today:
        raise ValidationError(_("A birth date cannot be in the future."), code="future")
    age = today.year - value.year - ((today.month, today.day) < (value.month, value.day))
    if age < MIN_MEMBER_AGE:
        raise ValidationError(
            _("Members must be at least %(age)d years old.") % {"age": MIN_MEMBER_AGE},
            code="too_young",
        )
    if age > MAX_MEMBER_AGE:
        raise ValidationError(_("Please check the year of birth."), code="too_old")


class MemberProfile(models.Model):
    """What the club knows about a member beyond the login."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    first_name = models.CharField(_("first name"), max_length=80, blank=True)
    last_name = models.CharField(_("last name"), max_length=80, blank=True)
    birth_date = models.DateField(
        _("birth date"), null=True, blank=True, validators=[validate_birth_date]
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    city = models.CharField(_("city"), max_length=80, blank=True)
    interests = TaggableManager(_("interests"), blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    home_branch = models.ForeignKey(
        "cardgateway.Branch",
        verbose_name=_("home branch"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="home_members",
    )
    sms_consent = models.BooleanField(_("marketing SMS"), default=False)
    sms_consent_at = models.DateTimeField(_("SMS consent given at"), null=True, blank=True)
    email_consent = models.BooleanField(_("marketing e-mail"), default=False)
    email_consent_at = models.DateTimeField(_("e-mail consent given at"), null=True, blank=True)
    referral_code = models.CharField(
        _("referral code"), max_length=12, unique=True, default=new_referral_code
    )
    signup_referral_code = models.CharField(
        _("referral code used at sign-up"), max_length=32, blank=True
    )

    class Meta:
        verbose_name = _("member profile")
        verbose_name_plural = _("member profiles")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(sms_consent=False) | models.Q(sms_consent_at__isnull=False),
                name="profile_sms_consent_has_time",
            ),
            models.CheckConstraint(
                condition=models.Q(email_consent=False) | models.Q(email_consent_at__isnull=False),
                name="profile_email_consent_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.user.get_full_name()

    # (field, label) pairs that make a profile complete; interests are checked apart.
    COMPLETION_FIELDS = [
        ("first_name", _("first name")),
        ("last_name", _("last name")),
        ("birth_date", _("birth date")),
        ("address", _("address")),
        ("city", _("city")),
        ("home_branch_id", _("home branch")),
    ]

    def completion(self) -> tuple[int, list[str]]:
        """Percentage complete and the labels of what is missing (mobile and interests
        count too)."""
        missing = [
            str(label) for field, label in self.COMPLETION_FIELDS if not getattr(self, field)
        ]
        if not self.user.mobile:
            missing.append(str(_("mobile")))
        if not self.interests.exists():
            missing.append(str(_("interests")))
        total = len(self.COMPLETION_FIELDS) + 2
        return round(100 * (total - len(missing)) / total), missing


class ConsentChange(models.Model):
    """Every grant or withdrawal of marketing consent, with when and where (the page's
    path, or "unsubscribe link"): the proof of consent the profile's flags summarise."""

    class Channel(models.TextChoices):
        SMS = "sms", _("SMS")
        EMAIL = "email", _("e-mail")

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consent_changes"
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    granted = models.BooleanField(_("granted"))
    source = models.CharField(_("where"), max_length=200)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("consent change")
        verbose_name_plural = _("consent changes")

    def __str__(self) -> str:
        return f"{self.member_id} {self.channel} {self.granted}"


# The audit trail's floor: the PostgreSQL trigger (audit migration 0002) refuses to purge a
# younger entry whatever the setting says, so the setting cannot go below it either.
AUDIT_RETENTION_FLOOR_DAYS = 365


class PrivacySettings(models.Model):
    """The club manager's privacy numbers: the cooling-off before an erasure and how long
    each kind of data is kept (retention.py purges daily). One row (pk=1)."""

    erasure_cooling_off_days = models.PositiveIntegerField(
        _("cooling-off before an account is erased (days)"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text=_("The member can cancel during this time. 1 to 90 days."),
    )
    erased_purge_days = models.PositiveIntegerField(
        _("purge what is left of an erased member after (days)"),
        default=30,
        validators=[MinValueValidator(1)],
        help_text=_(
            "Badges, challenge progress and tier history of erased members. The books "
            "(ledger, purchases, cards) are kept."
        ),
    )
    audit_retention_days = models.PositiveIntegerField(
        _("keep the staff audit trail (days)"),
        default=730,
        validators=[MinValueValidator(AUDIT_RETENTION_FLOOR_DAYS)],
        help_text=_("At least 365 days: the audit trail is never purged younger than that."),
    )
    read_notification_retention_days = models.PositiveIntegerField(
        _("keep read notifications (days)"), default=180, validators=[MinValueValidator(1)]
    )
    limit_hit_retention_days = models.PositiveIntegerField(
        _("keep the tills' refused-request log (days)"),
        default=365,
        validators=[MinValueValidator(1)],
    )

    class Meta:
        verbose_name = _("privacy settings")
        verbose_name_plural = _("privacy settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(erasure_cooling_off_days__gte=1)
                & Q(erasure_cooling_off_days__lte=90)
                & Q(erased_purge_days__gte=1)
                & Q(audit_retention_days__gte=AUDIT_RETENTION_FLOOR_DAYS)
                & Q(read_notification_retention_days__gte=1)
                & Q(limit_hit_retention_days__gte=1),
                name="privacy_settings_in_range",
                violation_error_message=_("A number is outside its allowed range."),
            ),
        ]

    def __str__(self) -> str:
        return str(_("Privacy settings"))

    @classmethod
    def load(cls) -> "PrivacySettings":
        return cls.objects.get_or_create(pk=1)[0]


class ErasureRequest(models.Model):
    """A member's request to erase their account: carried out by the erasure job once
    `effective_at` (the request plus the cooling-off) has passed, unless cancelled."""

    class Posts(models.TextChoices):
        KEEP = "keep", _("Keep my posts, shown as by a former member")
        REMOVE = "remove", _("Remove my posts")

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="erasure_requests",
        verbose_name=_("member"),
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    effective_at = models.DateTimeField(_("erased from"))
    posts = models.CharField(_("posts"), max_length=8, choices=Posts.choices)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    completed_at = models.DateTimeField(_("erased"), null=True, blank=True)
    purged_at = models.DateTimeField(_("leftovers purged"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("erasure request")
        verbose_name_plural = _("erasure requests")
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(cancelled_at__isnull=True, completed_at__isnull=True),
                name="one_pending_erasure_per_member",
                violation_error_message=_("This account already has an erasure pending."),
            ),
            models.CheckConstraint(
                condition=Q(effective_at__gte=models.F("requested_at")),
                name="erasure_effective_after_request",
            ),
            models.CheckConstraint(
                condition=Q(cancelled_at__isnull=True) | Q(completed_at__isnull=True),
                name="erasure_cancelled_or_completed",
            ),
            models.CheckConstraint(
                condition=Q(purged_at__isnull=True) | Q(completed_at__isnull=False),
                name="erasure_purged_after_completed",
            ),
        ]
        indexes = [
            models.Index(
                fields=["effective_at"],
                condition=Q(cancelled_at__isnull=True, completed_at__isnull=True),
                name="erasure_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.requested_at:%Y-%m-%d}"

    @property
    def is_pending(self) -> bool:
        return self.cancelled_at is None and self.completed_at is None


class PurgeRun(models.Model):
    """One run of the retention purge (retention.py) and how many rows of each kind it
    removed: the record that data was deleted on schedule."""

    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    counts = models.JSONField(_("rows removed"), default=dict, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("purge run")
        verbose_name_plural = _("purge runs")

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.counts}"
