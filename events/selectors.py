"""Reads shared by the pages, the member's "my events", the organiser's screens and the
home page. Every list is a fixed number of queries whatever its length: counts, the
member's own status and waiting-list places are subqueries, images come with their
renditions."""

from dataclasses import dataclass

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import (
    ACTIVE,
    EventPage,
    Invitation,
    NewsPage,
    Registration,
    RegistrationStatus,
)


def _count(queryset: QuerySet, key: str = "event") -> Coalesce:
    """COUNT(*) of `queryset` (already correlated with OuterRef) as an integer subquery."""
    counted = queryset.order_by().values(key).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _status_count(status: str) -> Coalesce:
    return _count(Registration.objects.filter(event=OuterRef("pk"), status=status))


def _with_image(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("image").prefetch_related("image__renditions")


def news_items(*, index) -> QuerySet:
    """The index's live, public news items, newest first."""
    return _with_image(
        NewsPage.objects.live().public().child_of(index).order_by("-date", "-first_published_at")
    )


def index_events(*, index, member=None, past: bool = False) -> QuerySet:
    """The index's live, public events with `going_count` and, for a member, `my_status`
    (going / waiting / None). Upcoming ones (not yet ended) soonest first, or with `past`
    the ended ones, latest first."""
    now = timezone.now()
    events = EventPage.objects.live().public().child_of(index)
    if past:
        events = events.filter(ends_at__lte=now).order_by("-starts_at", "-pk")
    else:
        events = events.filter(ends_at__gt=now).order_by("starts_at", "pk")
    events = events.annotate(going_count=_status_count(RegistrationStatus.GOING))
    if member is not None:
        mine = Registration.objects.filter(event=OuterRef("pk"), member=member, status__in=ACTIVE)
        events = events.annotate(my_status=Subquery(mine.values("status")[:1]))
    return _with_image(events)


def upcoming_events(limit: int = 3) -> list[EventPage]:
    """The next `limit` live, public events that have not ended yet (one going on counts),
    soonest first: for the home page. Two queries (events, renditions) plus Wagtail's
    view-restriction check."""
    events = (
        EventPage.objects.live()
        .public()
        .filter(ends_at__gt=timezone.now())
        .order_by("starts_at", "pk")
    )
    return list(_with_image(events)[:limit])


def _waiting_place() -> Coalesce:
    """A waiting registration's place in its event's queue (1 = next to move up)."""
    ahead = Registration.objects.filter(
        event=OuterRef("event"), status=RegistrationStatus.WAITING
    ).filter(
        Q(waiting_since__lt=OuterRef("waiting_since"))
        | Q(waiting_since=OuterRef("waiting_since"), pk__lte=OuterRef("pk"))
    )
    return _count(ahead)


def waiting_position(registration: Registration) -> int | None:
    if registration.status != RegistrationStatus.WAITING:
        return None
    return (
        Registration.objects.filter(
            event_id=registration.event_id, status=RegistrationStatus.WAITING
        )
        .filter(
            Q(waiting_since__lt=registration.waiting_since)
            | Q(waiting_since=registration.waiting_since, pk__lte=registration.pk)
        )
        .count()
    )


@dataclass(frozen=True)
class RsvpState:
    """What the event page shows about RSVPs."""

    registration: Registration | None
    position: int | None
    going: int
    capacity: int
    started: bool
    closed: bool
    live: bool

    @property
    def places_left(self) -> int | None:
        return max(self.capacity - self.going, 0) if self.capacity else None

    @property
    def is_full(self) -> bool:
        return bool(self.capacity) and self.going >= self.capacity

    @property
    def is_going(self) -> bool:
        return bool(self.registration) and self.registration.status == RegistrationStatus.GOING

    @property
    def is_waiting(self) -> bool:
        return bool(self.registration) and self.registration.status == RegistrationStatus.WAITING

    @property
    def can_rsvp(self) -> bool:
        return self.live and not (self.started or self.closed) and self.registration is None

    @property
    def can_cancel(self) -> bool:
        return self.registration is not None and not self.started


def rsvp_state(*, event: EventPage, member=None) -> RsvpState:
    now = timezone.now()
    registration = None
    if member is not None:
        registration = Registration.objects.filter(
            event=event, member=member, status__in=ACTIVE
        ).first()
    going = Registration.objects.filter(event=event, status=RegistrationStatus.GOING).count()
    return RsvpState(
        registration=registration,
        position=waiting_position(registration) if registration else None,
        going=going,
        capacity=event.capacity,
        started=event.starts_at <= now,
        closed=event.rsvp_deadline <= now,
        live=event.live,
    )


def member_registrations(*, member, past: bool = False) -> QuerySet:
    """The member's going / waiting registrations with their event and `position` on the
    waiting list: events still to come (soonest first) or, with `past`, begun ones."""
    now = timezone.now()
    registrations = (
        Registration.objects.filter(member=member, status__in=ACTIVE, event__live=True)
        .select_related("event")
        .annotate(position=_waiting_place())
    )
    if past:
        return registrations.filter(event__starts_at__lte=now).order_by("-event__starts_at")
    return registrations.filter(event__starts_at__gt=now).order_by("event__starts_at", "pk")


def staff_events() -> QuerySet:
    """Every event page (drafts too) with its going, waiting and invited counts, latest
    start first."""
    return (
        EventPage.objects.all()
        .annotate(
            going_count=_status_count(RegistrationStatus.GOING),
            waiting_count=_status_count(RegistrationStatus.WAITING),
            invited_count=_count(Invitation.objects.filter(event=OuterRef("pk"))),
        )
        .order_by("-starts_at", "-pk")
    )


def attendees(*, event: EventPage) -> QuerySet:
    """The event's going members (in the order they got their place), then its waiting
    list in order, each with `position` (waiting only) and `invited`, members' profiles
    loaded."""
    invited = Invitation.objects.filter(event=event, member=OuterRef("member"))
    return (
        Registration.objects.filter(event=event, status__in=ACTIVE)
        .select_related("member__profile")
        .annotate(position=_waiting_place(), invited=Exists(invited))
        .order_by("status", "going_since", "waiting_since", "pk")  # going < waiting
    )
