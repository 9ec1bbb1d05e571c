"""Club manager's cockpit benchmark on PostgreSQL: the KPI dashboard over a year, a segment
count and a 100,000-row XLSX export, on a club of 100,000 members and 1,000,000 purchases.
Prints its figures; not a test.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/club REDIS_URL=redis://127.0.0.1:6379/7 \
        .venv/bin/python bench/cockpit_bench.py
    ... bench/cockpit_bench.py --size small                 # 5,000 members, 50,000 purchases
    ... bench/cockpit_bench.py --members 20000 --purchases 300000

It never touches the database named in DATABASE_URL: it drops and creates its own (`--db`,
default club_cockpit_bench) on the same server, migrates it, and loads with COPY: five
branches, members who joined over three years (home branch, tier for most, one card each),
purchases over the last 400 days (a few members buy often, most rarely; 0.5 % reversed;
one in ten spends credit), and the credit ledger those purchases make (1 % cashback on
every purchase, the credit spent), with each account's balance equal to the sum of its
entries. Then it times: every KPI of the dashboard for the last 365 days (reports.kpis),
a segment count (cockpit.segments.count) and the members XLSX export (reports.exports),
with its peak Python memory (tracemalloc) and the process's peak RSS."""

import argparse
import os
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from array import array
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402
    STARTED,
    Step,
    bulk_session,
    check_columns,
    configure_django,
    copy_rows,
    create_indexes,
    drop_plain_indexes,
    insert_branches,
    prepare_database,
    print_table,
    progress,
)

FULL = {"members": 100_000, "purchases": 1_000_000}
SMALL = {"members": 5_000, "purchases": 50_000}
DAYS = 400  # purchases over the last 400 days
JOINED_DAYS = 3 * 365
BRANCHES = [("north", "North"), ("south", "South"), ("centre", "Centre"), ("east", "East"),
            ("west", "West")]  # fmt: skip
CASHBACK_BP = 100  # 1 %
TXN_COLUMNS = (
    "id", "kind", "terminal_id", "txn_id", "request_hash", "receipt", "original_id", "card_id",
    "member_id", "branch_id", "cashier_id", "amount", "redeemed", "cashback", "points",
    "referral_share", "points_uncollected", "tier", "occurred_at", "created_at", "response",
)  # fmt: skip
ENTRY_COLUMNS = (
    "account_id", "amount", "kind", "subject_type_id", "subject_id", "actor_id", "actor_label",
    "branch_id", "idempotency_key", "corrects_id", "description", "balance_after", "created_at",
)  # fmt: skip
LOADED_COLUMNS = {
    "accounts_user": {"password", "last_login", "is_superuser", "email", "mobile",
                      "mobile_verified", "is_active", "is_staff", "date_joined"},
    "accounts_memberprofile": {"user_id", "first_name", "last_name", "birth_date", "address",
                               "city", "preferred_language", "home_branch_id", "sms_consent",
                               "sms_consent_at", "email_consent", "email_consent_at",
                               "referral_code", "signup_referral_code"},
    "cardgateway_card": {"number", "member_id", "status", "replaces_id", "issued_at",
                         "issued_at_branch_id"},
    "cardgateway_transaction": set(TXN_COLUMNS),
    "gamification_account": {"member_id", "currency", "balance", "lifetime_earned",
                             "updated_at"},
    "gamification_ledgerentry": set(ENTRY_COLUMNS),
    "gamification_membertier": {"member_id", "tier_id", "since"},
}  # fmt: skip
BIG_TABLES = ("cardgateway_transaction", "gamification_ledgerentry")


def main() -> int:
    args = parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        print(
            "Refusing to run on SQLite: the loader uses PostgreSQL's COPY. Set "
            "DATABASE_URL=postgres://USER@HOST:PORT/DB (the database named there is left "
            "alone; the bench creates its own).",
            file=sys.stderr,
        )
        return 2
    if args.reuse:
        bench_url = urlunsplit(urlsplit(url)._replace(path=f"/{args.db}"))
        configure_django(bench_url, name=args.db)
        loaded = reused(args)
    else:
        bench_url = prepare_database(url, args.db)
        configure_django(bench_url, name=args.db)
        step = Step(f"migrating {args.db}")
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        step.done()
        loaded = load(args, random.Random(args.seed))
    figures = measure(args)
    print_figures(args, loaded, figures)
    progress(f"done; the data stays in database {args.db!r} (drop it with: dropdb {args.db})")
    return 0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=["full", "small"], default="full")
    parser.add_argument("--members", type=int, help=f"default {FULL['members']:,}")
    parser.add_argument("--purchases", type=int, help=f"default {FULL['purchases']:,}")
    parser.add_argument("--runs", type=int, default=3, help="timed dashboard runs (3)")
    parser.add_argument("--db", default="club_cockpit_bench", help="database to (re)create")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--reuse", action="store_true", help="measure the data a previous run left in --db"
    )
    args = parser.parse_args()
    size = SMALL if args.size == "small" else FULL
    for name in ("members", "purchases"):
        if getattr(args, name) is None:
            setattr(args, name, size[name])
    if args.members < 100 or args.purchases < args.members or args.runs < 1:
        parser.error("need at least 100 members, as many purchases, and one run")
    return args


# --- loading ----------------------------------------------------------------------------


def _people(cur, args) -> None:
    cur.execute(
        """
        INSERT INTO accounts_user (password, last_login, is_superuser, email, mobile,
                                   mobile_verified, is_active, is_staff, date_joined)
        SELECT '!bench', NULL, false, 'member' || n || '@bench.example', NULL, false, true,
               false, now() - (random() * %(days)s * interval '1 day')
        FROM generate_series(1, %(members)s) n ORDER BY n
        """,
        {"members": args.members, "days": JOINED_DAYS},
    )
    cur.execute("SELECT array_agg(id ORDER BY id) FROM cardgateway_branch")
    branches = cur.fetchone()[0]
    cur.execute(
        """
        INSERT INTO accounts_memberprofile (user_id, first_name, last_name, birth_date,
            address, city, preferred_language, home_branch_id, sms_consent, sms_consent_at,
            email_consent, email_consent_at, referral_code, signup_referral_code)
        SELECT u.id, 'Member', 'Bench' || u.id, NULL, '', 'Tehran',
               CASE WHEN u.id %% 3 = 0 THEN 'fa' ELSE 'en' END,
               (%(branches)s::bigint[])[1 + u.id %% %(n)s],
               u.id %% 2 = 0, CASE WHEN u.id %% 2 = 0 THEN u.date_joined END,
               u.id %% 3 = 0, CASE WHEN u.id %% 3 = 0 THEN u.date_joined END,
               'BC' || u.id, ''
        FROM accounts_user u ORDER BY u.id
        """,
        {"branches": branches, "n": len(branches)},
    )
    cur.execute(
        """
        INSERT INTO cardgateway_card (number, member_id, status, replaces_id, issued_at,
                                      issued_at_branch_id)
        SELECT '603799' || lpad(u.id::text, 10, '0'), u.id, 'active', NULL, u.date_joined, NULL
        FROM accounts_user u ORDER BY u.id
        """
    )
    # Three members in five have a tier: bronze to VIP, fewer the higher.
    cur.execute(
        """
        INSERT INTO gamification_membertier (member_id, tier_id, since)
        SELECT u.id, t.id, now() - interval '30 days'
        FROM accounts_user u
        JOIN (SELECT id, row_number() OVER (ORDER BY threshold) - 1 AS rank
              FROM gamification_tier) t
          ON t.rank = CASE WHEN u.id % 10 < 3 THEN 0 WHEN u.id % 10 < 5 THEN 1
                           WHEN u.id % 10 = 5 THEN 2 ELSE 3 END
        WHERE u.id % 10 <= 5 OR u.id % 20 = 6
        """
    )


def generate(args, rng: random.Random, members: list[int], cards: dict, branches: list[int]):
    """Purchases in time order as compact arrays: time (epoch s), member, branch, amount,
    redeemed, reversed (0/1)."""
    now = time.time()
    start = now - DAYS * 86400
    times = sorted(start + rng.random() * (DAYS * 86400 - 3600) for _ in range(args.purchases))
    # A few members buy often: member k drawn with weight 1 / (k + 50).
    weights = [1 / (k + 50) for k in range(len(members))]
    buyers = rng.choices(members, weights=weights, k=args.purchases)
    data = {
        "time": array("d", times),
        "member": array("q", buyers),
        "branch": array("q", (rng.choice(branches) for _ in range(args.purchases))),
        "amount": array("q", (rng.randrange(20, 4000) * 1000 for _ in range(args.purchases))),
        "reversed": array("b", (rng.random() < 0.005 for _ in range(args.purchases))),
    }
    return data


def txn_rows(data: dict, cards: dict, balances: dict, entries: list):
    """The purchases (and reversals) for COPY, and the credit ledger they make into
    `entries` as (account member, amount, kind, branch, time) in time order. Spending
    credit: one purchase in ten spends up to the member's balance."""
    next_id = len(data["time"]) + 1
    for i in range(len(data["time"])):
        at = datetime.fromtimestamp(data["time"][i], UTC)
        member, branch, amount = data["member"][i], data["branch"][i], data["amount"][i]
        balance = balances.get(member, 0)
        redeemed = min(balance, amount // 2) if i % 10 == 3 and balance > 0 else 0
        cashback = (amount - redeemed) * CASHBACK_BP // 10_000
        if redeemed:
            entries.append((member, -redeemed, "redeem", branch, at))
            balance -= redeemed
        if cashback:
            entries.append((member, cashback, "cashback", branch, at))
            balance += cashback
        balances[member] = balance
        yield (
            i + 1, "purchase", None, f"b{i + 1}", "", f"R{i + 1}", None, cards[member], member,
            branch, None, amount, redeemed, cashback, 0, 0, 0, "", None, at, "{}",
        )  # fmt: skip
        if data["reversed"][i]:
            later = at + timedelta(minutes=5)
            if redeemed:
                entries.append((member, redeemed, "purchase_reversal", branch, later))
                balance += redeemed
            if cashback:
                entries.append((member, -cashback, "purchase_reversal", branch, later))
                balance -= cashback
            balances[member] = balance
            yield (
                next_id, "reversal", None, f"b{next_id}", "", f"R{next_id}", i + 1,
                cards[member], member, branch, None, -amount, -redeemed, -cashback, 0, 0, 0,
                "", None, later, "{}",
            )  # fmt: skip
            next_id += 1


def entry_rows(entries: list, accounts: dict):
    running: dict[int, int] = {}
    for n, (member, amount, kind, branch, at) in enumerate(entries, start=1):
        running[member] = running.get(member, 0) + amount
        yield (
            accounts[member], amount, kind, None, None, None, "bench", branch, f"bench:{n}",
            None, "", running[member], at,
        )  # fmt: skip


def load(args, rng: random.Random) -> dict:
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cur:
        bulk_session(cur, maintenance_work_mem="512MB")
        check_columns(cur, LOADED_COLUMNS)
        step = Step(f"people: {args.members:,} members with profiles, cards and tiers")
        insert_branches(cur, BRANCHES)
        _people(cur, args)
        cur.execute("SELECT id FROM accounts_user ORDER BY id")
        members = [row[0] for row in cur.fetchall()]
        cur.execute("SELECT member_id, id FROM cardgateway_card")
        cards = dict(cur.fetchall())
        cur.execute("SELECT id FROM cardgateway_branch ORDER BY id")
        branches = [row[0] for row in cur.fetchall()]
        step.done()

        step = Step(f"generating {args.purchases:,} purchases (Python)")
        data = generate(args, rng, members, cards, branches)
        step.done()

        step = Step("COPY purchases, reversals and the credit ledger")
        deferred = []
        for table in BIG_TABLES:
            deferred += drop_plain_indexes(cur, table)
        balances: dict[int, int] = {}
        entries: list = []
        transactions = copy_rows(
            cur, "cardgateway_transaction", TXN_COLUMNS, txn_rows(data, cards, balances, entries)
        )
        # Ledger entries are in time order within each purchase's generation; sort them
        # by time so ids follow time, as in production.
        entries.sort(key=lambda e: e[4])
        holders = sorted({e[0] for e in entries})
        cur.execute(
            "INSERT INTO gamification_account (member_id, currency, balance, lifetime_earned, "
            "updated_at) SELECT m, 'credit', 0, 0, now() FROM unnest(%s::bigint[]) AS x(m) "
            "RETURNING member_id, id",
            [holders],
        )
        accounts = dict(cur.fetchall())
        ledger = copy_rows(cur, "gamification_ledgerentry", ENTRY_COLUMNS,
                           entry_rows(entries, accounts))  # fmt: skip
        del entries
        cur.execute(
            """
            UPDATE gamification_account a SET balance = s.total
            FROM (SELECT account_id, sum(amount) AS total FROM gamification_ledgerentry
                  GROUP BY account_id) s
            WHERE s.account_id = a.id
            """
        )
        for table in BIG_TABLES:
            sequence = f"pg_get_serial_sequence('{table}', 'id')"
            cur.execute(f"SELECT setval({sequence}, (SELECT max(id) FROM {table}))")  # noqa: S608
        copied = step.done()

        step = Step(f"rebuilding {len(deferred)} indexes")
        create_indexes(cur, deferred)
        cur.execute("SET session_replication_role = DEFAULT")
        step.done()

        step = Step("VACUUM ANALYZE")
        for table in (*BIG_TABLES, "accounts_user", "accounts_memberprofile", "cardgateway_card",
                      "gamification_account", "gamification_membertier"):  # fmt: skip
            cur.execute(f"VACUUM ANALYZE {table}")
        step.done()
        cur.execute(
            "SELECT count(*) FROM gamification_account a WHERE a.balance <> (SELECT "
            "coalesce(sum(amount), 0) FROM gamification_ledgerentry e WHERE e.account_id = a.id)"
        )
        if cur.fetchone()[0]:
            raise SystemExit("an account's balance differs from its entries: a loader bug")
        progress("checked: every credit balance equals the sum of its entries")
        cur.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        size = cur.fetchone()[0]
    load_seconds = time.perf_counter() - started
    progress(f"loaded in {load_seconds:.0f}s; database {size}")
    return {
        "load_seconds": load_seconds,
        "copy_seconds": copied,
        "size": size,
        "transactions": transactions,
        "ledger": ledger,
    }


def reused(args) -> dict:
    """What a previous run loaded into --db (its sizes; the load times are not known)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM accounts_user")
        args.members = cur.fetchone()[0]
        cur.execute("SELECT count(*) FILTER (WHERE kind = 'purchase'), count(*) FROM "
                    "cardgateway_transaction")  # fmt: skip
        args.purchases, transactions = cur.fetchone()
        cur.execute("SELECT count(*) FROM gamification_ledgerentry")
        ledger = cur.fetchone()[0]
        cur.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        size = cur.fetchone()[0]
    progress(f"reusing {args.db}: {args.members:,} members, {args.purchases:,} purchases")
    return {"load_seconds": 0, "copy_seconds": 0, "size": size, "transactions": transactions,
            "ledger": ledger}  # fmt: skip


# --- measuring --------------------------------------------------------------------------


def _timed(fn, *args, **kwargs):
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        start = time.perf_counter()
        result = fn(*args, **kwargs)
        seconds = time.perf_counter() - start
    return result, seconds, len(captured.captured_queries)


def measure(args) -> dict:
    from django.utils import timezone

    from reports import exports, kpis

    today = timezone.localdate()
    year = kpis.Period(start=today - timedelta(days=364), end=today)
    figures: dict = {"parts": [], "dashboard": []}
    progress("timing each KPI over the last 365 days (one warm-up pass first)")
    kpis.dashboard(year)
    names = ("membership", "retention", "purchasing", "credit", "tier_distribution",
             "purchases_over_time", "churn_risk", "referrals", "community", "tickets")  # fmt: skip
    with kpis.without_jit():  # as the dashboard runs them
        for name in names:
            _result, seconds, queries = _timed(getattr(kpis, name), year)
            figures["parts"].append((name, f"{seconds * 1000:,.0f}", str(queries)))
    for _ in range(args.runs):
        board, seconds, queries = _timed(kpis.dashboard, year)
        figures["dashboard"].append((seconds, queries))
    figures["board"] = board

    progress("segment count (cockpit.segments.count)")
    filters = {"period_days": 365, "visits_min": 3, "spend_min": 2_000_000}
    from cockpit import segments

    count, seconds, queries = _timed(segments.count, filters)
    figures["segment"] = (filters, count, seconds, queries)

    progress("members XLSX export (reports.exports.write_xlsx), tracemalloc on")
    params = {"start": year.start.isoformat(), "end": year.end.isoformat(), "branch": None}
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "members.xlsx"
        tracemalloc.start()
        start = time.perf_counter()
        rows = exports.write_xlsx(exports.get("members"), params, path)
        seconds = time.perf_counter() - start
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        size = path.stat().st_size
        # And without tracemalloc (it slows allocation-heavy code down).
        start = time.perf_counter()
        exports.write_xlsx(exports.get("members"), params, path)
        plain = time.perf_counter() - start
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    figures["export"] = (rows, seconds, plain, peak, size, rss_before, rss_after)
    return figures


def print_figures(args, loaded: dict, figures: dict) -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        version = cur.fetchone()[0]
        cur.execute("SHOW work_mem")
        work_mem = cur.fetchone()[0]
    board = figures["board"]
    title = (
        f"Customer Club cockpit bench: {args.members:,} members, {args.purchases:,} purchases "
        f"({loaded['transactions']:,} transactions with reversals, {loaded['ledger']:,} credit "
        f"entries); database {loaded['size']}, load {loaded['load_seconds']:.0f} s "
        f"(0: reused)\n"
        f"PostgreSQL {version} (work_mem {work_mem}), {os.cpu_count()} CPUs, load average "
        f"now {os.getloadavg()[0]:.1f} (a shared machine: figures under load)"
    )
    print_table(title + "\nKPIs over the last 365 days, each once after a warm-up",
                ("KPI function", "ms", "queries"), figures["parts"], right={1, 2})  # fmt: skip
    times = sorted(seconds for seconds, _q in figures["dashboard"])
    print(
        f"\nwhole dashboard (all KPIs, churn list included): best {times[0] * 1000:,.0f} ms, "
        f"worst {times[-1] * 1000:,.0f} ms over {len(times)} runs, "
        f"{figures['dashboard'][0][1]} queries"
    )
    p = board.purchasing
    print(
        f"  sanity: {board.membership['members_total']:,} members, {p['purchases']:,} purchases "
        f"by {p['buyers']:,} buyers in the year, repeat rate {100 * (p['repeat_rate'] or 0):.1f}%, "
        f"top 20% share {100 * (p['top_share'] or 0):.1f}%, outstanding credit "
        f"{board.credit['outstanding']:,} rials"
    )
    filters, count, seconds, queries = figures["segment"]
    print(f"\nsegment count {filters}: {count} members in {seconds * 1000:,.0f} ms, "
          f"{queries} queries")  # fmt: skip
    rows, seconds, plain, peak, size, rss_before, rss_after = figures["export"]
    print(
        f"\nmembers XLSX export: {rows:,} rows, {size / 1e6:.1f} MB file, {seconds:.1f} s with "
        f"tracemalloc ({plain:.1f} s without), Python peak {peak / 1e6:.1f} MB (tracemalloc), "
        f"process peak RSS {rss_before / 1024:.0f} MB before, {rss_after / 1024:.0f} MB after"
    )
    print(f"total run time {time.perf_counter() - STARTED:.0f} s\n", flush=True)


if __name__ == "__main__":
    sys.exit(main())
