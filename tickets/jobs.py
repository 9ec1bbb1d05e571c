"""The desk's scheduled jobs (thin Celery wrappers in tickets/tasks.py). Both are safe to
run twice at once or again after a crash: every change is decided under a row lock or a
conditional UPDATE, one ticket per transaction."""

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from . import notify, services
from .models import DeskSettings, EventKind, Status, Ticket

logger = logging.getLogger(__name__)

# clock name -> (due field, done field, breach stamp)
CLOCKS = {
    "first_response": ("sla_first_response_due", "first_response_at", "first_response_breached_at"),
    "resolution": ("sla_resolution_due", "resolved_at", "resolution_breached_at"),
}
FINISHED = (Status.RESOLVED, Status.CLOSED)


def close_waiting(*, now: datetime | None = None) -> int:
    """Close every ticket that has been waiting on the customer for longer than
    DeskSettings.waiting_auto_close_hours, through services.change_status (actor None: the
    system), each in its own transaction. A ticket the customer answered meanwhile is no
    longer waiting once its row is locked, and is left alone. Returns how many closed."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=DeskSettings.load().waiting_auto_close_hours)
    due = Ticket.objects.filter(status=Status.WAITING, status_changed_at__lt=cutoff)
    closed = 0
    for pk in list(due.values_list("pk", flat=True)):
        try:
            with transaction.atomic():
                ticket = due.select_for_update().filter(pk=pk).first()
                if ticket is None:
                    continue
                services.change_status(ticket=ticket, to=Status.CLOSED, actor=None)
        except services.TicketError:
            logger.exception("could not auto-close ticket %s", pk)
            continue
        closed += 1
    return closed


def flag_breaches(*, now: datetime | None = None) -> int:
    """Stamp each overdue SLA clock of an unfinished ticket once (first response due and
    not answered; resolution due and not resolved), record an sla_breach event and tell
    the assignee and the club managers. The stamp is set by a conditional UPDATE
    ... WHERE <stamp> IS NULL, so of two runs at once only one flags and notifies.
    Returns how many clocks were flagged."""
    now = now or timezone.now()
    unfinished = Ticket.objects.exclude(status__in=FINISHED).filter(merged_into__isnull=True)
    flagged = 0
    managers = None  # fetched once, when the first clock is flagged
    for clock, (due, done, stamp) in CLOCKS.items():
        overdue = unfinished.filter(
            **{f"{due}__lt": now, f"{done}__isnull": True, f"{stamp}__isnull": True}
        )
        for pk in list(overdue.values_list("pk", flat=True)):
            with transaction.atomic():
                if not overdue.filter(pk=pk).update(**{stamp: now}):
                    continue  # answered, finished or flagged by another run meanwhile
                ticket = Ticket.objects.select_related("assignee__profile").get(pk=pk)
                services.record_event(
                    ticket, kind=EventKind.SLA_BREACH, actor=None, at=now, clock=clock
                )
                if managers is None:
                    managers = list(notify.managers())
                notify.sla_breached(ticket, clock=clock, managers_now=managers)
            flagged += 1
    return flagged
