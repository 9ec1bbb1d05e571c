"""Ledger, leaderboard and tier benchmark on PostgreSQL. Prints its figures; not a test.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/club .venv/bin/python bench/ledger_bench.py
    ... bench/ledger_bench.py --scale small               # 2,000 members, 100,000 entries
    ... bench/ledger_bench.py --members 20000 --entries 1000000 --explain

It never touches the database named in DATABASE_URL: it drops and creates its own
(`--db`, default club_bench) on the same server, migrates it, bulk-loads members and a
year of consistent ledger history with server-side SQL (generate_series, INSERT ...
SELECT), then times the real code: gamification.ledger.post, leaderboards.top / rank_of,
tiers.reevaluate_all and ledger.audit. See bench/README.md."""

import argparse
import multiprocessing
import os
import random
import statistics
import sys
import threading
import time
import uuid
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

FULL = {"members": 100_000, "entries": 5_000_000}
SMALL = {"members": 2_000, "entries": 100_000}
STAFF_EVERY = 1000  # one member in a thousand holds a staff role (never ranked)
INACTIVE_EVERY = 500  # one in five hundred is deactivated (never ranked)
BRANCHES = [("bench-north", "North"), ("bench-centre", "Centre"), ("bench-south", "South")]
FIRST_NAMES = ["Ada", "Babak", "Cyrus", "Dara", "Elham", "Farid", "Golnar", "Hamid"]


def main() -> int:
    args = parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        full = args.members >= FULL["members"] or args.entries >= FULL["entries"]
        size = "the full size" if full else "any size"
        print(
            f"Refusing to run on SQLite at {size} ({args.members:,} members, "
            f"{args.entries:,} entries): the loader is PostgreSQL SQL and SQLite figures say "
            "nothing about production. Set DATABASE_URL=postgres://USER@HOST:PORT/DB "
            "(the database named there is left alone; the bench creates its own).",
            file=sys.stderr,
        )
        return 2
    bench_url = prepare_database(url, args.db)
    configure_django(bench_url)
    progress(f"migrating {args.db}")
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    rng = random.Random(args.seed)
    load(args)
    figures = measure(args, rng)
    print_figures(args, figures)
    progress(f"done; the data stays in database {args.db!r} (drop it with: dropdb {args.db})")
    return 0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=["full", "small"], default="full")
    parser.add_argument("--members", type=int, help=f"default {FULL['members']:,} (small: 2,000)")
    parser.add_argument("--entries", type=int, help=f"default {FULL['entries']:,} (small: 100,000)")
    parser.add_argument("--posts", type=int, default=2000, help="postings per posting test")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--runs", type=int, default=7, help="read timings: median of this many")
    parser.add_argument("--db", default="club_bench", help="database to (re)create")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--explain", action="store_true", help="print EXPLAIN ANALYZE of the read queries"
    )
    args = parser.parse_args()
    size = SMALL if args.scale == "small" else FULL
    args.members = args.members if args.members is not None else size["members"]
    args.entries = args.entries if args.entries is not None else size["entries"]
    if args.members < 10 or args.entries < 1 or args.posts < args.threads or args.threads < 1:
        parser.error("need at least 10 members, 1 entry, and posts >= threads >= 1")
    return args


# --- the database -----------------------------------------------------------------------


# --- loading ----------------------------------------------------------------------------


def load(args) -> None:
    from django.db import connection

    from gamification.models import EARNING_KINDS, ClubSettings

    members, entries = args.members, args.entries
    tz = _time_zone()
    window = ClubSettings.load().tier_window_days
    earning = sorted(str(kind) for kind in EARNING_KINDS)
    with connection.cursor() as cur:
        bulk_session(cur, maintenance_work_mem="1GB")
        cur.execute("SET work_mem = '256MB'")
        _check_columns(cur)

        step = _Step(f"members: {members:,} users, profiles, accounts, 3 branches")
        insert_branches(cur, BRANCHES)
        cur.execute(
            """
            INSERT INTO accounts_user (password, last_login, is_superuser, email, mobile,
                                       mobile_verified, is_active, is_staff, date_joined)
            SELECT '!bench', NULL, n = 13, 'member' || n || '@bench.example', NULL, false,
                   n %% %(inactive)s <> 0, n = 13, now() - interval '2 years'
            FROM generate_series(1, %(members)s) AS n ORDER BY n
            """,
            {"members": members, "inactive": INACTIVE_EVERY},
        )
        cur.execute(
            """
            CREATE TEMP TABLE bench_member AS
            SELECT n, u.id AS user_id, b.id AS branch_id
            FROM (SELECT row_number() OVER (ORDER BY id) AS n, id FROM accounts_user
                  WHERE email LIKE '%%@bench.example') u
            JOIN (SELECT row_number() OVER (ORDER BY code) - 1 AS k, id
                  FROM cardgateway_branch WHERE code LIKE 'bench-%%') b ON b.k = u.n %% 3
            """,
            {},
        )
        cur.execute("CREATE UNIQUE INDEX ON bench_member (n)")
        cur.execute("ANALYZE bench_member")
        cur.execute(
            """
            INSERT INTO accounts_memberprofile (user_id, first_name, last_name, birth_date,
                address, city, preferred_language, home_branch_id, sms_consent,
                sms_consent_at, email_consent, email_consent_at, referral_code,
                signup_referral_code)
            SELECT user_id, (%(names)s::text[])[1 + n %% %(name_count)s], 'Bench' || n, NULL,
                   '', 'Tehran', 'en', branch_id, false, NULL, false, NULL, 'BN' || n, ''
            FROM bench_member ORDER BY n
            """,
            {"names": FIRST_NAMES, "name_count": len(FIRST_NAMES)},
        )
        cur.execute(
            """
            INSERT INTO accounts_user_groups (user_id, group_id)
            SELECT m.user_id, g.id FROM bench_member m
            JOIN (SELECT row_number() OVER (ORDER BY id) - 1 AS k, id FROM auth_group
                  WHERE name = ANY(%(staff)s)) g
              ON g.k = (m.n / %(every)s) %% %(roles)s
            WHERE m.n %% %(every)s = 7
            """,
            {"staff": list(_staff_groups()), "every": STAFF_EVERY, "roles": len(_staff_groups())},
        )
        cur.execute(
            """
            INSERT INTO gamification_account (member_id, currency, balance, lifetime_earned,
                                              updated_at)
            SELECT m.user_id, c.currency, 0, 0, now()
            FROM bench_member m CROSS JOIN (VALUES ('points'), ('credit')) AS c(currency)
            ORDER BY m.user_id, c.currency DESC
            """
        )
        step.done()

        step = _Step(f"ledger: {entries:,} entries over 365 days (generate_series)")
        # Activity is skewed like a real club: member n is picked with density ~ 1/sqrt(n),
        # so a few are very active (VIP) and the long tail earns a little. 70 % of entries
        # are points (activity awards, purchase points), 30 % credit (cashback in rials).
        cur.execute(
            """
            CREATE UNLOGGED TABLE bench_raw AS
            WITH x AS (
                SELECT LEAST(%(members)s, 1 + floor(%(members)s * power(random(), 2))::int) AS n,
                       random() < 0.7 AS is_points, random() AS k, random() AS v,
                       now() - random() * interval '365 days' AS created_at
                FROM generate_series(1, %(entries)s)
            )
            SELECT a.id AS account_id, x.created_at,
                   CASE WHEN NOT x.is_points THEN 'cashback'
                        WHEN x.k < 0.6 THEN 'award' ELSE 'purchase_points' END AS kind,
                   CASE WHEN x.is_points THEN 1 + floor(x.v * 100)::int
                        ELSE 1000 * (1 + floor(x.v * 50)::int) END AS amount,
                   CASE WHEN x.is_points AND x.k < 0.6 THEN NULL ELSE m.branch_id END
                       AS branch_id
            FROM x JOIN bench_member m USING (n)
            JOIN gamification_account a
              ON a.member_id = m.user_id
             AND a.currency = CASE WHEN x.is_points THEN 'points' ELSE 'credit' END
            """,
            {"members": members, "entries": entries},
        )
        step.done()
        step = _Step("ledger: insert with balance_after chains (indexes rebuilt after)")
        deferred = drop_plain_indexes(cur, "gamification_ledgerentry")
        # Ids follow time, as they do when the ledger posts; balance_after is the running
        # total of the account in id order, which is exactly what ledger.audit() checks.
        cur.execute(
            """
            INSERT INTO gamification_ledgerentry (id, account_id, amount, kind,
                subject_type_id, subject_id, actor_id, actor_label, branch_id,
                idempotency_key, corrects_id, description, balance_after, created_at)
            SELECT id, account_id, amount, kind, NULL, NULL, NULL, '', branch_id,
                   'bench:' || lpad(id::text, 10, '0'), NULL, '',
                   sum(amount) OVER (PARTITION BY account_id ORDER BY id), created_at
            FROM (SELECT row_number() OVER (ORDER BY created_at) AS id, * FROM bench_raw) s
            ORDER BY id
            """
        )
        cur.execute(
            "SELECT setval(pg_get_serial_sequence('gamification_ledgerentry', 'id'), "
            "(SELECT max(id) FROM gamification_ledgerentry))"
        )
        cur.execute("DROP TABLE bench_raw")
        create_indexes(cur, deferred)
        step.done()

        step = _Step("pre-aggregates: DailyTotal, balances, lifetime_earned, MemberTier")
        deferred = drop_plain_indexes(cur, "gamification_dailytotal")
        cur.execute(
            """
            INSERT INTO gamification_dailytotal (member_id, day, earned)
            SELECT a.member_id, (e.created_at AT TIME ZONE %(tz)s)::date AS day, sum(e.amount)
            FROM gamification_ledgerentry e JOIN gamification_account a ON a.id = e.account_id
            WHERE a.currency = 'points' AND e.kind = ANY(%(earning)s)
            GROUP BY 1, 2 ORDER BY 2, 1
            """,
            {"tz": tz, "earning": earning},
        )
        create_indexes(cur, deferred)
        cur.execute(
            """
            UPDATE gamification_account a
               SET balance = s.balance, lifetime_earned = s.earned
            FROM (SELECT e.account_id, sum(e.amount) AS balance,
                         coalesce(sum(e.amount) FILTER (WHERE e.kind = ANY(%(earning)s)), 0)
                             AS earned
                  FROM gamification_ledgerentry e GROUP BY e.account_id) s
            WHERE a.id = s.account_id
            """,
            {"earning": earning},
        )
        cur.execute(
            "UPDATE gamification_account SET lifetime_earned = 0 WHERE currency <> 'points'"
        )
        # Every member placed as the tier rules would have placed them today, so the
        # nightly job below measures a normal night, not a first-ever placement.
        cur.execute(
            """
            INSERT INTO gamification_membertier (member_id, tier_id, since)
            SELECT d.member_id,
                   coalesce((SELECT t.id FROM gamification_tier t WHERE t.threshold <= d.total
                             ORDER BY t.threshold DESC LIMIT 1),
                            (SELECT t.id FROM gamification_tier t
                             ORDER BY t.threshold LIMIT 1)),
                   now()
            FROM (SELECT member_id, sum(earned) AS total FROM gamification_dailytotal
                  WHERE day BETWEEN (now() AT TIME ZONE %(tz)s)::date - %(back)s
                                AND (now() AT TIME ZONE %(tz)s)::date
                  GROUP BY member_id) d
            """,
            {"tz": tz, "back": window - 1},
        )
        cur.execute("SET session_replication_role = DEFAULT")
        step.done()

        step = _Step("VACUUM ANALYZE")
        for table in (
            "accounts_user",
            "accounts_user_groups",
            "accounts_memberprofile",
            "gamification_account",
            "gamification_ledgerentry",
            "gamification_dailytotal",
            "gamification_membertier",
        ):
            cur.execute(f"VACUUM ANALYZE {table}")
        step.done()
        cur.execute(
            "SELECT (SELECT count(*) FROM gamification_ledgerentry), "
            "(SELECT count(*) FROM gamification_dailytotal), "
            "pg_size_pretty(pg_database_size(current_database()))"
        )
        count, days, size = cur.fetchone()
        progress(f"loaded: {count:,} entries, {days:,} daily totals, database {size}")


class _Step:
    def __init__(self, name: str):
        self.name, self.start = name, time.perf_counter()
        progress(name)

    def done(self) -> None:
        progress(f"  ... {time.perf_counter() - self.start:.1f}s")


def _time_zone() -> str:
    from django.conf import settings

    return settings.TIME_ZONE


def _staff_groups() -> tuple[str, ...]:
    from gamification.leaderboards import STAFF_GROUPS

    return STAFF_GROUPS


# Columns each bulk INSERT fills. A NOT NULL column without a default that is missing
# here means a model changed: the loader says so instead of failing half-way.
LOADED_COLUMNS = {
    "accounts_user": {"password", "last_login", "is_superuser", "email", "mobile",
                      "mobile_verified", "is_active", "is_staff", "date_joined"},
    "accounts_memberprofile": {"user_id", "first_name", "last_name", "birth_date", "address",
                               "city", "preferred_language", "home_branch_id", "sms_consent",
                               "sms_consent_at", "email_consent", "email_consent_at",
                               "referral_code", "signup_referral_code"},
    "gamification_account": {"member_id", "currency", "balance", "lifetime_earned",
                             "updated_at"},
    "gamification_ledgerentry": {"id", "account_id", "amount", "kind", "subject_type_id",
                                 "subject_id", "actor_id", "actor_label", "branch_id",
                                 "idempotency_key", "corrects_id", "description",
                                 "balance_after", "created_at"},
    "gamification_dailytotal": {"member_id", "day", "earned"},
    "gamification_membertier": {"member_id", "tier_id", "since"},
    "cardgateway_branch": {"code", "name", "city", "address", "phone", "is_active"},
}  # fmt: skip


def _check_columns(cur) -> None:
    cur.execute(
        """
        SELECT table_name, column_name FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name = ANY(%s)
          AND is_nullable = 'NO' AND column_default IS NULL AND is_identity = 'NO'
        """,
        [list(LOADED_COLUMNS)],
    )
    missing = [f"{t}.{c}" for t, c in cur.fetchall() if c not in LOADED_COLUMNS[t]]
    if missing:
        raise SystemExit(f"the schema has required columns the loader does not fill: {missing}")


# --- measuring --------------------------------------------------------------------------


def measure(args, rng: random.Random) -> list[tuple[str, str, str]]:
    from django.apps import apps
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from gamification import leaderboards, ledger, tiers

    figures: list[tuple[str, str, str]] = []
    User = get_user_model()
    ids = list(
        User.objects.filter(email__endswith="@bench.example", is_active=True, is_superuser=False)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    posters = User.objects.in_bulk(rng.sample(ids, min(len(ids), args.posts)))
    posters = [posters[pk] for pk in sorted(posters)]
    rng.shuffle(posters)
    one = posters[0]
    run = uuid.uuid4().hex[:8]

    def post(member, key: str) -> None:
        ledger.post(
            member=member,
            currency="points",
            amount=1 + len(key) % 5,
            kind="award",
            idempotency_key=f"bench:{run}:{key}",
            description="bench",
        )

    progress(f"posting {args.posts:,} entries to one account")
    seconds = _timed_once(lambda: [post(one, f"one:{i}") for i in range(args.posts)])
    figures.append(_rate("ledger.post, one account, sequential", args.posts, seconds))

    progress(f"posting {args.posts:,} entries over {len(posters):,} members")
    members = [posters[i % len(posters)] for i in range(args.posts)]
    seconds = _timed_once(lambda: [post(m, f"many:{i}") for i, m in enumerate(members)])
    figures.append(_rate("ledger.post, random members, sequential", args.posts, seconds))

    progress(f"posting {args.posts:,} entries over random members from {args.threads} threads")
    seconds = _threaded(args.threads, members, lambda m, i: post(m, f"threads:{i}"))
    figures.append(
        _rate(f"ledger.post, random members, {args.threads} threads", args.posts, seconds)
    )

    progress(f"posting {args.posts:,} entries over random members from {args.threads} processes")
    seconds = _in_processes(args.threads, members, lambda m, i: post(m, f"processes:{i}"))
    figures.append(
        _rate(f"ledger.post, random members, {args.threads} processes", args.posts, seconds)
    )

    progress(f"posting {args.posts:,} entries to one account from {args.threads} threads")
    seconds = _threaded(args.threads, [one] * args.posts, lambda m, i: post(m, f"hot:{i}"))
    figures.append(_rate(f"ledger.post, one account, {args.threads} threads", args.posts, seconds))

    progress(f"leaderboards: median of {args.runs} runs each")
    branch_model = apps.get_model("cardgateway", "Branch")
    branch_id = branch_model.objects.filter(code="bench-north").values_list("pk", flat=True)[0]
    reads = [
        ("leaderboards.top(period='week')", lambda: leaderboards.top(period="week")),
        ("leaderboards.top(period='month')", lambda: leaderboards.top(period="month")),
        ("leaderboards.top(period='all')", lambda: leaderboards.top(period="all")),
        (
            "leaderboards.top(period='week', branch)",
            lambda: leaderboards.top(period="week", branch_id=branch_id),
        ),
    ]
    for label, read in reads:
        figures.append((label, *_median_ms(read, args.runs)))
    board = leaderboards.top(period="week")
    middle = _ranked_member_in_the_middle(ids)
    rank, points = leaderboards.rank_of(member=middle, period="week")
    for period in ("week", "month", "all"):
        figures.append(
            (
                f"leaderboards.rank_of(period='{period}')",
                *_median_ms(
                    lambda p=period: leaderboards.rank_of(member=middle, period=p), args.runs
                ),
            )
        )
    figures.append(
        (
            "  weekly board: leader / mid member",
            f"{board[0].points:,} pts" if board else "-",
            f"rank {rank:,} with {points:,} pts" if rank else f"unranked, {points} pts",
        )
    )

    if args.explain:
        _explain(lambda: leaderboards.top(period="week"), "top(period='week')")
        _explain(lambda: leaderboards.top(period="month"), "top(period='month')")
        _explain(lambda: leaderboards.top(period="all"), "top(period='all')")
        _explain(lambda: leaderboards.rank_of(member=middle, period="week"), "rank_of(week)")
        _explain(lambda: leaderboards.rank_of(member=middle, period="all"), "rank_of(all)")
        _explain_reevaluate()

    now = timezone.now()
    progress("tiers.reevaluate_all(): a night with nothing to move")
    start = time.perf_counter()
    result = tiers.reevaluate_all(at=now)
    figures.append(_job("tiers.reevaluate_all, steady state", time.perf_counter() - start, result))
    progress("tiers.reevaluate_all(): the next night (window slides one day)")
    start = time.perf_counter()
    result = tiers.reevaluate_all(at=now + timedelta(days=1))
    figures.append(_job("tiers.reevaluate_all, next day", time.perf_counter() - start, result))

    progress("ledger.audit()")
    start = time.perf_counter()
    problems = ledger.audit()
    seconds = time.perf_counter() - start
    verdict = "books balance" if not problems else f"{len(problems):,} problems"
    figures.append(("ledger.audit()", f"{seconds:.1f} s", verdict))
    for problem in problems[:5]:
        print(f"    audit: {problem}")
    connection.close()
    return figures


def _ranked_member_in_the_middle(ids: list[int]):
    """A member with points this week, half-way down the activity curve: rank_of then
    counts tens of thousands of members ahead (an unranked member returns early)."""
    from django.contrib.auth import get_user_model

    from gamification import leaderboards

    users = get_user_model().objects
    for pk in ids[len(ids) // 2 :: 7][:200]:
        user = users.get(pk=pk)
        if leaderboards.rank_of(member=user, period="week")[0] is not None:
            return user
    return users.get(pk=ids[0])


def _timed_once(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _rate(label: str, count: int, seconds: float) -> tuple[str, str, str]:
    return label, f"{count / seconds:,.0f} posts/s", f"{seconds * 1000 / count:.2f} ms/post"


def _median_ms(fn, runs: int) -> tuple[str, str]:
    fn()  # warm the cache once, as a busy server would be
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return f"{statistics.median(times):.1f} ms", f"min {min(times):.1f}, max {max(times):.1f} ms"


def _job(label: str, seconds: float, result: dict) -> tuple[str, str, str]:
    return label, f"{seconds:.1f} s", f"{result['members']:,} members, {result['changed']:,} moved"


def _threaded(threads: int, members: list, work) -> float:
    """Run work(member, i) for every member across `threads` threads; wall-clock seconds."""
    from django.db import connection

    errors: list[BaseException] = []
    barrier = threading.Barrier(threads + 1)

    def worker(offset: int) -> None:
        try:
            barrier.wait()
            for i in range(offset, len(members), threads):
                work(members[i], i)
        except BaseException as exc:  # reported below, after the clock stops
            errors.append(exc)
        finally:
            connection.close()

    pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for thread in pool:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    for thread in pool:
        thread.join()
    seconds = time.perf_counter() - start
    if errors:
        raise RuntimeError(f"{len(errors)} posting threads failed") from errors[0]
    return seconds


def _in_processes(processes: int, members: list, work) -> float:
    """Like _threaded, in forked processes: each has its own interpreter (no shared GIL)
    and its own database connection, as separate web or Celery workers would."""
    from django.db import connections

    connections.close_all()  # a child must never reuse the parent's connection
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(processes + 1)

    def worker(offset: int) -> None:
        barrier.wait()
        for i in range(offset, len(members), processes):
            work(members[i], i)
        connections.close_all()

    pool = [context.Process(target=worker, args=(n,)) for n in range(processes)]
    for process in pool:
        process.start()
    barrier.wait()
    start = time.perf_counter()
    for process in pool:
        process.join()
    seconds = time.perf_counter() - start
    failed = [process.exitcode for process in pool if process.exitcode != 0]
    if failed:
        raise RuntimeError(f"{len(failed)} posting processes failed: exit codes {failed}")
    return seconds


def _explain(fn, label: str, match: str = "SELECT") -> None:
    """EXPLAIN (ANALYZE, BUFFERS) every query `fn` runs."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        fn()
    for query in captured.captured_queries:
        if not query["sql"].lstrip().upper().startswith(match):
            continue
        with connection.cursor() as cur:
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
            plan = "\n".join(f"      {row[0]}" for row in cur.fetchall())
        print(f"\n  EXPLAIN ANALYZE {label}:\n      {query['sql'][:300]}...\n{plan}", flush=True)


def _explain_reevaluate() -> None:
    """Only the nightly job's window aggregate: the rest is per-member work."""
    from django.db.models import Sum
    from django.utils import timezone

    from gamification.models import ClubSettings, DailyTotal

    today = timezone.localdate()
    start = today - timedelta(days=ClubSettings.load().tier_window_days - 1)
    query = (
        DailyTotal.objects.filter(day__gte=start, day__lte=today)
        .values("member")
        .annotate(total=Sum("earned"))
        .values_list("member", "total")
    )
    _explain(lambda: list(query), "reevaluate_all window totals")


def print_figures(args, figures) -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        version = cur.fetchone()[0]
    title = (
        f"Customer Club ledger bench: {args.members:,} members, {args.entries:,} entries, "
        f"PostgreSQL {version}, {os.cpu_count()} CPUs, load average now "
        f"{os.getloadavg()[0]:.1f} (other work on the machine slows the posting figures)"
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
