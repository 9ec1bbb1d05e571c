"""Every change to RSVPs and invitations.

Capacity is guarded by one lock: each service that adds a going member or frees a place
first locks the event's own row (`SELECT ... FOR UPDATE` on events_eventpage, not on
Wagtail's page row) and counts the going registrations under that lock, in the same
transaction. Two RSVPs for the last place therefore run one after the other on
PostgreSQL, and an event never has more members going than its capacity. The waiting list
is first come, first served (`waiting_since`, then id)."""

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.accounts import roles
from portal.shell.errors import CodedError

from .models import (
    ACTIVE,
    Audience,
    EventPage,
    Invitation,
    InvitationRound,
    Registration,
    RegistrationStatus,
)


class RsvpRefused(CodedError):
    code = "rsvp_refused"


class EventUnavailable(RsvpRefused):
    code = "event_unavailable"
    default_message = _("This event is not open to RSVPs.")


class EventStarted(RsvpRefused):
    code = "event_started"
    default_message = _("This event has already started or is over.")


class RsvpClosed(RsvpRefused):
    code = "rsvp_closed"
    default_message = _("RSVPs for this event are closed.")


class InvitationRefused(CodedError):
    code = "invitation_refused"


def _lock(event: EventPage) -> EventPage:
    """The event, re-read with its row locked until the transaction ends (capacity and
    dates as they are now, not as the caller loaded them)."""
    return EventPage.objects.select_for_update(of=("self",)).get(pk=event.pk)


def _active(event: EventPage, member) -> Registration | None:
    return Registration.objects.filter(event=event, member=member, status__in=ACTIVE).first()


def going_count(event: EventPage) -> int:
    return Registration.objects.filter(event=event, status=RegistrationStatus.GOING).count()


@transaction.atomic
def rsvp(*, event: EventPage, member) -> Registration:
    """Register `member` for `event`: going while there are places (or no limit), else on
    the waiting list. Idempotent: a member already going or waiting gets that registration
    back, unchanged. Locks the event's row. Raises EventUnavailable (not published),
    EventStarted, RsvpClosed."""
    event = _lock(event)
    existing = _active(event, member)
    if existing is not None:
        return existing
    now = timezone.now()
    if not event.live:
        raise EventUnavailable
    if event.starts_at <= now:
        raise EventStarted
    if event.rsvp_deadline <= now:
        raise RsvpClosed
    if not event.is_limited or going_count(event) < event.capacity:
        return Registration.objects.create(
            event=event, member=member, status=RegistrationStatus.GOING, going_since=now
        )
    return Registration.objects.create(
        event=event, member=member, status=RegistrationStatus.WAITING, waiting_since=now
    )


@transaction.atomic
def cancel(*, event: EventPage, member) -> Registration | None:
    """Cancel `member`'s registration. A freed place goes to the first members on the
    waiting list, who are told. Idempotent: None when there is nothing to cancel. Locks
    the event's row. Raises EventStarted once the event has begun (the list then stays as
    it was)."""
    event = _lock(event)
    registration = _active(event, member)
    if registration is None:
        return None
    now = timezone.now()
    if event.starts_at <= now:
        raise EventStarted
    was_going = registration.status == RegistrationStatus.GOING
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = now
    registration.save(update_fields=["status", "cancelled_at"])
    if was_going:
        _fill_places(event, now)
    return registration


@transaction.atomic
def fill_places(*, event: EventPage) -> list[Registration]:
    """Move waiting members up into free places (after the capacity was raised or lifted),
    first come first served, and tell them. Nothing once the event has started. Locks the
    event's row. Returns the promoted registrations."""
    event = _lock(event)
    now = timezone.now()
    if event.starts_at <= now:
        return []
    return _fill_places(event, now)


def _fill_places(event: EventPage, now) -> list[Registration]:
    """The promotion itself; the caller holds the event's lock."""
    waiting = (
        Registration.objects.filter(event=event, status=RegistrationStatus.WAITING)
        .select_related("member__profile")
        .order_by("waiting_since", "pk")
    )
    if event.is_limited:
        free = event.capacity - going_count(event)
        if free <= 0:
            return []
        waiting = waiting[:free]
    promoted = list(waiting)
    for registration in promoted:
        registration.status = RegistrationStatus.GOING
        registration.going_since = now
        registration.save(update_fields=["status", "going_since"])
        _tell_promoted(registration, event)
    return promoted


def _event_url(event: EventPage) -> str:
    return event.get_url() or ""


def _tell_promoted(registration: Registration, event: EventPage) -> None:
    from portal.notifications.services import language_of, notify

    member = registration.member
    with translation.override(language_of(member)):
        title = gettext("A place opened up: you are going to %(event)s") % {"event": event.title}
        body = gettext(
            "You were on the waiting list and now have a place. If you can no longer come, "
            "please cancel so the next member can go."
        )
    notify(
        member=member,
        kind="event_place",
        title=title[:200],
        body=body,
        url=_event_url(event),
        channels=("email",),
    )


# --- Invitations ---------------------------------------------------------------------------


def audience_members(
    *, audience: str, tier=None, group=None, segment=None
) -> QuerySet:  # QuerySet of users, no profiles
    """The members an invitation round reaches: active club members (no staff, no
    superusers), all of them or those of one tier or one interest group, or the members
    of a saved segment of the cockpit (its filters as they match now)."""
    from cockpit import segments
    from portal.accounts.models import User

    if audience == Audience.SEGMENT:
        return segments.members(segment)

    members = (
        User.objects.filter(is_active=True, is_superuser=False)
        .exclude(groups__name__in=roles.STAFF_ROLES)
        .distinct()
    )
    if audience == Audience.TIER:
        return members.filter(club_tier__tier=tier)
    if audience == Audience.GROUP:
        return members.filter(group_memberships__group=group)
    return members


@transaction.atomic
def request_invitations(
    *, event: EventPage, audience: str, tier=None, group=None, segment=None, requested_by=None
) -> InvitationRound:
    """Record a round of invitations to `event` for `audience` and hand the sending to the
    Celery task once this commits (with eager tasks it has run when this returns to the
    view's caller). Raises InvitationRefused for an event that is not published or over,
    or an audience without its tier / group."""
    if audience not in Audience.values:
        raise InvitationRefused(_("Choose who to invite."))
    if audience == Audience.TIER and tier is None:
        raise InvitationRefused(_("Choose the tier to invite."))
    if audience == Audience.GROUP and group is None:
        raise InvitationRefused(_("Choose the interest group to invite."))
    if audience == Audience.SEGMENT and segment is None:
        raise InvitationRefused(_("Choose the segment to invite."))
    event = _lock(event)
    if not event.live:
        raise InvitationRefused(_("Publish the event before inviting members."))
    if event.is_past:
        raise InvitationRefused(_("This event is over."))
    invitation_round = InvitationRound.objects.create(
        event=event,
        audience=audience,
        tier=tier if audience == Audience.TIER else None,
        group=group if audience == Audience.GROUP else None,
        segment=segment if audience == Audience.SEGMENT else None,
        requested_by=requested_by,
    )
    from .tasks import send_invitations as task

    transaction.on_commit(lambda: task.delay(invitation_round.pk))
    return invitation_round


@transaction.atomic
def send_invitations(*, round_id: int) -> InvitationRound:
    """Invite the round's audience: an Invitation row for each member not yet invited to
    the event (in bulk) and one in-portal notification per new row; the e-mail copy is
    marketing, so only members who agreed to marketing e-mail get it. Idempotent: a
    finished round is returned as it is, and a member is never invited twice to an event,
    however many rounds reach them. Locks the round's row, then the event's (two rounds of
    one event run one after the other)."""
    invitation_round = (
        InvitationRound.objects.select_for_update(of=("self",))
        .select_related("tier", "group", "segment")
        .get(pk=round_id)
    )
    if invitation_round.finished_at is not None:
        return invitation_round
    event = _lock(invitation_round.event)
    already = Invitation.objects.filter(event=event).values("member_id")
    members = list(
        audience_members(
            audience=invitation_round.audience,
            tier=invitation_round.tier,
            group=invitation_round.group,
            segment=invitation_round.segment,
        )
        .exclude(pk__in=already)
        .select_related("profile")
        .order_by("pk")
    )
    now = timezone.now()
    Invitation.objects.bulk_create(
        [
            Invitation(event=event, member=member, round=invitation_round, invited_at=now)
            for member in members
        ],
        batch_size=500,
    )
    for member in members:
        _tell_invited(member, event)
    invitation_round.invited_count = len(members)
    invitation_round.finished_at = now
    invitation_round.save(update_fields=["invited_count", "finished_at"])
    return invitation_round


def _tell_invited(member, event: EventPage) -> None:
    from portal.notifications.services import language_of, notify
    from portal.shell.templatetags.club_format import jdate_with_time

    with translation.override(language_of(member)):
        title = gettext("You are invited: %(event)s") % {"event": event.title}
        body = gettext("%(when)s at %(venue)s, %(city)s. RSVP on the event's page.") % {
            "when": jdate_with_time(event.starts_at),
            "venue": event.venue,
            "city": event.city,
        }
    notify(
        member=member,
        kind="event_invitation",
        title=title[:200],
        body=body,
        url=_event_url(event),
        channels=("email",),
        marketing=True,
    )


# --- Erasure -------------------------------------------------------------------------------


def erase_member_registrations(member, keep_posts: bool) -> None:
    """Registered with portal.accounts.erasure: the erased member's places at events still
    to come are given up (the next on the waiting list move up); past registrations and
    invitations stay, pointing at the pseudonym. Idempotent."""
    now = timezone.now()
    event_ids = (
        Registration.objects.filter(member=member, status__in=ACTIVE, event__starts_at__gt=now)
        .order_by("event_id")
        .values_list("event_id", flat=True)
    )
    for event in EventPage.objects.filter(pk__in=list(event_ids)).order_by("pk"):
        cancel(event=event, member=member)
