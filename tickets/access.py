"""Who may see a ticket as its customer. One rule for every customer-facing view, file
download and WebSocket: the logged-in member who filed it, or a browser whose session has
proven the ticket's tracking code and contact on the tracking page (grant()). Staff see
tickets through the desk, never through these checks."""

from .models import Ticket

SESSION_KEY = "tickets_tracked"
MAX_TRACKED = 20


def grant(session, ticket: Ticket) -> None:
    """Remember in the session that its holder proved the code and contact of `ticket`
    (the newest MAX_TRACKED are kept)."""
    tracked = [pk for pk in session.get(SESSION_KEY, []) if pk != ticket.pk]
    session[SESSION_KEY] = [ticket.pk, *tracked][:MAX_TRACKED]


def tracked_ids(session) -> list[int]:
    return list(session.get(SESSION_KEY, [])) if session is not None else []


def is_customer(user, session, ticket: Ticket) -> bool:
    """True for the ticket's member, or a session that proved the ticket with grant()."""
    if ticket.member_id is not None and user is not None and user.is_authenticated:
        if user.pk == ticket.member_id:
            return True
    return ticket.pk in tracked_ids(session)
