"""The desk's numbers for the club manager: satisfaction (CSAT) per agent, category and
branch, first-response and resolution times, SLA breaches, and the open backlog by age.

Pure query functions over a Period: local dates `start`..`end`, both included, in the
club's time zone (settings.TIME_ZONE), optionally narrowed to one branch and/or category.
Each function runs a fixed number of queries whatever the amount of data:

- csat_*: one grouped query each (ratings *given* in the period);
- response_times: two (the tickets filed in the period, and the business hours);
- sla_breaches: one grouped query (tickets filed in the period);
- backlog: one grouped query (tickets open now, whatever the period).

A duplicate merged into another ticket is counted once, through the ticket it was merged
into, so it is left out of the times and breaches.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.db.models import Aggregate, Avg, Count, DateTimeField, FloatField, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .models import Priority, SatisfactionRating, Status, Ticket

# Most pressing first, as the manager reads the tables.
PRIORITIES = [Priority.URGENT, Priority.HIGH, Priority.NORMAL, Priority.LOW]
SATISFIED_FROM = 4  # a rating of 4 or 5 counts as satisfied
OPEN_STATUSES = [Status.NEW, Status.OPEN, Status.WAITING, Status.REOPENED]

# (key, label, lower bound of the age, upper bound) for the backlog; an age equal to a
# bound falls in the older bucket (exactly one day old is "1 to 3 days").
AGE_BUCKETS = [
    ("under_1d", _("under 1 day"), timedelta(0), timedelta(days=1)),
    ("d1_3", _("1–3 days"), timedelta(days=1), timedelta(days=3)),
    ("d3_7", _("3–7 days"), timedelta(days=3), timedelta(days=7)),
    ("d7_30", _("7–30 days"), timedelta(days=7), timedelta(days=30)),
    ("over_30d", _("over 30 days"), timedelta(days=30), None),
]


@dataclass(frozen=True)
class Period:
    """Local dates start..end (inclusive) and optional branch / category filters."""

    start: date
    end: date
    branch: object = None  # cardgateway.Branch
    category: object = None  # tickets.Category

    def bounds(self) -> tuple[datetime, datetime]:
        """[from, to) as aware datetimes: local midnight of `start` to the local midnight
        after `end`."""
        tz = timezone.get_default_timezone()
        begin = datetime.combine(self.start, time.min, tzinfo=tz)
        finish = datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=tz)
        return begin, finish

    def ticket_filter(self, prefix: str = "") -> Q:
        q = Q()
        if self.branch is not None:
            q &= Q(**{f"{prefix}branch": self.branch})
        if self.category is not None:
            q &= Q(**{f"{prefix}category": self.category})
        return q


# --- Percentiles -------------------------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float | None:
    """The p-th percentile (0..100) by linear interpolation between closest ranks (the
    "inclusive" definition: NumPy's default, Excel's PERCENTILE.INC): with the n values
    sorted as x[0..n-1], h = (n - 1) * p / 100 and the result is
    x[floor h] + (h - floor h) * (x[floor h + 1] - x[floor h]). The median is p = 50
    (the mean of the two middle values for an even n). None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    h = (len(ordered) - 1) * p / 100
    low = math.floor(h)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (h - low) * (ordered[high] - ordered[low])


# --- CSAT --------------------------------------------------------------------------------


def _csat(period: Period, group: list[str]) -> list[dict]:
    begin, finish = period.bounds()
    rows = (
        SatisfactionRating.objects.filter(
            period.ticket_filter("ticket__"), created_at__gte=begin, created_at__lt=finish
        )
        .values(*group)
        .annotate(
            ratings=Count("pk"),
            average=Avg("score"),
            satisfied=Count("pk", filter=Q(score__gte=SATISFIED_FROM)),
        )
        .order_by(*group)
    )
    result = []
    for row in rows:
        row["average"] = float(row["average"])
        row["satisfied_pct"] = 100 * row["satisfied"] / row["ratings"]
        result.append(row)
    return result


def csat_by_agent(period: Period) -> list[dict]:
    """One row per agent credited with ratings (SatisfactionRating.agent; None when the
    ticket had nobody): agent (id), label, ratings, average, satisfied, satisfied_pct."""
    rows = _csat(
        period,
        ["agent", "agent__email", "agent__profile__first_name", "agent__profile__last_name"],
    )
    for row in rows:
        name = f"{row['agent__profile__first_name'] or ''} {row['agent__profile__last_name'] or ''}"
        row["label"] = (
            (name.strip() or row["agent__email"]) if row["agent"] else str(_("nobody assigned"))
        )
    return sorted(rows, key=lambda r: (r["agent"] is None, r["label"].lower()))


def csat_by_category(period: Period) -> list[dict]:
    """One row per ticket category: category (id), label, ratings, average, satisfied,
    satisfied_pct."""
    rows = _csat(
        period,
        ["ticket__category", "ticket__category__name", "ticket__category__name_fa"],
    )
    persian = get_language() == "fa"
    for row in rows:
        row["category"] = row["ticket__category"]
        name_fa = row["ticket__category__name_fa"]
        row["label"] = name_fa if persian and name_fa else row["ticket__category__name"]
    return sorted(rows, key=lambda r: r["label"].lower())


def csat_by_branch(period: Period) -> list[dict]:
    """One row per branch (None: tickets about no branch): branch (id), label, ratings,
    average, satisfied, satisfied_pct."""
    rows = _csat(period, ["ticket__branch", "ticket__branch__name"])
    for row in rows:
        row["branch"] = row["ticket__branch"]
        row["label"] = row["ticket__branch__name"] or str(_("no branch"))
    return sorted(rows, key=lambda r: (r["branch"] is None, r["label"].lower()))


# --- Response and resolution times ---------------------------------------------------------


def _period_tickets(period: Period):
    begin, finish = period.bounds()
    return Ticket.objects.filter(
        period.ticket_filter(), created_at__gte=begin, created_at__lt=finish, merged_into=None
    )


CLOCK_FIELDS = {
    # clock -> (business minutes, calendar minutes): stored by services when it stops
    "first_response": ("first_response_business_minutes", "first_response_minutes"),
    "resolution": ("resolution_business_minutes", "resolution_minutes"),
}
SUMMARY = ("business_median", "business_p90", "calendar_median", "calendar_p90")


class Percentile(Aggregate):
    """PostgreSQL's percentile_cont: linear interpolation, the same definition as
    percentile() below. NULLs (clocks still running) are left out."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, fraction: float, **extra):
        super().__init__(expression, fraction=fraction, **extra)


def _in_sql(tickets) -> dict:
    """{priority or None: {clock: {count, business_median, ...} in minutes}}, aggregated
    by PostgreSQL: one query per priority grouping and one for all."""
    aggregates = {}
    for clock, (business, calendar) in CLOCK_FIELDS.items():
        aggregates[f"{clock}__count"] = Count(calendar)
        for name, column in (("business", business), ("calendar", calendar)):
            aggregates[f"{clock}__{name}_median"] = Percentile(column, 0.5)
            aggregates[f"{clock}__{name}_p90"] = Percentile(column, 0.9)
    rows = list(tickets.order_by().values("priority").annotate(tickets=Count("pk"), **aggregates))
    rows.append({"priority": None} | tickets.aggregate(tickets=Count("pk"), **aggregates))
    return {row["priority"]: row for row in rows}


def _in_python(tickets) -> dict:
    """The same as _in_sql where the database has no percentile_cont (SQLite)."""
    names = [field for pair in CLOCK_FIELDS.values() for field in pair]
    values = {}
    for priority, *minutes in tickets.values_list("priority", *names):
        for key in (priority, None):
            row = values.setdefault(key, {"tickets": 0, "lists": {n: [] for n in names}})
            row["tickets"] += 1
            for name, value in zip(names, minutes, strict=True):
                if value is not None:
                    row["lists"][name].append(value)
    result = {}
    for key, row in values.items():
        out = {"tickets": row["tickets"]}
        for clock, (business, calendar) in CLOCK_FIELDS.items():
            out[f"{clock}__count"] = len(row["lists"][calendar])
            for name, column in (("business", business), ("calendar", calendar)):
                out[f"{clock}__{name}_median"] = percentile(row["lists"][column], 50)
                out[f"{clock}__{name}_p90"] = percentile(row["lists"][column], 90)
        result[key] = out
    return result


def response_times(period: Period) -> list[dict]:
    """First-response and resolution times of the tickets filed in the period: one row per
    priority (most pressing first) and a last row for all (priority None).

    Each clock's calendar and business minutes are stored on the ticket when it stops
    (services: business time by the desk's calendar of BusinessHours and holidays; with
    no hours at all, calendar time, as for the SLA dues), so the median and 90th
    percentile (linear interpolation) are aggregated by PostgreSQL (percentile_cont) or,
    on SQLite, by percentile() over the stored numbers. Times are in hours; a ticket
    counts for first response once it has one, and for resolution once it is resolved.

    Row keys: priority, label, tickets, first_response {count, business_median,
    business_p90, calendar_median, calendar_p90} and resolution {same}."""
    tickets = _period_tickets(period)
    found = _in_sql(tickets) if connection.vendor == "postgresql" else _in_python(tickets)

    def hours(value):
        return None if value is None else value / 60

    rows = []
    for key in [*PRIORITIES, None]:
        row = found.get(key, {})
        summary = {
            clock: {"count": row.get(f"{clock}__count", 0)}
            | {name: hours(row.get(f"{clock}__{name}")) for name in SUMMARY}
            for clock in CLOCK_FIELDS
        }
        rows.append(
            {
                "priority": key,
                "label": Priority(key).label if key else _("all priorities"),
                "tickets": row.get("tickets", 0),
                **summary,
            }
        )
    return rows


# --- SLA breaches ------------------------------------------------------------------------


def breach_conditions(now: datetime) -> tuple[Q, Q]:
    """(first response breached, resolution breached) as Q objects on Ticket.

    Breached: the breach job flagged it (…_breached_at), or the SLA was met late, or is
    still unmet and already past due. Met means a first public reply for the first
    response, and resolved for the resolution; a ticket closed without either stops its
    clock at closing."""
    stamp = Value(now, output_field=DateTimeField())
    first = Q(first_response_breached_at__isnull=False) | Q(
        sla_first_response_due__isnull=False,
        sla_first_response_due__lt=Coalesce("first_response_at", "resolved_at", "closed_at", stamp),
    )
    resolution = Q(resolution_breached_at__isnull=False) | Q(
        sla_resolution_due__isnull=False,
        sla_resolution_due__lt=Coalesce("resolved_at", "closed_at", stamp),
    )
    return first, resolution


def sla_breaches(period: Period, *, now: datetime | None = None) -> list[dict]:
    """SLA breaches of the tickets filed in the period, one row per priority and a last
    row for all (priority None): tickets, with_sla (tickets that had targets),
    first_response, resolution (breach counts)."""
    now = now or timezone.now()
    first, resolution = breach_conditions(now)
    counts = {
        row["priority"]: row
        for row in _period_tickets(period)
        .order_by()
        .values("priority")
        .annotate(
            tickets=Count("pk"),
            with_sla=Count("pk", filter=Q(sla_resolution_due__isnull=False)),
            first_response=Count("pk", filter=first),
            resolution=Count("pk", filter=resolution),
        )
    }
    fields = ["tickets", "with_sla", "first_response", "resolution"]
    return _per_priority(counts, fields)


def _per_priority(counts: dict[str, dict], fields: list[str]) -> list[dict]:
    """One row per priority (zeros where `counts` has none) and a last row of totals."""
    rows = []
    for priority in PRIORITIES:
        found = counts.get(priority, {})
        rows.append(
            {"priority": priority, "label": Priority(priority).label}
            | {name: found.get(name, 0) for name in fields}
        )
    rows.append(
        {"priority": None, "label": _("all priorities")}
        | {name: sum(row[name] for row in rows) for name in fields}
    )
    return rows


# --- Open backlog by age -----------------------------------------------------------------


def backlog(period: Period | None = None, *, now: datetime | None = None) -> list[dict]:
    """Tickets open now (not resolved or closed) by age since filing, one row per priority
    and a last row for all (priority None): one count per AGE_BUCKETS key, and total.
    The period's dates do not apply (the backlog is now), its branch and category do."""
    now = now or timezone.now()
    tickets = Ticket.objects.filter(status__in=OPEN_STATUSES)
    if period is not None:
        tickets = tickets.filter(period.ticket_filter())
    buckets = {}
    for key, _label, younger, older in AGE_BUCKETS:
        q = Q(created_at__lte=now - younger) if younger else Q()
        if older is not None:
            q &= Q(created_at__gt=now - older)
        buckets[key] = Count("pk", filter=q)
    counts = {
        row["priority"]: row
        for row in tickets.order_by().values("priority").annotate(total=Count("pk"), **buckets)
    }
    fields = [*(key for key, *_rest in AGE_BUCKETS), "total"]
    return _per_priority(counts, fields)


# --- Everything at once --------------------------------------------------------------------


@dataclass
class Report:
    period: Period
    now: datetime
    csat_agents: list = field(default_factory=list)
    csat_categories: list = field(default_factory=list)
    csat_branches: list = field(default_factory=list)
    times: list = field(default_factory=list)
    breaches: list = field(default_factory=list)
    backlog: list = field(default_factory=list)


def build(period: Period, *, now: datetime | None = None) -> Report:
    """All the tables of the reports page and its XLSX export (seven queries on
    PostgreSQL, six on SQLite)."""
    now = now or timezone.now()
    return Report(
        period=period,
        now=now,
        csat_agents=csat_by_agent(period),
        csat_categories=csat_by_category(period),
        csat_branches=csat_by_branch(period),
        times=response_times(period),
        breaches=sla_breaches(period, now=now),
        backlog=backlog(period, now=now),
    )
