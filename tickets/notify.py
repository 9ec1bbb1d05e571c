"""What the desk tells people, and what it pushes to open pages. tickets/services.py calls
one function here per change, inside its transaction; everything here happens only once
that transaction commits (transaction.on_commit / realtime.send_event_on_commit), so a
change that rolls back tells nobody anything.

The one rule that matters most lives here and nowhere else: an internal note never
reaches a customer — not by e-mail, SMS, notification nor socket. customer_message()
returns None for one, and every customer-facing path goes through it.

Members are told through portal.notifications.services.notify() (stored notification,
live badge, e-mail / SMS by its task). Guests have no account: tickets.tasks.send_to_guest
mails / texts them directly, each (ticket, event, channel) at most once.

Sockets (tickets/consumers.py): the desk group hears new tickets, status and assignment
changes and every message (notes flagged internal); a ticket's customer group hears its
public messages and status changes only.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext, override

from portal.accounts import roles
from portal.notifications.services import language_of
from portal.realtime import send_event_on_commit

from .models import Status, Ticket, TicketMessage

logger = logging.getLogger(__name__)

DESK_GROUP = "tickets.desk"
NOTIFICATION_KIND = "ticket"
CUSTOMER_CHANNELS = ("email", "sms")


def customer_group(ticket_id: int) -> str:
    return f"tickets.customer.{ticket_id}"


# --- Links -----------------------------------------------------------------------------


def customer_path(ticket: Ticket) -> str:
    """A member's own ticket page; a guest's way back in is the tracking page (code plus
    contact), since a link alone proves nothing."""
    if ticket.member_id:
        return reverse("tickets:detail", args=[ticket.tracking_code])
    return reverse("tickets:track")


def desk_path(ticket: Ticket) -> str:
    return reverse("tickets:desk-ticket", args=[ticket.pk])


def absolute(path: str) -> str:
    return f"{settings.WAGTAILADMIN_BASE_URL.rstrip('/')}{path}"


# --- Socket payloads (the shapes of the contract) ----------------------------------------


def author_label(message: TicketMessage) -> str:
    if message.author_id is None:
        return message.ticket.guest_name
    return message.author.display_name


def from_staff(message: TicketMessage) -> bool:
    return message.author_id is not None and message.author_id != message.ticket.member_id


def customer_message(message: TicketMessage) -> dict | None:
    """The message as a customer may see it, or None for an internal note."""
    if message.is_internal:
        return None
    staff = from_staff(message)
    return {
        "type": "message",
        "id": message.pk,
        # Customers see "Support team", not the agent's name (as on the ticket page).
        "author": gettext("Support team") if staff else author_label(message),
        "from_staff": staff,
        "body": message.body,
        "created_at": message.created_at.isoformat(),
    }


def desk_message(message: TicketMessage) -> dict:
    return {
        "type": "message",
        "ticket": message.ticket_id,
        "id": message.pk,
        "author": author_label(message),
        "from_staff": from_staff(message),
        "body": message.body,
        "internal": message.is_internal,
        "created_at": message.created_at.isoformat(),
    }


def customer_status(ticket: Ticket) -> dict:
    return {
        "type": "status",
        "status": ticket.status,
        "status_label": str(ticket.get_status_display()),
    }


def desk_ticket(ticket: Ticket, change: str) -> dict:
    """`change` says what happened: new, status, assigned or merged."""
    return {
        "type": "ticket",
        "change": change,
        "id": ticket.pk,
        "code": ticket.tracking_code,
        "subject": ticket.subject,
        "status": ticket.status,
        "status_label": str(ticket.get_status_display()),
        "assignee": ticket.assignee.display_name if ticket.assignee_id else "",
        "url": desk_path(ticket),
    }


def _after_commit(func, *args, **kwargs) -> None:
    """Run func once the transaction commits; a failure there is logged, never raised
    into the request whose change has already been saved."""
    transaction.on_commit(lambda: func(*args, **kwargs), robust=True)


def _push(group: str, build, *args) -> None:
    """After commit, send `build(*args)` (a payload above) to `group`."""

    def send():
        payload = build(*args)
        if payload is not None:
            send_event_on_commit(group, {"type": "ticket.event", "payload": payload})

    _after_commit(send)


def push_message(message: TicketMessage) -> None:
    _push(DESK_GROUP, desk_message, message)
    if not message.is_internal:
        _push(customer_group(message.ticket_id), customer_message, message)


def push_status(ticket: Ticket) -> None:
    _push(DESK_GROUP, desk_ticket, ticket, "status")
    _push(customer_group(ticket.pk), customer_status, ticket)


# --- Telling people --------------------------------------------------------------------


def _notify_user(user, *, title, body="", url="", channels=()) -> None:
    from portal.notifications.services import notify

    notify(
        member=user,
        kind=NOTIFICATION_KIND,
        title=title,
        body=body,
        url=url,
        channels=channels,
    )


def _tell_customer(ticket: Ticket, event: str, texts) -> None:
    """`texts(url)` returns (title, body, sms) in the active language. A member gets a
    notification (e-mail and SMS through notify()); a guest an e-mail and/or SMS."""
    if ticket.member_id:
        member = ticket.member
        with override(language_of(member)):
            title, body, _sms = texts(absolute(customer_path(ticket)))
        _notify_user(
            member, title=title, body=body, url=customer_path(ticket), channels=CUSTOMER_CHANNELS
        )
        return
    from .tasks import send_to_guest

    with override(ticket.language or None):
        title, body, sms = texts(absolute(customer_path(ticket)))
    send_to_guest.delay(ticket.pk, event, title, body, sms)


def _tell_staff(users, *, title_for, url: str) -> None:
    seen = set()
    for user in users:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        with override(language_of(user)):
            title = title_for()
        _notify_user(user, title=title, url=url)


def managers():
    """Active users who hold accounts.manage_club, through a role group or directly."""
    return roles.active_holders("accounts.manage_club")


# --- One function per change (called by services inside their transaction) -----------


def ticket_opened(ticket: Ticket) -> None:
    _push(DESK_GROUP, desk_ticket, ticket, "new")

    def texts(url):
        values = {"code": ticket.tracking_code, "subject": ticket.subject, "url": url}
        title = gettext("Your ticket %(code)s was received") % values
        if ticket.member_id:
            body = gettext("We received your ticket “%(subject)s”. Its tracking code is %(code)s.")
        else:
            body = gettext(
                "We received your ticket “%(subject)s”. Its tracking code is %(code)s.\n\n"
                "Follow it at %(url)s with this code and the mobile number or e-mail "
                "address you gave."
            )
        sms = gettext("Ticket received. Tracking code: %(code)s %(url)s") % values
        return title, body % values, sms

    _after_commit(_tell_customer, ticket, "opened", texts)


def reply_added(message: TicketMessage, *, status_changed: bool) -> None:
    """Push the message (a note to the desk only) and the status it caused, then tell
    the customer of a public staff reply or the assignee of a customer's reply."""
    ticket = message.ticket
    push_message(message)
    if status_changed:
        push_status(ticket)
    if message.is_internal:
        return  # never a word to the customer about a note
    if from_staff(message):
        public = customer_message(message)

        def texts(url):
            values = {"code": ticket.tracking_code, "url": url}
            title = gettext("New reply on your ticket %(code)s") % values
            body = public["body"]
            if not ticket.member_id:
                body = f"{body}\n\n" + gettext("Follow the ticket at %(url)s") % values
            sms = gettext("Your ticket %(code)s has a new reply: %(url)s") % values
            return title, body, sms

        _after_commit(_tell_customer, ticket, f"reply.{message.pk}", texts)
    elif ticket.assignee_id:
        name = ticket.customer_name

        def title_for():
            return gettext("%(name)s replied on ticket %(code)s") % {
                "name": name,
                "code": ticket.tracking_code,
            }

        _after_commit(_tell_staff, [ticket.assignee], title_for=title_for, url=desk_path(ticket))


def status_changed(ticket: Ticket) -> None:
    push_status(ticket)
    if ticket.status != Status.RESOLVED:
        return
    event = f"resolved.{ticket.status_changed_at.timestamp():.6f}"

    def texts(url):
        values = {"code": ticket.tracking_code, "url": url}
        title = gettext("Ticket %(code)s was resolved: please rate our help") % values
        body = gettext("How did we do? Rate the ticket from 1 to 5 on its page.")
        if not ticket.member_id:
            body = f"{body}\n\n{url}"
        sms = gettext("Ticket %(code)s was resolved. Please rate our help: %(url)s") % values
        return title, body, sms

    _after_commit(_tell_customer, ticket, event, texts)


def assigned(ticket: Ticket, *, actor) -> None:
    _push(DESK_GROUP, desk_ticket, ticket, "assigned")
    assignee = ticket.assignee
    if assignee is None or (actor is not None and actor.pk == assignee.pk):
        return

    def title_for():
        return gettext("Ticket %(code)s was assigned to you: %(subject)s") % {
            "code": ticket.tracking_code,
            "subject": ticket.subject,
        }

    _after_commit(_tell_staff, [assignee], title_for=title_for, url=desk_path(ticket))


def merged(duplicate: Ticket, into: Ticket) -> None:
    _push(DESK_GROUP, desk_ticket, duplicate, "merged")
    _push(customer_group(duplicate.pk), customer_status, duplicate)

    def texts(url):
        values = {"code": duplicate.tracking_code, "into": into.tracking_code, "url": url}
        title = gettext("Ticket %(code)s continues as %(into)s") % values
        body = gettext(
            "Your ticket %(code)s was merged with ticket %(into)s about the same matter. "
            "The conversation continues under %(into)s; your replies to %(code)s reach it too."
        )
        sms = gettext("Ticket %(code)s now continues as %(into)s.") % values
        return title, body % values, sms

    _after_commit(_tell_customer, duplicate, f"merged.{into.pk}", texts)


def sla_breached(ticket: Ticket, *, clock: str, managers_now=None) -> None:
    """The breach job found an overdue clock: tell the assignee and every club manager
    (`managers_now`: the list, when the caller fetched it once for many tickets)."""

    def title_for():
        values = {"code": ticket.tracking_code}
        if clock == "first_response":
            return gettext("SLA breached: ticket %(code)s has had no first response in time") % (
                values
            )
        return gettext("SLA breached: ticket %(code)s was not resolved in time") % values

    def tell():
        staff = managers() if managers_now is None else managers_now
        _tell_staff([ticket.assignee, *staff], title_for=title_for, url=desk_path(ticket))

    _after_commit(tell)
