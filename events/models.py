"""News and events (issue 7): Wagtail pages for club news and for exhibitions and
conferences, members' RSVPs with a waiting list, and the organiser's invitations.

- NewsIndexPage / NewsPage: dated news items, newest first.
- EventIndexPage / EventPage: an event with its place, dates and capacity (0 = no limit).
- Registration: a member's RSVP to an event: going, waiting (first come, first served by
  `waiting_since`) or cancelled. At most one active (not cancelled) registration per
  event and member: a partial unique constraint. Only events.services changes them, under
  a lock on the event's row, so an event is never over-booked.
- Invitation: the event's invitation sent to a member, at most once per event and member
  (a unique constraint); InvitationRound: one "send to this audience" request and how
  many members it invited."""

from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

USER = settings.AUTH_USER_MODEL
INDEX_PARENTS = ["pages.HomePage"]


class NewsIndexPage(Page):
    """The club's news: its items, newest first, a page at a time."""

    intro = models.CharField(_("introduction"), max_length=300, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = INDEX_PARENTS
    subpage_types = ["events.NewsPage"]
    per_page = 10

    class Meta:
        verbose_name = _("news index")

    def get_context(self, request, *args, **kwargs):
        from django.core.paginator import Paginator

        from . import selectors

        context = super().get_context(request, *args, **kwargs)
        context["items"] = Paginator(selectors.news_items(index=self), self.per_page).get_page(
            request.GET.get("page")
        )
        return context


class NewsPage(Page):
    date = models.DateField(_("date"), default=timezone.localdate)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = RichTextField(_("body"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("date"),
        FieldPanel("summary"),
        FieldPanel("image"),
        FieldPanel("body"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
        index.FilterField("date"),
    ]
    parent_page_types = ["events.NewsIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("news item")


class EventKind(models.TextChoices):
    EXHIBITION = "exhibition", _("Exhibition")
    CONFERENCE = "conference", _("Conference")
    OTHER = "other", _("Other")


class EventIndexPage(Page):
    """The club's events: those to come (and going on) first, soonest first; then the
    past ones, latest first, a page at a time."""

    intro = models.CharField(_("introduction"), max_length=300, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = INDEX_PARENTS
    subpage_types = ["events.EventPage"]
    past_per_page = 10

    class Meta:
        verbose_name = _("event index")

    def get_context(self, request, *args, **kwargs):
        from django.core.paginator import Paginator

        from . import selectors

        context = super().get_context(request, *args, **kwargs)
        member = request.user if request.user.is_authenticated else None
        context["upcoming"] = list(selectors.index_events(index=self, member=member))
        context["past"] = Paginator(
            selectors.index_events(index=self, member=member, past=True), self.past_per_page
        ).get_page(request.GET.get("page"))
        return context


class EventPage(Page):
    kind = models.CharField(
        _("kind"), max_length=20, choices=EventKind.choices, default=EventKind.EXHIBITION
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    venue = models.CharField(_("venue"), max_length=120)
    city = models.CharField(_("city"), max_length=80)
    address = models.CharField(_("address"), max_length=255, blank=True)
    capacity = models.PositiveIntegerField(
        _("capacity"), default=0, help_text=_("How many members may come; 0 means no limit.")
    )
    rsvp_closes_at = models.DateTimeField(
        _("RSVP closes at"),
        null=True,
        blank=True,
        help_text=_("Leave empty to take RSVPs until the event starts."),
    )
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = RichTextField(_("body"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("kind"),
        FieldPanel("summary"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("starts_at"), FieldPanel("ends_at")]),
                FieldRowPanel([FieldPanel("capacity"), FieldPanel("rsvp_closes_at")]),
            ],
            heading=_("Dates and places"),
        ),
        MultiFieldPanel(
            [FieldPanel("venue"), FieldPanel("city"), FieldPanel("address")],
            heading=_("Where"),
        ),
        FieldPanel("image"),
        FieldPanel("body"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
        index.SearchField("venue"),
        index.SearchField("city"),
        index.FilterField("kind"),
        index.FilterField("starts_at"),
        index.FilterField("ends_at"),
    ]
    parent_page_types = ["events.EventIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def clean(self):
        super().clean()
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("The event must end after it starts.")
        if self.rsvp_closes_at and self.ends_at and self.rsvp_closes_at > self.ends_at:
            errors["rsvp_closes_at"] = _("RSVPs must close before the event ends.")
        if errors:
            raise ValidationError(errors)

    @property
    def rsvp_deadline(self):
        """When RSVPs close: the set time, else the start of the event."""
        return self.rsvp_closes_at or self.starts_at

    @property
    def is_past(self) -> bool:
        return self.ends_at <= timezone.now()

    @property
    def is_limited(self) -> bool:
        return self.capacity > 0

    def get_context(self, request, *args, **kwargs):
        from . import selectors

        context = super().get_context(request, *args, **kwargs)
        member = request.user if request.user.is_authenticated else None
        context["rsvp"] = selectors.rsvp_state(event=self, member=member)
        context["login_url"] = (
            f"{reverse('account_login')}?{urlencode({'next': request.get_full_path()})}"
        )
        return context


class RegistrationStatus(models.TextChoices):
    GOING = "going", _("Going")
    WAITING = "waiting", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")


ACTIVE = [RegistrationStatus.GOING, RegistrationStatus.WAITING]


class Registration(models.Model):
    event = models.ForeignKey(EventPage, on_delete=models.CASCADE, related_name="registrations")
    member = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="event_registrations")
    status = models.CharField(_("status"), max_length=10, choices=RegistrationStatus.choices)
    created_at = models.DateTimeField(_("registered at"), default=timezone.now)
    # The waiting list's order: first come, first served (ties by id).
    waiting_since = models.DateTimeField(_("waiting since"), null=True, blank=True)
    going_since = models.DateTimeField(_("going since"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "member"],
                condition=~Q(status="cancelled"),
                name="event_registration_active_once",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["going", "waiting", "cancelled"]),
                name="event_registration_status_known",
            ),
            models.CheckConstraint(
                condition=~Q(status="waiting") | Q(waiting_since__isnull=False),
                name="event_registration_waiting_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["event", "status", "waiting_since"], name="event_reg_queue"),
            models.Index(fields=["member", "status"], name="event_reg_member"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} → {self.event_id}: {self.status}"


class Audience(models.TextChoices):
    ALL = "all", _("All members")
    TIER = "tier", _("Members of one tier")
    GROUP = "group", _("Members of one interest group")
    SEGMENT = "segment", _("A saved segment of members")


class InvitationRound(models.Model):
    """One request to invite an audience to an event, and what it did."""

    event = models.ForeignKey(EventPage, on_delete=models.CASCADE, related_name="invitation_rounds")
    audience = models.CharField(_("audience"), max_length=10, choices=Audience.choices)
    tier = models.ForeignKey(
        "gamification.Tier",
        verbose_name=_("tier"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    group = models.ForeignKey(
        "community.InterestGroup",
        verbose_name=_("interest group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    segment = models.ForeignKey(
        "cockpit.Segment",
        verbose_name=_("segment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    invited_count = models.PositiveIntegerField(_("members invited"), default=0)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("invitation round")
        verbose_name_plural = _("invitation rounds")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(audience="all", tier__isnull=True, group__isnull=True, segment__isnull=True)
                    | Q(
                        audience="tier",
                        tier__isnull=False,
                        group__isnull=True,
                        segment__isnull=True,
                    )
                    | Q(
                        audience="group",
                        group__isnull=False,
                        tier__isnull=True,
                        segment__isnull=True,
                    )
                    | Q(
                        audience="segment",
                        segment__isnull=False,
                        tier__isnull=True,
                        group__isnull=True,
                    )
                ),
                name="invitation_round_audience_target",
            )
        ]

    def __str__(self) -> str:
        return f"{self.event_id}: {self.audience}"

    @property
    def audience_label(self) -> str:
        if self.audience == Audience.TIER and self.tier:
            return str(_("Tier: %(name)s") % {"name": self.tier.name})
        if self.audience == Audience.GROUP and self.group:
            return str(_("Interest group: %(name)s") % {"name": self.group.name})
        if self.audience == Audience.SEGMENT and self.segment:
            return str(_("Segment: %(name)s") % {"name": self.segment.name})
        return str(self.get_audience_display())


class Invitation(models.Model):
    event = models.ForeignKey(EventPage, on_delete=models.CASCADE, related_name="invitations")
    member = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="event_invitations")
    round = models.ForeignKey(
        InvitationRound, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    invited_at = models.DateTimeField(_("invited at"), default=timezone.now)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(fields=["event", "member"], name="event_invitation_once")
        ]

    def __str__(self) -> str:
        return f"{self.member_id} invited to {self.event_id}"
