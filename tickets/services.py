"""Every change of a ticket. Views, the public tracking page, tasks and admin call these.

Each function runs in one transaction, locks the ticket row it changes
(SELECT ... FOR UPDATE; merge locks both tickets in primary-key order) and records a
TicketEvent with the change, so the history is never missing a step.

Errors:
- django's ValidationError for bad input (keyed by field where there is one), which a
  form shows as it is;
- TicketError (a ValueError) subclasses for a change the ticket's state forbids, each
  with a stable `code` and a message for people;
- PermissionDenied when the author of a reply is neither the ticket's customer nor an
  agent.
"""

from datetime import datetime, timedelta
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from gamification.tiers import current_tier
from portal.accounts.mobile import normalize_mobile
from portal.shell.errors import CodedError

from . import codes, notify, sla
from .models import (
    BusinessHours,
    Category,
    EventKind,
    Holiday,
    Kind,
    Priority,
    SLATarget,
    Status,
    Ticket,
    TicketEvent,
    TicketMessage,
)

AGENT_PERMISSION = "accounts.answer_tickets"
CODE_ATTEMPTS = 8

# Which status may follow which. Changes a person asks for (change_status) and the ones a
# reply causes (add_reply) both go through this table.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset({Status.OPEN, Status.WAITING, Status.RESOLVED, Status.CLOSED}),
    Status.OPEN: frozenset({Status.WAITING, Status.RESOLVED, Status.CLOSED}),
    Status.WAITING: frozenset({Status.OPEN, Status.RESOLVED, Status.CLOSED}),
    Status.RESOLVED: frozenset({Status.CLOSED, Status.REOPENED}),
    Status.CLOSED: frozenset({Status.REOPENED}),
    Status.REOPENED: frozenset({Status.OPEN, Status.WAITING, Status.RESOLVED, Status.CLOSED}),
}


class TicketError(CodedError, ValueError):
    """A change the ticket's state forbids. `code` is stable; `message` is for people."""

    code = "ticket_error"
    default_message = _("This ticket cannot be changed that way.")


class InvalidTransition(TicketError):
    code = "invalid_transition"

    def __init__(self, from_status: str, to_status: str):
        self.from_status, self.to_status = from_status, to_status
        super().__init__(
            _("A ticket that is %(current)s cannot become %(target)s.")
            % {"current": Status(from_status).label, "target": Status(to_status).label}
        )


class TicketClosed(TicketError):
    code = "ticket_closed"
    default_message = _(
        "This ticket is closed and takes no more replies. Please file a new one if needed."
    )


class TicketMerged(TicketError):
    code = "ticket_merged"
    default_message = _("This ticket was merged into another one; please change that one.")


class InvalidMerge(TicketError):
    code = "invalid_merge"
    default_message = _("These tickets cannot be merged.")


class NotAnAgent(TicketError):
    code = "not_an_agent"
    default_message = _("Tickets can only be assigned to support agents.")


class InternalNoteRefused(TicketError):
    code = "internal_note_refused"
    default_message = _("Only staff can add internal notes.")


# --- Helpers ---------------------------------------------------------------------------


class DeskCalendar(NamedTuple):
    """When SLA clocks run: the weekly windows and the holidays."""

    hours: list[tuple[int, object, object]]
    closed_dates: frozenset

    def due(self, start: datetime, minutes: int) -> datetime:
        # With no business hours set, SLAs count calendar time rather than never running.
        if not self.hours:
            return start + timedelta(minutes=minutes)
        return sla.add_business_minutes(start, minutes, self.hours, closed_dates=self.closed_dates)

    def minutes_between(self, start: datetime, stop: datetime) -> float:
        """Business minutes (calendar minutes with no business hours set)."""
        if not self.hours:
            return (stop - start).total_seconds() / 60
        return sla.business_minutes_between(start, stop, self.hours, closed_dates=self.closed_dates)


def desk_calendar() -> DeskCalendar:
    return DeskCalendar(
        hours=list(BusinessHours.objects.values_list("weekday", "opens", "closes")),
        closed_dates=frozenset(Holiday.objects.values_list("date", flat=True)),
    )


def sla_target(*, priority: str, category: Category) -> SLATarget | None:
    """The category's own target for the priority, else the general one, else None."""
    targets = SLATarget.objects.filter(
        Q(category=category) | Q(category__isnull=True), priority=priority
    )
    return min(targets, key=lambda t: t.category_id is None, default=None)


def _clock(ticket: Ticket, stop: datetime) -> tuple[float, float]:
    """(calendar, business) minutes from filing to `stop`: what a stopped clock ran."""
    calendar = (stop - ticket.created_at).total_seconds() / 60
    return calendar, desk_calendar().minutes_between(ticket.created_at, stop)


def _set_sla_dues(ticket: Ticket) -> None:
    target = sla_target(priority=ticket.priority, category=ticket.category)
    if target is None:
        ticket.sla_first_response_due = ticket.sla_resolution_due = None
        return
    calendar = desk_calendar()
    ticket.sla_first_response_due = calendar.due(ticket.created_at, target.first_response_minutes)
    ticket.sla_resolution_due = calendar.due(ticket.created_at, target.resolution_minutes)


def _lock(ticket: Ticket) -> None:
    """Lock the ticket's row and refresh the instance from it (so the caller's object is
    the one that changes)."""
    ticket.refresh_from_db(from_queryset=Ticket.objects.select_for_update())


def record_event(ticket: Ticket, *, kind: str, actor, at: datetime, **detail) -> TicketEvent:
    from_status = detail.pop("from_status", "")
    to_status = detail.pop("to_status", "")
    return TicketEvent.objects.create(
        ticket=ticket,
        actor=actor,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        detail=detail,
        created_at=at,
    )


def _transition(ticket: Ticket, to: str, *, actor, at: datetime) -> None:
    """Move a locked ticket to `to` through TRANSITIONS, keep its timestamps in step and
    record the event. The caller saves the ticket."""
    current = ticket.status
    if to not in TRANSITIONS[current]:
        raise InvalidTransition(current, to)
    ticket.status = to
    ticket.status_changed_at = at
    if to == Status.RESOLVED:
        ticket.resolved_at = at
        ticket.resolution_minutes, ticket.resolution_business_minutes = _clock(ticket, at)
    elif to == Status.CLOSED:
        ticket.closed_at = at
    elif to == Status.REOPENED:
        ticket.resolved_at = ticket.closed_at = None
        ticket.resolution_minutes = ticket.resolution_business_minutes = None
    record_event(
        ticket, kind=EventKind.STATUS, actor=actor, at=at, from_status=current, to_status=to
    )


PRIORITY_RANK = {p: rank for rank, p in enumerate(Priority.values)}  # low ... urgent


def _tier_priority(member, priority: str) -> str:
    """VIP support (DESIGN.md): a member's tier may file their tickets at least as urgent
    as its `ticket_priority`; a higher priority asked for is kept."""
    tier = current_tier(member)
    floor = tier.ticket_priority if tier else ""
    return max(priority, floor or priority, key=PRIORITY_RANK.__getitem__)


def _filing_language() -> str:
    """The active language if the club offers it (a guest's messages follow it)."""
    language = (get_language() or "").split("-")[0]
    return language if language in dict(settings.LANGUAGES) else ""


def _is_agent(user) -> bool:
    return user is not None and user.is_active and user.has_perm(AGENT_PERMISSION)


# --- Filing ----------------------------------------------------------------------------


def _clean_contact(
    *, member, guest_name: str, guest_mobile: str, guest_email: str
) -> tuple[str, str, str]:
    guest_name, guest_mobile = guest_name.strip(), guest_mobile.strip()
    guest_email = guest_email.strip().lower()
    errors: dict[str, list] = {}
    if guest_mobile:
        try:
            guest_mobile = normalize_mobile(guest_mobile)
        except ValidationError as exc:
            errors["guest_mobile"] = exc.error_list
    if guest_email:
        try:
            validate_email(guest_email)
        except ValidationError as exc:
            errors["guest_email"] = exc.error_list
    if member is None:
        if not guest_name:
            errors["guest_name"] = [ValidationError(_("Please give your name."), code="required")]
        if not (guest_mobile or guest_email):
            errors["guest_mobile"] = [
                ValidationError(
                    _("Please give a mobile number or an e-mail address to follow the ticket."),
                    code="required",
                )
            ]
    if errors:
        raise ValidationError(errors)
    return guest_name, guest_mobile, guest_email


def open_ticket(
    *,
    kind: str,
    category: Category,
    subject: str,
    description: str,
    member=None,
    guest_name: str = "",
    guest_mobile: str = "",
    guest_email: str = "",
    branch=None,
    priority: str = Priority.NORMAL,
    actor=None,
) -> Ticket:
    """File a ticket for a member, or for a guest who gives a name and a mobile number or
    e-mail address (the mobile is stored in E.164). `actor` is the agent filing for a caller
    on the phone; it defaults to the member. The ticket gets a fresh tracking code (a new
    one is drawn if the unique constraint finds a collision), SLA dues from the matching
    SLATarget counted in business hours, and an "opened" event. Raises ValidationError,
    with nothing saved, for bad input."""
    guest_name, guest_mobile, guest_email = _clean_contact(
        member=member, guest_name=guest_name, guest_mobile=guest_mobile, guest_email=guest_email
    )
    subject, description = subject.strip(), description.strip()
    errors = {}
    if kind not in Kind.values:
        errors["kind"] = _("Choose a kind of ticket.")
    if not category.is_active:
        errors["category"] = _("This category is no longer in use; please choose another.")
    if priority not in Priority.values:
        errors["priority"] = _("Choose a priority.")
    if not subject:
        errors["subject"] = _("Please give a subject.")
    if not description:
        errors["description"] = _("Please describe the problem or suggestion.")
    if errors:
        raise ValidationError(errors)

    if member is not None:
        priority = _tier_priority(member, priority)
    with transaction.atomic():
        ticket = Ticket(
            kind=kind,
            category=category,
            branch=branch,
            member=member,
            guest_name=guest_name,
            guest_mobile=guest_mobile,
            guest_email=guest_email,
            subject=subject,
            description=description,
            priority=priority,
            language=_filing_language(),
            created_at=timezone.now(),
        )
        _set_sla_dues(ticket)
        for attempt in range(CODE_ATTEMPTS):
            ticket.tracking_code = codes.new_code()
            try:
                # A savepoint, so a collision leaves the outer transaction usable.
                with transaction.atomic():
                    ticket.save(force_insert=True)
                break
            except IntegrityError:
                collided = Ticket.objects.filter(tracking_code=ticket.tracking_code).exists()
                if not collided or attempt == CODE_ATTEMPTS - 1:
                    raise
                ticket.pk = None
        record_event(
            ticket,
            kind=EventKind.OPENED,
            actor=actor or member,
            at=ticket.created_at,
            to_status=Status.NEW,
        )
        # The code to the customer (SMS / e-mail) and the new ticket to the desk, on commit.
        notify.ticket_opened(ticket)
    return ticket


# --- Replies ---------------------------------------------------------------------------


def add_reply(*, ticket: Ticket, author, body: str, internal: bool = False) -> TicketMessage:
    """Add a message. `author` None is the guest who filed the ticket; the ticket's member
    is its customer; anyone else must be an active agent (PermissionDenied otherwise).

    - An agent's first public reply sets first_response_at (once) and moves a new or
      reopened ticket to open. Internal notes change neither.
    - A customer's reply moves a waiting ticket to open and a resolved one to reopened;
      a closed ticket takes none (TicketClosed), and customers add no internal notes.
    - A reply to a merged duplicate goes to the ticket it was merged into.
    Returns the message; `ticket` is refreshed from the locked row."""
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Please write a message.")})
    now = timezone.now()
    with transaction.atomic():
        _lock(ticket)
        if ticket.merged_into_id:
            ticket = Ticket.objects.get(pk=ticket.merged_into_id)
            _lock(ticket)
        from_customer = author is None or author.pk == ticket.member_id
        if not from_customer and not _is_agent(author):
            raise PermissionDenied
        if from_customer and internal:
            raise InternalNoteRefused
        if from_customer and ticket.status == Status.CLOSED:
            raise TicketClosed

        message = TicketMessage.objects.create(
            ticket=ticket, author=author, is_internal=internal, body=body, created_at=now
        )
        record_event(
            ticket,
            kind=EventKind.NOTE if internal else EventKind.REPLY,
            actor=author,
            at=now,
            message=message.pk,
        )
        if from_customer:
            follow = {Status.WAITING: Status.OPEN, Status.RESOLVED: Status.REOPENED}
        elif not internal:
            follow = {Status.NEW: Status.OPEN, Status.REOPENED: Status.OPEN}
            if ticket.first_response_at is None:
                ticket.first_response_at = now
                clock = _clock(ticket, now)
                ticket.first_response_minutes, ticket.first_response_business_minutes = clock
        else:
            follow = {}
        if ticket.status in follow:
            _transition(ticket, follow[ticket.status], actor=author, at=now)
        ticket.save()
        # After commit: the message to the desk (and, if public, to the customer's page and
        # the customer); a customer's reply to the assignee.
        notify.reply_added(message, status_changed=ticket.status_changed_at == now)
    return message


# --- Desk actions ----------------------------------------------------------------------


def change_status(*, ticket: Ticket, to: str, actor) -> Ticket:
    """Move the ticket to status `to` if TRANSITIONS allows it (InvalidTransition if not;
    TicketMerged for a merged duplicate). Asking for the current status changes and records
    nothing, so a form sent twice is harmless."""
    if to not in Status.values:
        raise ValidationError({"status": _("Choose a status.")})
    with transaction.atomic():
        _lock(ticket)
        if ticket.merged_into_id:
            raise TicketMerged
        if ticket.status == to:
            return ticket
        _transition(ticket, to, actor=actor, at=timezone.now())
        ticket.save()
        # After commit: live status; on resolved, the customer is asked for a rating.
        notify.status_changed(ticket)
    return ticket


def assign(*, ticket: Ticket, assignee, actor) -> Ticket:
    """Give the ticket to `assignee` (an active agent, else NotAnAgent), or to nobody with
    None. The same assignee again changes and records nothing."""
    if assignee is not None and not _is_agent(assignee):
        raise NotAnAgent
    with transaction.atomic():
        _lock(ticket)
        if ticket.assignee_id == (assignee.pk if assignee else None):
            return ticket
        previous = ticket.assignee_id
        ticket.assignee = assignee
        ticket.save(update_fields=["assignee"])
        record_event(
            ticket,
            kind=EventKind.ASSIGNED,
            actor=actor,
            at=timezone.now(),
            previous=previous,
            assignee=ticket.assignee_id,
        )
        notify.assigned(ticket, actor=actor)  # after commit: desk queue, new assignee
    return ticket


def set_priority(*, ticket: Ticket, priority: str, actor) -> Ticket:
    """Change the priority and recompute the SLA dues from the ticket's creation under the
    new priority's target. The same priority again changes and records nothing."""
    if priority not in Priority.values:
        raise ValidationError({"priority": _("Choose a priority.")})
    with transaction.atomic():
        _lock(ticket)
        if ticket.priority == priority:
            return ticket
        previous = ticket.priority
        ticket.priority = priority
        _set_sla_dues(ticket)
        ticket.save(update_fields=["priority", "sla_first_response_due", "sla_resolution_due"])
        record_event(
            ticket,
            kind=EventKind.PRIORITY,
            actor=actor,
            at=timezone.now(),
            previous=previous,
            priority=priority,
        )
    return ticket


def merge(*, duplicate: Ticket, into: Ticket, actor) -> Ticket:
    """Merge `duplicate` into `into`: the duplicate is closed and points at `into` (so
    its customer's replies land there), tickets merged earlier into the duplicate now point
    at `into` too, and both histories record it. Locks both tickets in primary-key order.
    InvalidMerge for a ticket merged with itself, an already merged one on either side, or
    a closed target. Returns `into`."""
    if duplicate.pk == into.pk:
        raise InvalidMerge(_("A ticket cannot be merged into itself."))
    now = timezone.now()
    with transaction.atomic():
        for ticket in sorted((duplicate, into), key=lambda t: t.pk):
            _lock(ticket)
        if duplicate.merged_into_id or into.merged_into_id:
            raise InvalidMerge(_("One of these tickets was already merged into another."))
        if into.status == Status.CLOSED:
            raise InvalidMerge(_("A ticket cannot be merged into a closed one."))
        if duplicate.status != Status.CLOSED:
            _transition(duplicate, Status.CLOSED, actor=actor, at=now)
        duplicate.merged_into = into
        duplicate.save()
        Ticket.objects.filter(merged_into=duplicate).update(merged_into=into)
        record_event(duplicate, kind=EventKind.MERGED_INTO, actor=actor, at=now, into=into.pk)
        record_event(into, kind=EventKind.MERGED_FROM, actor=actor, at=now, duplicate=duplicate.pk)
        # After commit: tell the duplicate's customer where the conversation continues.
        notify.merged(duplicate, into)
    return into


# --- Files and ratings -----------------------------------------------------------------


class AlreadyRated(TicketError):
    code = "already_rated"
    default_message = _("This ticket has already been rated. Thank you!")


class NotRatable(TicketError):
    code = "not_ratable"
    default_message = _("A ticket can be rated once it is resolved.")


def attach(*, ticket: Ticket, uploaded_by, upload, internal: bool = False, message=None):
    """Check `upload` with tickets/attachments.py (size, count per ticket, type from the
    bytes, pictures re-encoded) and store it on the ticket, or on `message` of the ticket.
    `uploaded_by` None is the guest who filed the ticket; the ticket's member is its
    customer; anyone else must be an active agent (PermissionDenied). A file on an
    internal note is internal. The customer adds no files to a closed ticket
    (TicketClosed) and no internal ones (InternalNoteRefused); a file for a merged
    duplicate goes to the ticket it was merged into. ValidationError({"file": ...}) for a
    refused file, with nothing saved. Records an "attachment" event."""
    from . import attachments
    from .models import TicketAttachment

    with transaction.atomic():
        _lock(ticket)
        if ticket.merged_into_id and message is None:
            ticket = Ticket.objects.get(pk=ticket.merged_into_id)
            _lock(ticket)
        if message is not None:
            if message.ticket_id not in (ticket.pk, ticket.merged_into_id):
                raise ValueError("the message belongs to another ticket")
            if message.ticket_id != ticket.pk:
                ticket = Ticket.objects.get(pk=message.ticket_id)
                _lock(ticket)
            internal = internal or message.is_internal
        from_customer = uploaded_by is None or uploaded_by.pk == ticket.member_id
        if not from_customer and not _is_agent(uploaded_by):
            raise PermissionDenied
        if from_customer and internal:
            raise InternalNoteRefused
        if from_customer and ticket.status == Status.CLOSED:
            raise TicketClosed
        checked = attachments.check(upload, ticket=ticket)
        now = timezone.now()
        attachment = TicketAttachment.objects.create(
            ticket=ticket,
            message=message,
            uploaded_by=uploaded_by,
            is_internal=internal,
            file=checked.content,
            name=checked.name,
            content_type=checked.content_type,
            size=checked.size,
            created_at=now,
        )
        record_event(
            ticket,
            kind=EventKind.ATTACHMENT,
            actor=uploaded_by,
            at=now,
            attachment=attachment.pk,
            name=attachment.name,
            internal=internal,
        )
    return attachment


def can_rate(ticket: Ticket) -> bool:
    """Resolved, or closed after a resolution (a merged duplicate was never resolved)."""
    if ticket.merged_into_id:
        return False
    return ticket.status == Status.RESOLVED or (
        ticket.status == Status.CLOSED and ticket.resolved_at is not None
    )


def rate(*, ticket: Ticket, score, comment: str = ""):
    """The customer's one rating, 1 to 5 with an optional comment, of a ticket that is
    resolved or closed after a resolution (NotRatable otherwise; AlreadyRated for a second
    one). The rating credits the ticket's assignee at this moment. Records a "rated"
    event."""
    from .models import SatisfactionRating

    errors = {}
    try:
        score = int(str(score).strip())  # "2.5" or 2.5 is no score, not 2
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        errors["score"] = _("Choose a rating from 1 to 5.")
    comment = (comment or "").strip()
    if len(comment) > 2000:
        errors["comment"] = _("Please keep the comment under 2000 characters.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        _lock(ticket)
        if SatisfactionRating.objects.filter(ticket=ticket).exists():
            raise AlreadyRated
        if not can_rate(ticket):
            raise NotRatable
        now = timezone.now()
        try:
            with transaction.atomic():
                rating = SatisfactionRating.objects.create(
                    ticket=ticket,
                    score=score,
                    comment=comment,
                    agent_id=ticket.assignee_id,
                    created_at=now,
                )
        except IntegrityError as exc:
            raise AlreadyRated from exc
        record_event(
            ticket,
            kind=EventKind.RATED,
            actor=ticket.member if ticket.member_id else None,
            at=now,
            rating=rating.pk,
            score=score,
        )
    return rating
