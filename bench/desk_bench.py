"""Support desk benchmark on PostgreSQL: the pages and jobs people wait for once the desk
has a year of tickets. Prints its figures; not a test.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/club REDIS_URL=redis://127.0.0.1:6379/12 \
        .venv/bin/python bench/desk_bench.py
    ... bench/desk_bench.py --scale small                 # 5,000 tickets, under 2 minutes
    ... bench/desk_bench.py --tickets 50000 --explain

It never touches the database named in DATABASE_URL: it drops and creates its own
(`--db`, default desk_bench) on the same server, migrates it, generates a year of
consistent tickets (messages, internal notes, events, SLA dues from the seeded targets and
business hours, breaches, ratings) and COPYs them in, then times the real code through
django.test.Client: the desk queue under its filters and sorts, a ticket with 50
messages, the tracking page, the reports page and its XLSX export, and the services
open_ticket, add_reply and jobs.flag_breaches. See bench/README.md."""

import argparse
import json
import math
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402
    STARTED,
    bulk_session,
    configure_django,
    create_indexes,
    drop_plain_indexes,
    insert_branches,
    prepare_database,
    progress,
)

FULL = {"tickets": 100_000, "services": 300}
SMALL = {"tickets": 5_000, "services": 100}
AGENTS = 5
BRANCHES = [("bench-north", "North"), ("bench-centre", "Centre"), ("bench-south", "South")]
FIRST_NAMES = ["Ada", "Babak", "Cyrus", "Dara", "Elham", "Farid", "Golnar", "Hamid"]
# Weights of the plausible mixes.
KINDS = {"complaint": 45, "support": 45, "suggestion": 10}
PRIORITIES = {"low": 20, "normal": 60, "high": 15, "urgent": 5}
CATEGORY_WEIGHTS = {"product": 25, "branch": 20, "staff": 10, "card-points": 25, "website": 12}
OTHER_CATEGORY_WEIGHT = 8
# Status by the ticket's age in days: (younger than, {status: weight}). Waiting tickets
# older than the desk's 72 h become closed, as the auto-close job would have left them.
STATUS_BY_AGE = [
    (2, {"new": 35, "open": 30, "waiting": 10, "resolved": 15, "closed": 10}),
    (7, {"new": 8, "open": 30, "waiting": 15, "resolved": 25, "closed": 20, "reopened": 2}),
    (30, {"new": 1, "open": 8, "waiting": 6, "resolved": 25, "closed": 58, "reopened": 2}),
    (None, {"open": 2, "waiting": 1, "resolved": 10, "closed": 87}),
]
SUBJECT_TOPICS = [
    "Points missing after purchase", "Card not working at checkout", "Refund not received",
    "Wrong price on the shelf", "Rude cashier", "Website login fails", "Voucher expired early",
    "Cashback not credited", "Product out of stock", "Long queue at the till",
    "Delivery arrived late", "Damaged product", "Cannot change my mobile number",
    "Suggestion for the parking", "Tier did not update", "Double charge on my card",
    "App shows the wrong balance", "Staff were very helpful", "Opening hours on holidays",
    "Birthday reward not received",
]  # fmt: skip
SUBJECT_TAILS = ["", "", "", " again", " at the weekend", " since last week", " (urgent)"]
SEARCH_WORD = "refund"  # appears in one subject topic of twenty
BODIES = [
    "Thank you for your patience, we are looking into it.",
    "Could you send a photo of the receipt, please?",
    "I still have not heard back about this.",
    "The branch manager has been informed.",
    "Checked the ledger: the points were posted on the wrong account.",
    "Customer called again, seems upset; please prioritise.",
    "It works now, thanks!",
    "We have credited the missing amount to your card.",
]
SCORES = {5: 45, 4: 25, 3: 12, 2: 8, 1: 10}
UNFLAGGED_HOURS = 24  # clocks overdue this recently are left for the breach job's first run


def main() -> int:
    args = parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        print(
            f"Refusing to run on SQLite ({args.tickets:,} tickets): the loader uses "
            "PostgreSQL's COPY and SQLite figures say nothing about production. Set "
            "DATABASE_URL=postgres://USER@HOST:PORT/DB (the database named there is left "
            "alone; the bench creates its own).",
            file=sys.stderr,
        )
        return 2
    bench_url = prepare_database(url, args.db)
    configure_django(
        bench_url, name=args.db, TICKET_FILES_ROOT=tempfile.mkdtemp(prefix="desk-bench-files-")
    )
    progress(f"migrating {args.db}")
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    rng = random.Random(args.seed)
    picked = load(args, rng)
    figures = measure(args, rng, picked)
    print_figures(args, figures)
    progress(f"done; the data stays in database {args.db!r} (drop it with: dropdb {args.db})")
    return 0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=["full", "small"], default="full")
    parser.add_argument("--tickets", type=int, help=f"default {FULL['tickets']:,} (small: 5,000)")
    parser.add_argument(
        "--services", type=int, help="calls per service throughput test (default 300; small 100)"
    )
    parser.add_argument("--runs", type=int, default=7, help="page timings: median of this many")
    parser.add_argument("--db", default="desk_bench", help="database to (re)create")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--explain", action="store_true", help="print EXPLAIN ANALYZE of the queue's queries"
    )
    args = parser.parse_args()
    size = SMALL if args.scale == "small" else FULL
    args.tickets = args.tickets if args.tickets is not None else size["tickets"]
    args.services = args.services if args.services is not None else size["services"]
    if args.tickets < 500 or args.services < 1 or args.runs < 1:
        parser.error("need at least 500 tickets, 1 service call and 1 run")
    args.members = max(200, args.tickets // 5)
    return args


# --- the database -----------------------------------------------------------------------


# --- generating -------------------------------------------------------------------------


def _pick(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class _Desk:
    """What the generator needs from the migrated database: categories, SLA targets and
    the business hours the seed migration left, the branches and people loaded."""

    def __init__(self, cur):
        cur.execute("SELECT slug, id FROM tickets_category")
        self.categories = dict(cur.fetchall())
        self.category_weights = {
            pk: CATEGORY_WEIGHTS.get(slug, OTHER_CATEGORY_WEIGHT)
            for slug, pk in self.categories.items()
        }
        cur.execute(
            "SELECT priority, first_response_minutes, resolution_minutes FROM tickets_slatarget "
            "WHERE category_id IS NULL"
        )
        self.targets = {p: (fr, res) for p, fr, res in cur.fetchall()}
        from tickets.services import DeskCalendar

        cur.execute("SELECT weekday, opens, closes FROM tickets_businesshours")
        # The services' own calendar, so the generated dues and minutes are theirs.
        self.calendar = DeskCalendar(hours=cur.fetchall(), closed_dates=frozenset())
        cur.execute("SELECT id FROM cardgateway_branch WHERE code LIKE 'bench-%%' ORDER BY id")
        self.branches = [row[0] for row in cur.fetchall()]
        cur.execute(
            "SELECT id FROM accounts_user WHERE email LIKE 'member%%@bench.example' ORDER BY id"
        )
        self.members = [row[0] for row in cur.fetchall()]
        cur.execute(
            "SELECT id FROM accounts_user WHERE email LIKE 'agent%%@bench.example' ORDER BY id"
        )
        self.agents = [row[0] for row in cur.fetchall()]

    def add(self, start, minutes: float):
        return self.calendar.due(start, minutes)

    def ran(self, start, stop) -> tuple[float | None, float | None]:
        """(calendar, business) minutes a stopped clock ran, as services store them."""
        if stop is None:
            return None, None
        return (stop - start).total_seconds() / 60, self.calendar.minutes_between(start, stop)


def generate(args, rng: random.Random, desk: _Desk, now):
    """Tickets, messages, events and ratings as rows for COPY, consistent with what the
    services would have written: timestamps in order, first_response_at = the first
    public agent reply, a transition event for every status change, breach stamps where the
    job would have put them, a rating only on resolved tickets."""
    from tickets import codes

    count = args.tickets
    year = 365 * 24 * 3600
    created = sorted(now - timedelta(seconds=rng.random() * year) for _ in range(count))
    used_codes: set[str] = set()
    tickets, messages, events, ratings = [], [], [], []
    unmerged: list[int] = []
    flag_before = now - timedelta(hours=UNFLAGGED_HOURS)
    # The ticket that gets 50 messages: an open one from a member, filed 3 days ago.
    fifty_at = max(1, sum(1 for at in created if at < now - timedelta(days=3)))
    picked = {}

    def event(tid, actor, kind, at, from_status="", to_status="", **detail):
        events.append((tid, actor, kind, from_status, to_status, json.dumps(detail), at))

    for tid, at in enumerate(created, start=1):
        age_days = (now - at).total_seconds() / 86400
        mix = next(mix for limit, mix in STATUS_BY_AGE if limit is None or age_days < limit)
        status = _pick(rng, mix)
        priority = _pick(rng, PRIORITIES)
        category = _pick(rng, desk.category_weights)
        is_member = rng.random() < 0.6 or tid == fifty_at
        member = rng.choice(desk.members) if is_member else None
        guest = ("", "", "")
        if member is None:
            with_mobile = rng.random() < 0.7
            with_email = not with_mobile or rng.random() < 0.4
            guest = (
                f"{rng.choice(FIRST_NAMES)} Guest{tid}",
                f"+98912{rng.randrange(10**7):07d}" if with_mobile else "",
                f"guest{tid}@bench.example" if with_email else "",
            )
        code = codes.new_code()
        while code in used_codes:
            code = codes.new_code()
        used_codes.add(code)
        fr_minutes, res_minutes = desk.targets.get(priority, (None, None))
        fr_due = desk.add(at, fr_minutes) if fr_minutes else None
        res_due = desk.add(at, res_minutes) if res_minutes else None
        if tid == fifty_at:
            status = "open"
        first_response = resolved = closed = None
        if status != "new" and fr_minutes:
            first_response = desk.add(at, fr_minutes * rng.lognormvariate(math.log(0.5), 0.75))
            if first_response >= now:
                status, first_response = "new", None
        elif status != "new":
            first_response = at + timedelta(hours=rng.uniform(0.5, 24))
        if tid == fifty_at and first_response is None:
            status, first_response = "open", at + timedelta(minutes=30)
        if status in ("resolved", "closed", "reopened") and first_response:
            resolved = desk.add(at, (res_minutes or 2400) * rng.lognormvariate(math.log(0.4), 0.8))
            resolved = max(resolved, first_response + timedelta(minutes=10))
            if resolved >= now:
                status, resolved = "open", None
        changed = first_response or at
        assignee = None
        if status != "new" or rng.random() < 0.2:
            assignee = desk.agents[tid % len(desk.agents)] if rng.random() < 0.95 else None
        reopened_at = None
        if status == "waiting":
            changed = first_response + timedelta(hours=rng.uniform(0, 6))
            if changed + timedelta(hours=72) < now:  # the auto-close job's doing
                status, closed = "closed", changed + timedelta(hours=72)
        elif status == "resolved":
            changed = resolved
        elif status == "reopened":
            reopened_at = resolved + timedelta(hours=rng.uniform(1, 48))
            if reopened_at >= now:
                status, changed, reopened_at = "resolved", resolved, None
            else:
                changed, resolved = reopened_at, None
        elif status == "closed" and closed is None:
            if resolved and rng.random() < 0.95:
                closed = resolved + timedelta(hours=rng.uniform(1, 96))
                if closed >= now:
                    status, changed, closed = "resolved", resolved, None
            else:  # closed without a resolution (spam, a duplicate, no answer)
                resolved = None
                closed = (first_response or at) + timedelta(hours=rng.uniform(0.2, 48))
                closed = min(closed, now - timedelta(minutes=1))
            if closed:
                changed = closed
        merged_into = None
        if status == "closed" and resolved is None and unmerged and rng.random() < 0.1:
            merged_into = rng.choice(unmerged[-2000:])
        if merged_into is None:
            unmerged.append(tid)
        # Breach stamps where the job (every 5 minutes) would have put them: the clock was
        # still running a few minutes after its due time, which is long enough ago.
        finished = resolved or closed
        fr_stop = min(t for t in (first_response, finished, now) if t)
        res_stop = min(t for t in (finished, now) if t)
        fr_flag = res_flag = None
        if fr_due and fr_stop > fr_due + timedelta(minutes=5) and fr_due < flag_before:
            fr_flag = fr_due + timedelta(minutes=5)
        if res_due and res_stop > res_due + timedelta(minutes=5) and res_due < flag_before:
            res_flag = res_due + timedelta(minutes=5)
        subject = rng.choice(SUBJECT_TOPICS) + rng.choice(SUBJECT_TAILS)
        tickets.append(
            (
                tid, _pick(rng, KINDS), category,
                rng.choice(desk.branches) if rng.random() < 0.8 else None,
                member, *guest, subject,
                f"{subject}. Reported by the customer; details follow in the thread.",
                "fa" if rng.random() < 0.7 else "en", status, priority, assignee, code,
                merged_into, at, first_response, resolved, closed, fr_due, res_due, changed,
                fr_flag, res_flag, *desk.ran(at, first_response), *desk.ran(at, resolved),
            )
        )  # fmt: skip
        if tid == fifty_at:
            picked["fifty"] = tid
        if member is None and guest[1] and status not in ("closed",):
            picked["guest"] = (code, guest[1])

        # History and thread.
        event(tid, member, "opened", at, to_status="new")
        agent = assignee or desk.agents[0]
        if assignee:
            assigned_at = at + timedelta(minutes=rng.uniform(1, 60))
            event(tid, agent, "assigned", min(assigned_at, now), previous=None, assignee=assignee)
        thread = []
        if first_response:
            thread.append((first_response, agent, False))
            end = finished or (reopened_at or now)
            extra = 49 if tid == fifty_at else rng.randint(1, 7)
            span = max((end - first_response).total_seconds(), 60)
            for at_offset in sorted(rng.random() * span for _ in range(extra)):
                roll = rng.random()
                author = member if roll < 0.45 else agent
                thread.append((first_response + timedelta(seconds=at_offset), author, 0.8 <= roll))
        elif rng.random() < 0.3:
            thread.append((at + (now - at) * rng.random(), member, False))
        for sent, author, internal in thread:
            mid = len(messages) + 1
            messages.append((mid, tid, author, internal, rng.choice(BODIES), sent))
            event(tid, author, "note" if internal else "reply", sent, message=mid)
        if first_response:
            event(tid, agent, "status", first_response, "new", "open")
        if fr_flag:
            event(tid, None, "sla_breach", fr_flag, clock="first_response")
        if res_flag:
            event(tid, None, "sla_breach", res_flag, clock="resolution")
        waited = status == "waiting" or (status == "closed" and closed and not resolved)
        if waited and first_response and status == "waiting":
            event(tid, agent, "status", changed, "open", "waiting")
        if resolved or reopened_at:
            resolved_event = resolved or (reopened_at - timedelta(hours=1))
            event(tid, agent, "status", resolved_event, "open", "resolved")
        if reopened_at:
            event(tid, member, "status", reopened_at, "resolved", "reopened")
        if closed:
            event(tid, agent, "status", closed, "resolved" if resolved else "open", "closed")
        if merged_into:
            event(tid, agent, "merged_into", closed, into=merged_into)
            event(merged_into, agent, "merged_from", closed, duplicate=tid)
        if resolved and merged_into is None and rng.random() < 0.3:
            rated = min(resolved + timedelta(hours=rng.uniform(0.5, 48)), now)
            score = _pick(rng, SCORES)
            comment = "" if rng.random() < 0.8 else "Thanks for sorting it out."
            ratings.append((tid, score, comment, assignee, rated))
            event(tid, member, "rated", rated, score=score)
    picked.setdefault("guest", None)
    return tickets, messages, events, ratings, picked


# --- loading ----------------------------------------------------------------------------

TICKET_COLUMNS = (
    "id", "kind", "category_id", "branch_id", "member_id", "guest_name", "guest_mobile",
    "guest_email", "subject", "description", "language", "status", "priority", "assignee_id",
    "tracking_code", "merged_into_id", "created_at", "first_response_at", "resolved_at",
    "closed_at", "sla_first_response_due", "sla_resolution_due", "status_changed_at",
    "first_response_breached_at", "resolution_breached_at", "first_response_minutes",
    "first_response_business_minutes", "resolution_minutes", "resolution_business_minutes",
)  # fmt: skip
MESSAGE_COLUMNS = ("id", "ticket_id", "author_id", "is_internal", "body", "created_at")
EVENT_COLUMNS = (
    "ticket_id",
    "actor_id",
    "kind",
    "from_status",
    "to_status",
    "detail",
    "created_at",
)
RATING_COLUMNS = ("ticket_id", "score", "comment", "agent_id", "created_at")
# Columns each bulk INSERT fills. A NOT NULL column without a default that is missing
# here means a model changed: the loader says so instead of failing half-way.
LOADED_COLUMNS = {
    "accounts_user": {"password", "last_login", "is_superuser", "email", "mobile",
                      "mobile_verified", "is_active", "is_staff", "date_joined"},
    "accounts_memberprofile": {"user_id", "first_name", "last_name", "birth_date", "address",
                               "city", "preferred_language", "home_branch_id", "sms_consent",
                               "sms_consent_at", "email_consent", "email_consent_at",
                               "referral_code", "signup_referral_code"},
    "cardgateway_branch": {"code", "name", "city", "address", "phone", "is_active"},
    "tickets_ticket": set(TICKET_COLUMNS),
    "tickets_ticketmessage": set(MESSAGE_COLUMNS),
    "tickets_ticketevent": set(EVENT_COLUMNS),
    "tickets_satisfactionrating": set(RATING_COLUMNS),
}  # fmt: skip
BIG_TABLES = ("tickets_ticket", "tickets_ticketmessage", "tickets_ticketevent")


def load(args, rng: random.Random) -> dict:
    from django.db import connection
    from django.utils import timezone

    from portal.accounts import roles

    with connection.cursor() as cur:
        bulk_session(cur, maintenance_work_mem="512MB")
        _check_columns(cur)

        step = _Step(f"people: {args.members:,} members, {AGENTS} agents, 1 manager, 3 branches")
        insert_branches(cur, BRANCHES)
        cur.execute(
            """
            INSERT INTO accounts_user (password, last_login, is_superuser, email, mobile,
                                       mobile_verified, is_active, is_staff, date_joined)
            SELECT '!bench', NULL, false, e, NULL, false, true, false,
                   now() - interval '2 years'
            FROM (SELECT 'member' || n || '@bench.example' AS e, n
                  FROM generate_series(1, %(members)s) n
                  UNION ALL SELECT 'agent' || n || '@bench.example', %(members)s + n
                  FROM generate_series(1, %(agents)s) n
                  UNION ALL SELECT 'manager@bench.example', %(members)s + %(agents)s + 1) u
            ORDER BY n
            """,
            {"members": args.members, "agents": AGENTS},
        )
        cur.execute(
            """
            INSERT INTO accounts_memberprofile (user_id, first_name, last_name, birth_date,
                address, city, preferred_language, home_branch_id, sms_consent,
                sms_consent_at, email_consent, email_consent_at, referral_code,
                signup_referral_code)
            SELECT u.id, (%(names)s::text[])[1 + u.id %% %(name_count)s], 'Bench' || u.id, NULL,
                   '', 'Tehran', 'en', NULL, false, NULL, false, NULL, 'BD' || u.id, ''
            FROM accounts_user u WHERE u.email LIKE '%%@bench.example' ORDER BY u.id
            """,
            {"names": FIRST_NAMES, "name_count": len(FIRST_NAMES)},
        )
        cur.execute(
            """
            INSERT INTO accounts_user_groups (user_id, group_id)
            SELECT u.id, g.id FROM accounts_user u JOIN auth_group g
              ON (u.email LIKE 'agent%%@bench.example' AND g.name = %(agent)s)
              OR (u.email = 'manager@bench.example' AND g.name = %(manager)s)
            """,
            {"agent": roles.SUPPORT_AGENT, "manager": roles.CLUB_MANAGER},
        )
        step.done()

        desk = _Desk(cur)
        now = timezone.now()
        step = _Step(f"generating {args.tickets:,} tickets over 365 days (Python)")
        tickets, messages, events, ratings, picked = generate(args, rng, desk, now)
        step.done()
        step = _Step(
            f"COPY {len(tickets):,} tickets, {len(messages):,} messages, "
            f"{len(events):,} events, {len(ratings):,} ratings (indexes rebuilt after)"
        )
        deferred = []
        for table in BIG_TABLES:
            deferred += drop_plain_indexes(cur, table)
        _copy(cur, "tickets_ticket", TICKET_COLUMNS, tickets)
        _copy(cur, "tickets_ticketmessage", MESSAGE_COLUMNS, messages)
        _copy(cur, "tickets_ticketevent", EVENT_COLUMNS, events)
        _copy(cur, "tickets_satisfactionrating", RATING_COLUMNS, ratings)
        cur.execute(
            "SELECT setval(pg_get_serial_sequence('tickets_ticket', 'id'), "
            "(SELECT max(id) FROM tickets_ticket))"
        )
        cur.execute(
            "SELECT setval(pg_get_serial_sequence('tickets_ticketmessage', 'id'), "
            "(SELECT max(id) FROM tickets_ticketmessage))"
        )
        create_indexes(cur, deferred)
        cur.execute("SET session_replication_role = DEFAULT")
        step.done()

        step = _Step("VACUUM ANALYZE")
        for table in (
            *BIG_TABLES,
            "tickets_satisfactionrating",
            "accounts_user",
            "accounts_memberprofile",
        ):
            cur.execute(f"VACUUM ANALYZE {table}")
        step.done()
        cur.execute(
            "SELECT status, count(*) FROM tickets_ticket GROUP BY status ORDER BY count(*) DESC"
        )
        mix = ", ".join(f"{status} {n:,}" for status, n in cur.fetchall())
        cur.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        progress(f"loaded: {mix}; database {cur.fetchone()[0]}")
    picked["tickets"] = len(tickets)
    return picked


def _copy(cur, table: str, columns: tuple, rows: list) -> None:
    names = ", ".join(columns)
    with cur.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


class _Step:
    def __init__(self, name: str):
        self.name, self.start = name, time.perf_counter()
        progress(name)

    def done(self) -> None:
        progress(f"  ... {time.perf_counter() - self.start:.1f}s")


def _check_columns(cur) -> None:
    cur.execute(
        """
        SELECT table_name, column_name FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name = ANY(%s)
          AND is_nullable = 'NO' AND column_default IS NULL AND is_identity = 'NO'
        """,
        [list(LOADED_COLUMNS)],
    )
    missing = [f"{t}.{c}" for t, c in cur.fetchall() if c not in LOADED_COLUMNS[t] and c != "id"]
    if missing:
        raise SystemExit(f"the schema has required columns the loader does not fill: {missing}")


# --- measuring --------------------------------------------------------------------------


def measure(args, rng: random.Random, picked: dict) -> list[tuple[str, str, str]]:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client, override_settings
    from django.urls import reverse
    from django.utils import timezone

    from tickets import jobs, selectors, services
    from tickets.models import Category, Status, Ticket

    figures: list[tuple[str, str, str]] = []
    users = get_user_model().objects
    agent = users.get(email="agent1@bench.example")
    manager = users.get(email="manager@bench.example")
    desk = Client()
    desk.force_login(agent)

    def page(label: str, client, url: str, data=None, *, method="get", expect=200, match=None):
        def call():
            response = getattr(client, method)(url, data or {})
            if response.status_code != expect:
                raise RuntimeError(f"{label}: HTTP {response.status_code}, expected {expect}")
            return response

        median, spread, queries = _median_ms(call, args.runs)
        detail = f"{spread}; {queries} queries"
        if match is not None:
            detail += f"; {match:,} match"
        figures.append((label, median, detail))

    def matching(filters: dict) -> int:
        return selectors.queue(user=agent, filters=filters).count()

    queue_url = reverse("tickets:desk-queue")
    not_closed = matching({})
    last = max(1, math.ceil(not_closed / 25))
    deep = min(200, last)
    product = Category.objects.get(slug="product").pk
    open_ticket = (
        Ticket.objects.exclude(status=Status.CLOSED).order_by("-pk").values("tracking_code")[10]
    )["tracking_code"]
    queue_cases = [
        ("queue: default, page 1", {}),
        (f"queue: default, page {deep}" + (" (last)" if deep < 200 else ""), {"page": deep}),
        ("queue: sla=breached", {"sla": "breached"}),
        ("queue: assigned=me", {"assigned": "me"}),
        ("queue: category + priority=high", {"category": product, "priority": "high"}),
        ("queue: search tracking code", {"q": open_ticket}),
        (f"queue: search subject word '{SEARCH_WORD}'", {"q": SEARCH_WORD}),
        ("queue: sort=priority", {"sort": "priority"}),
        ("queue: sort=sla", {"sort": "sla"}),
    ]
    progress(f"desk queue: {len(queue_cases)} requests, median of {args.runs} runs each")
    for label, data in queue_cases:
        filters = {k: v for k, v in data.items() if k != "page"}
        if "category" in filters:
            filters["category"] = Category.objects.get(pk=product)
        page(label, desk, queue_url, data, match=matching(filters))

    progress("a ticket's page with 50 messages")
    fifty = Ticket.objects.get(pk=picked["fifty"])
    page(
        f"ticket page, {fifty.messages.count()} messages, {fifty.events.count()} events",
        desk,
        reverse("tickets:desk-ticket", args=[fifty.pk]),
    )

    progress("tracking page POST (TICKET_TRACK_RATE raised to 100000/m by override_settings)")
    guest = picked["guest"]
    if guest is None:
        figures.append(("tracking lookup", "-", "no guest ticket with a mobile"))
    else:
        code, mobile = guest
        visitor = Client()
        track = reverse("tickets:track")
        with override_settings(TICKET_TRACK_RATE="100000/m"):
            page(
                "track POST, right contact (302)",
                visitor,
                track,
                {"code": code.lower().replace("-", " "), "contact": mobile},
                method="post",
                expect=302,
            )
            page(
                "track POST, wrong contact (200)",
                visitor,
                track,
                {"code": code, "contact": "+989120000000"},
                method="post",
            )

    progress("reports page and export")
    boss = Client()
    boss.force_login(manager)
    today = timezone.localdate()
    for days in (30, 365):
        period = {"start": str(today - timedelta(days=days - 1)), "end": str(today)}
        page(f"reports page, {days} days", boss, reverse("tickets:reports"), period)
    page("reports XLSX export, 365 days", boss, reverse("tickets:reports-xlsx"), period)

    if args.explain:
        now = timezone.now()
        _explain_queue(agent, {}, "queue default (not closed, newest first), page 1", now)
        _explain_queue(agent, {"sla": "breached"}, "queue sla=breached, page 1", now)

    progress(f"services: open_ticket x {args.services:,}, add_reply x {args.services:,}")
    categories = list(Category.objects.filter(is_active=True))
    members = list(users.filter(email__startswith="member").order_by("?")[: args.services])

    def file_one(i: int):
        kwargs = {"member": members[i % len(members)]}
        if i % 2:
            kwargs = {"guest_name": "Bench Guest", "guest_mobile": f"+98912{i:07d}"}
        return services.open_ticket(
            kind="complaint",
            category=categories[i % len(categories)],
            subject=f"Bench ticket {i} {SEARCH_WORD}",
            description="Filed by the desk bench.",
            **kwargs,
        )

    figures.append(_service("services.open_ticket (half members, half guests)", file_one, args))
    targets = list(
        Ticket.objects.filter(status__in=[Status.OPEN, Status.NEW, Status.REOPENED])
        .filter(merged_into__isnull=True)
        .order_by("?")[: args.services]
    )

    def reply_one(i: int):
        return services.add_reply(
            ticket=targets[i % len(targets)], author=agent, body=f"Bench reply {i}."
        )

    figures.append(_service("services.add_reply (agent, public)", reply_one, args))

    progress("jobs.flag_breaches(): first run, then again")
    for label in ("jobs.flag_breaches, first run", "jobs.flag_breaches, second run"):
        start = time.perf_counter()
        flagged = jobs.flag_breaches()
        seconds = time.perf_counter() - start
        each = f", {seconds * 1000 / flagged:.1f} ms a clock" if flagged else ""
        figures.append((label, f"{seconds * 1000:,.0f} ms", f"{flagged:,} clocks flagged{each}"))
    connection.close()
    return figures


def _median_ms(fn, runs: int) -> tuple[str, str, int]:
    """Median wall-clock ms of `runs` calls after one warm-up, which also counts the SQL
    queries (the timed runs are not instrumented)."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    # A request starts by emptying the query log (request_started -> reset_queries), so
    # the log is emptied first here too, or the count would be sliced from a stale offset.
    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        fn()
    queries = len(captured.captured_queries)  # read now: the next request empties the log
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return (
        f"{statistics.median(times):,.1f} ms",
        f"min {min(times):,.1f}, max {max(times):,.1f} ms",
        queries,
    )


def _service(label: str, call, args) -> tuple[str, str, str]:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        call(0)
    start = time.perf_counter()
    for i in range(1, args.services + 1):
        call(i)
    seconds = time.perf_counter() - start
    return (
        label,
        f"{args.services / seconds:,.0f} /s",
        f"{seconds * 1000 / args.services:.1f} ms each, {len(captured.captured_queries)} "
        "queries, sequential",
    )


def _explain_queue(user, filters: dict, label: str, now) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of the queue's queries for page 1 (count and rows):
    the top node, the scans, sorts and joins under it, and the times."""
    from django.core.paginator import Paginator
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tickets import selectors

    tickets = selectors.queue(user=user, filters=filters, now=now)
    with CaptureQueriesContext(connection) as captured:
        page = Paginator(tickets, 25).get_page(1)
        list(page)
    for query in captured.captured_queries:
        sql = query["sql"]
        if "tickets_ticket" not in sql or not sql.lstrip().upper().startswith("SELECT"):
            continue
        with connection.cursor() as cur:
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            plan = [row[0] for row in cur.fetchall()]
        what = "count" if "COUNT(" in sql.upper()[:60] else "rows"
        words = ("Scan", "Sort", "Join", "Limit", "Aggregate", "Rows Removed", "Index Cond")
        keep = [plan[0], *[line for line in plan[1:] if any(w in line for w in words)][:16]]
        keep += [line for line in plan if line.startswith(("Planning Time", "Execution Time"))]
        body = "\n".join(f"      {line[:150]}" for line in keep)
        print(f"\n  EXPLAIN ANALYZE {label} ({what}):\n{body}", flush=True)


def print_figures(args, figures) -> None:
    from django.conf import settings
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        version = cur.fetchone()[0]
        cur.execute("SHOW work_mem")
        work_mem = cur.fetchone()[0]
    cache = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    title = (
        f"Customer Club desk bench: {args.tickets:,} tickets, PostgreSQL {version} "
        f"(work_mem {work_mem}), cache {cache}, {os.cpu_count()} CPUs, load average now "
        f"{os.getloadavg()[0]:.1f}; pages: median of {args.runs} after a warm-up"
    )
    widths = [max(len(row[i]) for row in figures) for i in range(3)]
    line = "-" * (sum(widths) + 6)
    print(f"\n{title}\n{line}")
    print(f"{'measure':<{widths[0]}}  {'figure':>{widths[1]}}  detail")
    print(line)
    for label, figure, detail in figures:
        print(f"{label:<{widths[0]}}  {figure:>{widths[1]}}  {detail}")
    print(f"{line}\ntotal run time {time.perf_counter() - STARTED:.0f} s\n", flush=True)


if __name__ == "__main__":
    sys.exit(main())
