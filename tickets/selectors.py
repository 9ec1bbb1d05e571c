"""What the staff desk reads: the queue (filtered, searched, sorted, with everything a row
shows in one query), the state of a ticket's SLA clocks, and a ticket's history in words.

SLA clocks. The first-response clock runs from filing until the first public reply of an
agent (first_response_at); then the resolution clock runs until the ticket is resolved or
closed. A ticket is *breached* when the breach job flagged either clock, a first response
came after its due time, or the running clock's due time has passed (or, once finished, it
was resolved after its resolution due time); *near* when not breached and the running
clock is due within DeskSettings.near_breach_minutes; *met* when finished on time; *ok*
otherwise; *none* when it has no SLA at all. `sla_state` says this for one ticket in
Python and `breached_q` / `near_q` say the same in SQL, so the queue's filter and its "time left"
column never disagree."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Case, DateTimeField, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Replace
from django.utils import timezone
from django.utils.translation import gettext

from portal.accounts import roles
from portal.shell.templatetags.club_format import grouped

from . import codes
from .models import DeskSettings, EventKind, Priority, Status, Ticket

FINISHED = (Status.RESOLVED, Status.CLOSED)
FIRST_RESPONSE = "first_response"
RESOLUTION = "resolution"

OK, NEAR, BREACHED, MET, NONE = "ok", "near", "breached", "met", "none"

PRIORITY_RANK = {
    Priority.URGENT: 0,
    Priority.HIGH: 1,
    Priority.NORMAL: 2,
    Priority.LOW: 3,
}


# --- Durations in words -----------------------------------------------------------------


def duration_text(span: timedelta) -> str:
    """`2 h 5 min`, `40 min`, `3 d 4 h` in the active language (digits too)."""
    minutes = int(abs(span).total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return gettext("%(days)s d %(hours)s h") % {"days": grouped(days), "hours": grouped(hours)}
    if hours:
        return gettext("%(hours)s h %(minutes)s min") % {
            "hours": grouped(hours),
            "minutes": grouped(minutes),
        }
    return gettext("%(minutes)s min") % {"minutes": grouped(minutes)}


# --- SLA state ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SLAState:
    """One ticket's SLA at `now`. `clock` is the running clock (FIRST_RESPONSE,
    RESOLUTION) or "" once the ticket is finished; `due` its due time (the resolution due
    time for a finished ticket); `left` the wall-clock time until `due` (negative:
    overdue; None when nothing runs or nothing is due); `state` one of ok, near,
    breached, met, none."""

    clock: str
    due: datetime | None
    left: timedelta | None
    state: str

    @property
    def is_overdue(self) -> bool:
        return self.left is not None and self.left <= timedelta()

    @property
    def text(self) -> str:
        """ "2 h 5 min left", "overdue by 40 min", or a word for a stopped clock."""
        if self.left is not None:
            if self.is_overdue:
                return gettext("overdue by %(duration)s") % {"duration": duration_text(self.left)}
            return gettext("%(duration)s left") % {"duration": duration_text(self.left)}
        if self.state == MET:
            return gettext("SLA met")
        if self.state == BREACHED:
            return gettext("SLA breached")
        return gettext("no SLA")

    @property
    def clock_label(self) -> str:
        if self.clock == FIRST_RESPONSE:
            return gettext("first response")
        if self.clock == RESOLUTION:
            return gettext("resolution")
        return ""


def _finished_at(ticket: Ticket) -> datetime | None:
    return ticket.resolved_at or ticket.closed_at


def is_breached(ticket: Ticket, now: datetime) -> bool:
    """The Python twin of `breached_q`."""
    if ticket.first_response_breached_at or ticket.resolution_breached_at:
        return True
    first_due, resolution_due = ticket.sla_first_response_due, ticket.sla_resolution_due
    if ticket.first_response_at and first_due and ticket.first_response_at > first_due:
        return True
    if ticket.status in FINISHED:
        end = _finished_at(ticket)
        return bool(resolution_due and end and end > resolution_due)
    if ticket.first_response_at is None and first_due and first_due <= now:
        return True
    return bool(resolution_due and resolution_due <= now)


def sla_state(ticket: Ticket, now: datetime, near_minutes: int) -> SLAState:
    """The state of the ticket's SLA at `now` (see the module's docstring)."""
    breached = is_breached(ticket, now)
    if ticket.status in FINISHED:
        due = ticket.sla_resolution_due
        if breached:
            state = BREACHED
        else:
            state = MET if due else NONE
        return SLAState(clock="", due=due, left=None, state=state)
    if ticket.first_response_at is None:
        clock, due = FIRST_RESPONSE, ticket.sla_first_response_due
    else:
        clock, due = RESOLUTION, ticket.sla_resolution_due
    left = due - now if due else None
    if breached:
        state = BREACHED
    elif due is None:
        state = NONE
    elif due <= now + timedelta(minutes=near_minutes):
        state = NEAR
    else:
        state = OK
    return SLAState(clock=clock, due=due, left=left, state=state)


@dataclass(frozen=True)
class Clock:
    """One SLA clock of a ticket for its page: due time, when it stopped, and the state."""

    label: str
    due: datetime | None
    stopped_at: datetime | None
    breached_at: datetime | None
    left: timedelta | None
    state: str

    @property
    def text(self) -> str:
        return SLAState(clock="", due=self.due, left=self.left, state=self.state).text


def sla_clocks(ticket: Ticket, now: datetime, near_minutes: int) -> list[Clock]:
    """Both clocks of a ticket, each with its own state, for the ticket's page."""
    finished = ticket.status in FINISHED
    near = now + timedelta(minutes=near_minutes)
    end = _finished_at(ticket) if finished else None
    clocks = []
    for label, due, stopped_at, flagged in (
        (
            gettext("First response"),
            ticket.sla_first_response_due,
            ticket.first_response_at or end,
            ticket.first_response_breached_at,
        ),
        (
            gettext("Resolution"),
            ticket.sla_resolution_due,
            end,
            ticket.resolution_breached_at,
        ),
    ):
        left = None
        if stopped_at is not None:
            late = bool(due and stopped_at > due)
            state = BREACHED if flagged or late else (MET if due else NONE)
        elif due is None:
            state = BREACHED if flagged else NONE
        else:
            left = due - now
            if flagged or due <= now:
                state = BREACHED
            elif due <= near:
                state = NEAR
            else:
                state = OK
        clocks.append(
            Clock(
                label=label,
                due=due,
                stopped_at=stopped_at,
                breached_at=flagged,
                left=left,
                state=state,
            )
        )
    return clocks


def breached_q(now: datetime) -> Q:
    """Tickets whose SLA is breached at `now`, in SQL (the twin of is_breached)."""
    finished = Q(status__in=FINISHED)
    return (
        Q(first_response_breached_at__isnull=False)
        | Q(resolution_breached_at__isnull=False)
        | Q(first_response_at__gt=F("sla_first_response_due"))
        | (finished & Q(resolved_at__gt=F("sla_resolution_due")))
        | (finished & Q(resolved_at__isnull=True) & Q(closed_at__gt=F("sla_resolution_due")))
        | (~finished & Q(first_response_at__isnull=True, sla_first_response_due__lte=now))
        | (~finished & Q(sla_resolution_due__lte=now))
    )


def near_q(now: datetime, near_minutes: int) -> Q:
    """Tickets not breached whose running clock is due within `near_minutes`."""
    soon = now + timedelta(minutes=near_minutes)
    running = Q(first_response_at__isnull=True, sla_first_response_due__lte=soon) | Q(
        first_response_at__isnull=False, sla_resolution_due__lte=soon
    )
    return ~Q(status__in=FINISHED) & running & ~breached_q(now)


# --- The queue ----------------------------------------------------------------------------


def _priority_rank():
    return Case(
        *(When(priority=priority, then=Value(rank)) for priority, rank in PRIORITY_RANK.items()),
        default=Value(len(PRIORITY_RANK)),
        output_field=IntegerField(),
    )


def _running_due():
    return Case(
        When(status__in=FINISHED, then=Value(None)),
        When(first_response_at__isnull=True, then=F("sla_first_response_due")),
        default=F("sla_resolution_due"),
        output_field=DateTimeField(),
    )


SORTS = {
    "newest": ("-created_at", "-pk"),
    "oldest": ("created_at", "pk"),
    "priority": (F("priority_rank").asc(), "created_at", "pk"),
    "sla": (F("running_due").asc(nulls_last=True), "created_at", "pk"),
}


def search_q(text: str) -> Q | None:
    """A tracking code in any spelling (`k7rf 9mxd`, Persian digits, ...) or part of one,
    or words that all appear in the subject."""
    text = text.strip()
    if not text:
        return None
    words = Q()
    for word in text.split():
        words &= Q(subject__icontains=word)
    compact = codes.normalise(text)
    if len(compact) >= 4 and all(ch in codes.ALPHABET for ch in compact):
        return words | Q(compact_code__contains=compact)
    return words


def queue(*, user, filters: dict, now: datetime | None = None) -> QuerySet:
    """The desk's queue for `user` under `filters` (QueueFilterForm's cleaned data; a
    missing or empty value means no filter): status ("" = everything not closed, "all"),
    kind, category, branch, priority, assigned (me / unassigned / ""), sla (breached /
    near / ""), q, sort (newest, oldest, priority, sla). Every row's category, branch,
    assignee and member come in the same query."""
    now = now or timezone.now()
    tickets = Ticket.objects.select_related(
        "category", "branch", "assignee__profile", "member__profile"
    )
    status = filters.get("status") or ""
    if status == "all":
        pass
    elif status:
        tickets = tickets.filter(status=status)
    else:
        tickets = tickets.exclude(status=Status.CLOSED)
    for field in ("kind", "category", "branch", "priority"):
        value = filters.get(field)
        if value:
            tickets = tickets.filter(**{field: value})
    assigned = filters.get("assigned")
    if assigned == "me":
        tickets = tickets.filter(assignee=user)
    elif assigned == "unassigned":
        tickets = tickets.filter(assignee__isnull=True)
    sla = filters.get("sla")
    if sla == BREACHED:
        tickets = tickets.filter(breached_q(now))
    elif sla == NEAR:
        tickets = tickets.filter(near_q(now, DeskSettings.load().near_breach_minutes))
    found = search_q(filters.get("q") or "")
    if found is not None:
        tickets = tickets.annotate(
            compact_code=Replace(F("tracking_code"), Value("-"), Value(""))
        ).filter(found)
    sort = filters.get("sort") or "newest"
    if sort == "priority":
        tickets = tickets.annotate(priority_rank=_priority_rank())
    elif sort == "sla":
        tickets = tickets.annotate(running_due=_running_due())
    return tickets.order_by(*SORTS.get(sort, SORTS["newest"]))


def active_agents() -> QuerySet:
    """Active users of the roles that answer tickets, for the assignment select."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=[roles.SUPPORT_AGENT, roles.CLUB_MANAGER])
        .select_related("profile")
        .distinct()
        .order_by("email")
    )


# --- History ------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryLine:
    event: object
    who: str
    what: str
    detail: str
    ticket_pk: int | None = None  # the other ticket of a merge


_CUSTOMER_EVENTS = (EventKind.OPENED, EventKind.REPLY, EventKind.ATTACHMENT, EventKind.RATED)


def _who(ticket: Ticket, event, previous) -> str:
    """Who made the change: a person's name ("customer" added for the ticket's member),
    the guest customer, or the system (the auto-close and breach jobs)."""
    if event.actor_id is not None:
        name = event.actor.get_full_name()
        if event.actor_id == ticket.member_id:
            return gettext("%(name)s (customer)") % {"name": name}
        return name
    caused_by_guest = (
        event.kind == EventKind.STATUS
        and previous is not None
        and previous.actor_id is None
        and previous.kind in _CUSTOMER_EVENTS
        and previous.created_at == event.created_at
    )
    if event.kind in _CUSTOMER_EVENTS or caused_by_guest:
        return gettext("the customer")
    return gettext("the system")


def history(ticket: Ticket) -> list[HistoryLine]:
    """The ticket's events in order, each with a readable "what" and detail. Two queries
    in all (events with their actors; the users and tickets the events name)."""
    events = list(ticket.events.select_related("actor__profile"))
    user_ids, ticket_ids = set(), set()
    for event in events:
        if event.kind == EventKind.ASSIGNED:
            user_ids.update(pk for pk in (event.detail.get("assignee"),) if pk)
        elif event.kind in (EventKind.MERGED_INTO, EventKind.MERGED_FROM):
            ticket_ids.update(
                pk for pk in (event.detail.get("into"), event.detail.get("duplicate")) if pk
            )
    users = {
        user.pk: user
        for user in get_user_model().objects.filter(pk__in=user_ids).select_related("profile")
    }
    named = dict(Ticket.objects.filter(pk__in=ticket_ids).values_list("pk", "tracking_code"))
    lines, previous = [], None
    for event in events:
        detail, other = "", None
        if event.kind in (EventKind.STATUS, EventKind.OPENED) and event.to_status:
            if event.from_status:
                detail = gettext("%(old)s → %(new)s") % {
                    "old": Status(event.from_status).label,
                    "new": Status(event.to_status).label,
                }
            else:
                detail = str(Status(event.to_status).label)
        elif event.kind == EventKind.ASSIGNED:
            assignee = users.get(event.detail.get("assignee"))
            detail = assignee.get_full_name() if assignee else gettext("nobody")
        elif event.kind == EventKind.PRIORITY:
            old, new = event.detail.get("previous"), event.detail.get("priority")
            if old in Priority.values and new in Priority.values:
                detail = gettext("%(old)s → %(new)s") % {
                    "old": Priority(old).label,
                    "new": Priority(new).label,
                }
        elif event.kind in (EventKind.MERGED_INTO, EventKind.MERGED_FROM):
            pk = event.detail.get("into") or event.detail.get("duplicate")
            detail = named.get(pk, "")
            other = pk if detail else None
        elif event.kind == EventKind.RATED and "score" in event.detail:
            detail = grouped(event.detail["score"])
        what = EventKind(event.kind).label if event.kind in EventKind.values else event.kind
        lines.append(
            HistoryLine(
                event=event,
                who=_who(ticket, event, previous),
                what=str(what),
                detail=detail,
                ticket_pk=other,
            )
        )
        previous = event
    return lines
