"""Tickets and what the desk needs around them. Every change of a ticket goes through
tickets/services.py and leaves a TicketEvent; the rules the database can hold (a contact
for every ticket, one ticket per tracking code, a merged ticket is closed) it holds."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from portal.accounts.mobile import validate_mobile

from . import codes

USER = settings.AUTH_USER_MODEL


class Category(models.Model):
    """What a ticket is about (product, branch, staff behaviour, ...); the manager edits
    the list. A category in use is deactivated, never deleted."""

    name = models.CharField(_("name"), max_length=80)
    name_fa = models.CharField(
        _("name in Persian"), max_length=80, blank=True, help_text=_("Shown on Persian pages.")
    )
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("ticket category")
        verbose_name_plural = _("ticket categories")

    def __str__(self) -> str:
        if self.name_fa and get_language() == "fa":
            return self.name_fa
        return self.name


class Kind(models.TextChoices):
    COMPLAINT = "complaint", _("complaint")
    SUPPORT = "support", _("support request")
    SUGGESTION = "suggestion", _("suggestion")


class Status(models.TextChoices):
    NEW = "new", _("new")
    OPEN = "open", _("open")
    WAITING = "waiting", _("waiting on customer")
    RESOLVED = "resolved", _("resolved")
    CLOSED = "closed", _("closed")
    REOPENED = "reopened", _("reopened")


class Priority(models.TextChoices):
    LOW = "low", _("low")
    NORMAL = "normal", _("normal")
    HIGH = "high", _("high")
    URGENT = "urgent", _("urgent")


class Ticket(models.Model):
    """A complaint, support request or suggestion, from a member or from a guest who left a
    name and a mobile number or e-mail address."""

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("category")
    )
    branch = models.ForeignKey(
        "cardgateway.Branch",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("branch"),
    )
    member = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("member"),
    )
    guest_name = models.CharField(_("name"), max_length=120, blank=True)
    guest_mobile = models.CharField(
        _("mobile"), max_length=16, blank=True, validators=[validate_mobile]
    )
    guest_email = models.EmailField(_("e-mail"), blank=True)
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"))
    # The page's language when the ticket was filed: a guest's e-mails and SMS use it.
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.NEW
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    assignee = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_tickets",
        verbose_name=_("assigned to"),
    )
    tracking_code = models.CharField(
        _("tracking code"), max_length=codes.DISPLAY_LENGTH, unique=True, editable=False
    )
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_duplicates",
        verbose_name=_("merged into"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    sla_first_response_due = models.DateTimeField(_("first response due"), null=True, blank=True)
    sla_resolution_due = models.DateTimeField(_("resolution due"), null=True, blank=True)
    status_changed_at = models.DateTimeField(_("status changed"), default=timezone.now)
    # How long each clock ran, stored when it stops (services), so reports aggregate
    # numbers in SQL instead of re-running the business-hours arithmetic per ticket.
    first_response_minutes = models.FloatField(
        _("minutes to first response"), null=True, blank=True
    )
    first_response_business_minutes = models.FloatField(
        _("business minutes to first response"), null=True, blank=True
    )
    resolution_minutes = models.FloatField(_("minutes to resolution"), null=True, blank=True)
    resolution_business_minutes = models.FloatField(
        _("business minutes to resolution"), null=True, blank=True
    )
    # Set once each by the breach job (tickets/tasks.py), which is what makes it idempotent.
    first_response_breached_at = models.DateTimeField(
        _("first response breached"), null=True, blank=True
    )
    resolution_breached_at = models.DateTimeField(_("resolution breached"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        constraints = [
            models.CheckConstraint(
                condition=Q(member__isnull=False)
                | (~Q(guest_name="") & (~Q(guest_mobile="") | ~Q(guest_email=""))),
                name="ticket_member_or_guest_contact",
                violation_error_message=_(
                    "A ticket needs a member, or a guest's name and mobile or e-mail."
                ),
            ),
            models.CheckConstraint(
                condition=Q(merged_into__isnull=True)
                | (Q(status=Status.CLOSED) & ~Q(merged_into=F("id"))),
                name="ticket_merged_is_closed_and_not_itself",
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.CLOSED) | Q(closed_at__isnull=False),
                name="ticket_closed_has_closed_at",
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.RESOLVED) | Q(resolved_at__isnull=False),
                name="ticket_resolved_has_resolved_at",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "priority"], name="ticket_queue_idx"),
            # The reports' periods and the queue's newest-first order.
            models.Index(fields=["created_at"], name="ticket_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.tracking_code} {self.subject}"

    @property
    def customer_name(self) -> str:
        return self.member.get_full_name() if self.member_id else self.guest_name


def _private_storage():
    from django.core.files.storage import FileSystemStorage

    return FileSystemStorage(location=settings.TICKET_FILES_ROOT, base_url=None)


class TicketMessage(models.Model):
    """A reply on a ticket. Internal notes are for staff only and must never reach a
    customer-facing page, e-mail, SMS or socket. `author` is empty for a guest."""

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="messages", verbose_name=_("ticket")
    )
    author = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ticket_messages",
        verbose_name=_("author"),
    )
    is_internal = models.BooleanField(_("internal note"), default=False)
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("ticket message")
        verbose_name_plural = _("ticket messages")

    def __str__(self) -> str:
        return f"{self.ticket.tracking_code} #{self.pk}"


class Holiday(models.Model):
    """A day the desk is closed on top of the weekly BusinessHours (Nowruz, religious and
    national holidays): SLA clocks do not run on it."""

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=80)

    class Meta:
        ordering = ["date"]
        verbose_name = _("desk holiday")
        verbose_name_plural = _("desk holidays")

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"


class TicketAttachment(models.Model):
    """A file on a ticket, checked and (pictures) re-encoded by tickets/attachments.py.
    Stored outside MEDIA_ROOT and only ever sent through a view that checks who asks;
    a file on an internal note is internal too."""

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("ticket")
    )
    message = models.ForeignKey(
        TicketMessage,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name=_("message"),
    )
    uploaded_by = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    is_internal = models.BooleanField(_("internal"), default=False)
    file = models.FileField(_("file"), upload_to="%Y/%m/", storage=_private_storage)
    name = models.CharField(_("file name"), max_length=120)
    content_type = models.CharField(_("type"), max_length=40)
    size = models.PositiveIntegerField(_("size (bytes)"))
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


class SatisfactionRating(models.Model):
    """The customer's one rating of a resolved ticket. `agent` is who had the ticket when
    it was rated, so reports keep crediting the right person after a reassignment."""

    ticket = models.OneToOneField(
        Ticket, on_delete=models.CASCADE, related_name="rating", verbose_name=_("ticket")
    )
    score = models.PositiveSmallIntegerField(_("rating"))
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    agent = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agent"),
    )
    created_at = models.DateTimeField(_("rated"), default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("satisfaction rating")
        verbose_name_plural = _("satisfaction ratings")
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=1) & Q(score__lte=5),
                name="rating_score_1_to_5",
                violation_error_message=_("A rating is 1 to 5."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket.tracking_code} {self.score}"


class DeskSettings(models.Model):
    """The club manager's numbers for the desk. One row (pk=1)."""

    waiting_auto_close_hours = models.PositiveIntegerField(
        _("close a ticket waiting on the customer after (hours)"), default=72
    )
    near_breach_minutes = models.PositiveIntegerField(
        _("warn this long before an SLA is due (minutes)"), default=60
    )
    max_attachment_kb = models.PositiveIntegerField(_("largest attachment (KB)"), default=5 * 1024)
    max_attachments_per_ticket = models.PositiveSmallIntegerField(
        _("attachments per ticket"), default=10
    )

    class Meta:
        verbose_name = _("desk settings")
        verbose_name_plural = _("desk settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(waiting_auto_close_hours__gt=0) & Q(max_attachment_kb__gt=0),
                name="desk_settings_positive",
                violation_error_message=_("Hours and sizes must be above zero."),
            ),
        ]

    def __str__(self) -> str:
        return str(_("Desk settings"))

    @classmethod
    def load(cls) -> "DeskSettings":
        return cls.objects.get_or_create(pk=1)[0]


class EventKind(models.TextChoices):
    OPENED = "opened", _("opened")
    STATUS = "status", _("status changed")
    REPLY = "reply", _("public reply")
    NOTE = "note", _("internal note")
    ASSIGNED = "assigned", _("assigned")
    PRIORITY = "priority", _("priority changed")
    MERGED_INTO = "merged_into", _("merged into another ticket")
    MERGED_FROM = "merged_from", _("a duplicate merged in")
    ATTACHMENT = "attachment", _("file attached")
    RATED = "rated", _("rated")
    SLA_BREACH = "sla_breach", _("SLA breached")


class TicketEvent(models.Model):
    """The ticket's history, written in the same transaction as the change. `actor` is
    empty for a guest or the system; `detail` holds the ids and codes the change concerned."""

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="events", verbose_name=_("ticket")
    )
    actor = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=EventKind.choices)
    from_status = models.CharField(
        _("from status"), max_length=10, choices=Status.choices, blank=True
    )
    to_status = models.CharField(_("to status"), max_length=10, choices=Status.choices, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")

    def __str__(self) -> str:
        return f"{self.ticket.tracking_code} {self.kind}"


PLACEHOLDERS = ("customer_name", "tracking_code")
_PLACEHOLDER = re.compile(r"\{(\w*)\}")


def validate_placeholders(body: str) -> None:
    unknown = sorted({name for name in _PLACEHOLDER.findall(body) if name not in PLACEHOLDERS})
    if unknown:
        raise ValidationError(
            _("Unknown placeholder %(names)s. Use {customer_name} or {tracking_code}."),
            code="unknown_placeholder",
            params={"names": ", ".join(f"{{{name}}}" for name in unknown)},
        )


class CannedReply(models.Model):
    """A ready answer an agent inserts and edits; `{customer_name}` and `{tracking_code}`
    are filled in for the ticket at hand."""

    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"), validators=[validate_placeholders])

    class Meta:
        ordering = ["title"]
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")

    def __str__(self) -> str:
        return self.title

    def render(self, ticket: Ticket) -> str:
        values = {"customer_name": ticket.customer_name, "tracking_code": ticket.tracking_code}
        # Only the known names are replaced; any other brace is left as written.
        return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), self.body)


class SLATarget(models.Model):
    """How soon a ticket of a priority (and, optionally, of one category) must get a first
    response and be resolved, in business minutes. A category's own target wins over the
    general one for its priority."""

    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices)
    category = models.ForeignKey(
        Category,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sla_targets",
        verbose_name=_("category"),
        help_text=_("Empty: every category without a target of its own."),
    )
    first_response_minutes = models.PositiveIntegerField(_("first response within (minutes)"))
    resolution_minutes = models.PositiveIntegerField(_("resolution within (minutes)"))

    class Meta:
        ordering = ["priority", "category"]
        verbose_name = _("SLA target")
        verbose_name_plural = _("SLA targets")
        constraints = [
            # NULLs are distinct in a plain unique constraint, hence two partial ones.
            models.UniqueConstraint(
                fields=["priority"],
                condition=Q(category__isnull=True),
                name="one_general_sla_per_priority",
                violation_error_message=_("This priority already has a general target."),
            ),
            models.UniqueConstraint(
                fields=["priority", "category"],
                condition=Q(category__isnull=False),
                name="one_sla_per_priority_and_category",
                violation_error_message=_("This priority and category already have a target."),
            ),
            models.CheckConstraint(
                condition=Q(first_response_minutes__gt=0)
                & Q(resolution_minutes__gte=F("first_response_minutes")),
                name="sla_minutes_positive_and_ordered",
                violation_error_message=_(
                    "Times must be positive, and resolution no sooner than first response."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_priority_display()} / {self.category or '*'}"


class Weekday(models.IntegerChoices):
    # Python's numbering (Monday 0), listed in the Iranian week's order.
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")


class BusinessHours(models.Model):
    """One opening window of the support desk on a weekday, in the club's time zone. A day
    may have several (a split shift) or none (the weekend); SLA clocks run only inside."""

    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        ordering = ["weekday", "opens"]
        verbose_name = _("business hours")
        verbose_name_plural = _("business hours")
        constraints = [
            models.CheckConstraint(
                condition=Q(weekday__gte=0) & Q(weekday__lte=6) & Q(closes__gt=F("opens")),
                name="business_hours_valid_window",
                violation_error_message=_("A window closes after it opens, on the same day."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"
