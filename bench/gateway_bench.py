"""Card gateway load benchmark on PostgreSQL: signed readers against the portal under
Daphne, then pgbench against the same server for scale. Prints its figures; not a test.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/club .venv/bin/python bench/gateway_bench.py
    ... bench/gateway_bench.py --readers 16 --seconds 20 --workers 2
    ... bench/gateway_bench.py --queries          # SQL statements per request kind, then exit

It never touches the database named in DATABASE_URL: it creates its own (`--db`, default
club_gateway_bench) and a pgbench database (`--pgbench-db`, default club_gateway_pgbench)
on the same server, and drops both at the end (`--keep` keeps them). The load driver is
cardgateway/loadgen.py, the one the concurrency and crash tests use. See bench/README.md."""

import argparse
import glob
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import progress  # noqa: E402
from cardgateway import loadgen  # noqa: E402  (after the path)


def main() -> int:
    args = parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        print(
            "Set DATABASE_URL=postgres://USER@HOST:PORT/DB: the gateway bench runs on "
            "PostgreSQL only (the database named there is left alone; the bench creates its "
            "own).",
            file=sys.stderr,
        )
        return 2
    bench_url = create_database(url, args.db)
    keys = os.environ.get("TERMINAL_SECRET_KEYS") or _fernet_key()
    configure_django(bench_url, keys)
    try:
        from django.core.management import call_command

        progress(f"migrating {args.db}")
        call_command("migrate", verbosity=0)
        progress(f"seeding {args.members:,} members with cards, {args.readers} terminals")
        terminals, cards = loadgen.seed_club(
            members=args.members, terminals=args.readers, prefix="bench"
        )
        if args.queries:
            print_query_counts(terminals, cards)
            return 0
        figures = run_gateway(args, bench_url, keys, terminals, cards)
        figures |= run_pgbench(args, url)
        print_figures(args, figures)
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            drop_database(url, args.db)
    return 0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--readers", type=int, default=16, help="concurrent signed readers")
    parser.add_argument("--seconds", type=float, default=20, help="length of each load")
    parser.add_argument("--workers", type=int, default=2, help="Daphne processes (one port each)")
    parser.add_argument(
        "--client-processes",
        type=int,
        default=2,
        help="processes the readers are spread over (threads within each)",
    )
    parser.add_argument("--members", type=int, default=1000, help="members, one card each")
    parser.add_argument("--think-ms", type=float, default=0, help="mean pause between requests")
    parser.add_argument("--timeout", type=float, default=10, help="reader timeout per attempt")
    parser.add_argument(
        "--settings",
        default="bench.gateway_settings",
        help="settings of the Daphne workers (default: production's)",
    )
    parser.add_argument(
        "--db-pool",
        type=int,
        default=0,
        help="psycopg pool of at most N connections per worker (0: a connection per request)",
    )
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("REDIS_URL", ""),
        help="Redis of the workers (nonces, rate limit); default $REDIS_URL",
    )
    parser.add_argument("--db", default="club_gateway_bench")
    parser.add_argument("--pgbench-db", default="club_gateway_pgbench")
    parser.add_argument("--pgbench-scale", type=int, default=10)
    parser.add_argument("--no-pgbench", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep both databases afterwards")
    parser.add_argument(
        "--queries",
        action="store_true",
        help="count SQL statements per request kind (in-process) and exit",
    )
    parser.add_argument("--log-dir", type=Path, help="keep the Daphne logs here")
    parser.add_argument(
        "--py-spy",
        metavar="PATH",
        help="sample the workers with this py-spy binary during the load and print where "
        "their CPU goes (py-spy is not a project dependency: pip install py-spy)",
    )
    args = parser.parse_args()
    if args.readers < 1 or args.workers < 1 or args.seconds <= 0 or args.members < 3:
        parser.error("need readers, workers >= 1, seconds > 0, members >= 3")
    args.client_processes = max(1, min(args.client_processes, args.readers))
    return args


# --- databases ----------------------------------------------------------------------------


def _server_url(url: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/postgres", query=""))


def _safe(url: str, name: str) -> None:
    if name == urlsplit(url).path.lstrip("/") or "bench" not in name:
        raise SystemExit(f"refusing to drop database {name!r}: pick a name containing 'bench'")


def create_database(url: str, name: str) -> str:
    import psycopg
    from psycopg import sql

    _safe(url, name)
    progress(f"creating database {name!r}")
    with psycopg.connect(_server_url(url), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def drop_database(url: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    _safe(url, name)
    with psycopg.connect(_server_url(url), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
    progress(f"dropped database {name!r}")


def _fernet_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


def configure_django(bench_url: str, keys: str) -> None:
    """This process only migrates, seeds and checks; the Daphne workers serve."""
    os.environ.update(
        DATABASE_URL=bench_url,
        DJANGO_SETTINGS_MODULE="portal.settings.dev",
        DEBUG="0",
        TERMINAL_SECRET_KEYS=keys,
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        SMS_BACKEND="portal.notifications.sms.LocmemBackend",
        LOG_LEVEL="WARNING",
    )
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()


# --- the gateway under load ---------------------------------------------------------------


def worker_env(args, bench_url: str, keys: str) -> dict[str, str]:
    extra = {
        "TERMINAL_SECRET_KEYS": keys,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "SECURE_SSL_REDIRECT": "0",
        "GATEWAY_SETTINGS_BASE": "production",
        "DATABASE_POOL_SIZE": str(args.db_pool),
    }
    return loadgen.server_env(
        database_url=bench_url,
        redis_url=args.redis_url,
        settings_module=args.settings,
        prefix=f"gwbench-{secrets.token_hex(3)}",
        **extra,
    )


def run_gateway(args, bench_url, keys, terminals, cards) -> dict:
    from django.core.management import call_command

    log_dir = args.log_dir or Path(tempfile.mkdtemp(prefix="gateway-bench-"))
    log_dir.mkdir(parents=True, exist_ok=True)
    env = worker_env(args, bench_url, keys)
    progress(f"starting {args.workers} Daphne worker(s) ({args.settings}); logs in {log_dir}")
    servers = loadgen.ServerGroup(workers=args.workers, env=env, log_dir=log_dir)
    servers.start()
    try:
        progress("warming up (1 s)")
        warm = loadgen.LoadRun(
            addresses=servers.addresses,
            terminals=terminals,
            cards=cards,
            readers=min(args.readers, 4),
            seconds=1,
            run_id="warm",
        ).run()
        progress(
            f"{args.readers} readers in {args.client_processes} client process(es) "
            f"for {args.seconds:g} s"
        )
        load_before = os.getloadavg()[0]
        samplers = _start_py_spy(args, servers.pids, log_dir)
        server_cpu, machine_cpu = _cpu_of(servers.pids), _machine_cpu()
        result = loadgen.run_in_processes(
            processes=args.client_processes,
            readers=args.readers,
            seconds=args.seconds,
            addresses=servers.addresses,
            terminals=terminals,
            cards=cards,
            timeout=args.timeout,
            think=args.think_ms / 1000,
            run_id=f"B{secrets.token_hex(2)}",
        )
        server_cpu = _cpu_of(servers.pids) - server_cpu
        machine_cpu = _machine_cpu() - machine_cpu
        for sampler in samplers:
            sampler.wait()
    finally:
        servers.stop()
    progress("checking: exactly-once and the ledger audit")
    checked = loadgen.LoadResult()
    checked.merge(warm)
    checked.merge(result)
    problems = loadgen.check_exactly_once(checked, run_terminals=[t.terminal_id for t in terminals])
    audit_ok = True
    try:
        call_command("audit_ledger", stdout=open(os.devnull, "w"))
    except Exception:  # CommandError: differences found
        audit_ok = False
    summary = result.summary()
    if samplers:
        print_profile(sorted(log_dir.glob("py-spy-*.txt")))
    return {
        "summary": summary,
        "problems": problems,
        "audit_ok": audit_ok,
        "server_cpu_s": server_cpu,
        "machine_cpu_s": machine_cpu,
        "load_before": load_before,
    }


def _machine_cpu() -> float:
    """Busy CPU seconds of the whole machine so far (/proc/stat: all but idle and iowait)."""
    fields = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def _cpu_of(pids: list[int]) -> float:
    """User + system CPU seconds of processes (Linux /proc), 0 for any that is gone."""
    total = 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


# --- where the workers' CPU goes ------------------------------------------------------------

# (label, any of these in a frame): each sample is charged to the first rule that matches
# a frame, walking from the innermost frame outwards; stdlib helpers are skipped on the way.
ORM_BUILD = (
    "django/db/models/sql/",
    "django/db/models/query_utils",
    "django/db/models/lookups",
    "django/db/models/expressions",
    "django/db/models/fields/",
    "django/db/models/query.py",
    "django/db/models/manager.py",
)
ORM_REST = ("django/db/models/", "django/db/transaction", "django/db/backends/", "django/db/utils")
REQUEST = (
    "django/core/handlers",
    "django/http",
    "django/middleware",
    "django/utils",
    "django/urls",
    "django/contrib",
    "django/dispatch",
    "django/views",
    "django_ratelimit/",
    "whitenoise/",
    "allauth/",
    "portal/",
)
BUCKETS = [
    ("Redis client: new connection (importlib.metadata)", ("importlib/metadata",)),
    ("Fernet decrypt of the terminal secret", ("cryptography/", "vault.py")),
    ("signature check (HMAC, SHA-256)", ("signing.py",)),
    ("psycopg: connect", ("_connect_gen", "Connection.connect (psycopg")),
    ("psycopg: send, wait, parse results", ("psycopg/", "psycopg_pool/")),
    ("Redis client: commands", ("redis/",)),
    ("Django ORM: building and compiling queries", ORM_BUILD),
    ("Django ORM: model instances, save, transactions", ORM_REST),
    ("JSON encode / decode", ("json/",)),
    ("cardgateway / gamification code itself", ("cardgateway/", "gamification/")),
    ("Django request, response, middleware", REQUEST),
    (
        "asgiref: a thread per request, sync/async hand-over",
        ("asgiref/", "concurrent/", "threading"),
    ),
    ("Daphne, Twisted, asyncio event loop", ("daphne", "twisted/", "asyncio/", "channels/")),
]
FUNCTIONS = [
    ("authenticate (terminal, secret, signature, nonce)", "authenticate (cardgateway/auth.py"),
    ("  nonce: cache.add", "RedisCache.add ("),
    ("rate limit (GatewaySettings + cache)", "_rate_limited (cardgateway/api.py"),
    ("services.inquiry", "inquiry (cardgateway/services.py"),
    ("services.post_purchase", "post_purchase (cardgateway/services.py"),
    ("  _replay look-ups", "_replay (cardgateway/services.py"),
    ("  find_card", "find_card (cardgateway/services.py"),
    ("  _check_limits", "_check_limits (cardgateway/services.py"),
    ("  ledger.lock_accounts", "lock_accounts (gamification/ledger.py"),
    ("  ledger.post_many", "post_many (gamification/ledger.py"),
    ("  referrals.credit_purchase_share", "credit_purchase_share (gamification/referrals.py"),
    ("  tiers.promote_if_due", "promote_if_due (gamification/tiers.py"),
    ("services.reverse_purchase / return_purchase", "_follow_up (cardgateway/services.py"),
]


def _start_py_spy(args, pids: list[int], log_dir: Path) -> list[subprocess.Popen]:
    if not args.py_spy:
        return []
    command = [args.py_spy, "record", "--gil", "--nonblocking", "-r", "250", "-f", "raw"]
    return [
        subprocess.Popen(  # noqa: S603 - the py-spy the user named
            [*command, "-d", str(int(args.seconds)), "-o", str(log_dir / f"py-spy-{n}.txt"),
             "-p", str(pid)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for n, pid in enumerate(pids)
    ]  # fmt: skip


def print_profile(files: list[Path]) -> None:
    """py-spy --gil samples only the thread holding the GIL: the shares are of the
    workers' Python CPU time (waiting on PostgreSQL or Redis is not in them)."""
    from collections import Counter

    buckets, functions, total = Counter(), Counter(), 0
    skip = ("copy.py", "functools.py", "re/", "enum.py", "contextlib.py", "abc.py", "typing.py")
    for path in files:
        for line in path.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            if not stack or not count.isdigit():
                continue
            n, frames = int(count), stack.split(";")
            total += n
            for frame in reversed(frames):
                if any(s in frame for s in skip):
                    continue
                label = next(
                    (b for b, needles in BUCKETS if any(x in frame for x in needles)), None
                )
                if label:
                    buckets[label] += n
                    break
            else:
                buckets["other"] += n
            for label, needle in FUNCTIONS:
                if any(needle in frame for frame in frames):
                    functions[label] += n
    if not total:
        print("py-spy recorded nothing (is it allowed to ptrace? run as root)")
        return
    print(f"\nWorkers' Python CPU by kind of work ({total:,} samples, py-spy --gil):")
    for label, n in buckets.most_common():
        print(f"  {100 * n / total:5.1f} %  {label}")
    print("By the gateway's own functions (inclusive):")
    for label, _needle in FUNCTIONS:
        print(f"  {100 * functions[label] / total:5.1f} %  {label}")


# --- pgbench ------------------------------------------------------------------------------


def _pgbench() -> str:
    found = shutil.which("pgbench") or next(
        iter(sorted(glob.glob("/usr/lib/postgresql/*/bin/pgbench"), reverse=True)), None
    )
    if not found:
        raise SystemExit("pgbench not found (it comes with PostgreSQL's server packages)")
    return found


def run_pgbench(args, url: str) -> dict:
    if args.no_pgbench:
        return {"pgbench_tps": None}
    create_database(url, args.pgbench_db)
    parts = urlsplit(url)
    env = dict(os.environ)
    if parts.password:
        env["PGPASSWORD"] = parts.password
    common = [
        "-h",
        parts.hostname or "127.0.0.1",
        "-p",
        str(parts.port or 5432),
        "-U",
        parts.username or "postgres",
    ]
    pgbench = _pgbench()
    try:
        progress(f"pgbench -i -s {args.pgbench_scale}")
        subprocess.run(  # noqa: S603 - pgbench with our own arguments
            [pgbench, *common, "-i", "-q", "-s", str(args.pgbench_scale), args.pgbench_db],
            env=env,
            check=True,
            capture_output=True,
        )
        progress(f"pgbench -c {args.readers} -j 2 -T {args.seconds:g} (TPC-B-like)")
        run = subprocess.run(  # noqa: S603
            [
                pgbench,
                *common,
                "-c",
                str(args.readers),
                "-j",
                "2",
                "-T",
                str(int(round(args.seconds))),
                args.pgbench_db,
            ],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
    finally:
        if not args.keep:
            drop_database(url, args.pgbench_db)
    tps = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", run.stdout)
    latency = re.search(r"latency average = ([0-9.]+) ms", run.stdout)
    return {
        "pgbench_tps": float(tps.group(1)) if tps else None,
        "pgbench_latency_ms": float(latency.group(1)) if latency else None,
    }


# --- SQL per request ----------------------------------------------------------------------


def print_query_counts(terminals, cards) -> None:
    """Each request kind once through Django's test client (the whole middleware stack),
    counting the SQL statements; the second of two identical purchases is a replay."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from cardgateway.signing import signed_headers

    client = Client(SERVER_NAME="127.0.0.1")
    terminal = terminals[0]

    def post(endpoint: str, data: dict):
        path = f"/gateway/v1/{endpoint}"
        body = json.dumps(data).encode()
        headers = signed_headers(
            terminal_id=terminal.terminal_id,
            secret=terminal.secret,
            method="POST",
            path=path,
            body=body,
        )
        headers.pop("Content-Type")
        with CaptureQueriesContext(connection) as queries:
            response = client.generic(
                "POST", path, body, content_type="application/json", headers=headers
            )
        return response, queries

    purchase = {"txn_id": "Q-1", "card": cards[0], "amount": 1_000_000, "redeem": 100_000}
    steps = [
        ("inquiry", "inquiry", {"card": cards[0]}),
        ("purchase with redeem", "purchases", purchase),
        ("same purchase again (replay)", "purchases", purchase),
        (
            "purchase, referred member",
            "purchases",
            {"txn_id": "Q-2", "card": cards[2], "amount": 500_000},
        ),
        ("purchase, plain", "purchases", {"txn_id": "Q-3", "card": cards[1], "amount": 500_000}),
        (
            "purchase, plain, again",
            "purchases",
            {"txn_id": "Q-4", "card": cards[1], "amount": 500_000},
        ),
        ("return", "returns", {"txn_id": "Q-5", "original_txn_id": "Q-1", "amount": 100_000}),
        ("reversal", "reversals", {"txn_id": "Q-6", "original_txn_id": "Q-1"}),
    ]
    print(f"{'request':34} {'status':>6} {'queries':>8}")
    for label, endpoint, data in steps:
        response, queries = post(endpoint, data)
        print(f"{label:34} {response.status_code:>6} {len(queries):>8}")
        if os.environ.get("SHOW_SQL"):
            for query in queries.captured_queries:
                print("    ", query["sql"][:160])


# --- output ---------------------------------------------------------------------------------


def print_figures(args, figures: dict) -> None:
    s = figures["summary"]
    pgbench = figures.get("pgbench_tps")
    # Gateway TPS counts what pgbench counts: committed write transactions. Inquiries are
    # reads, refusals change nothing; each acknowledged purchase, return or reversal is
    # one transaction (a replay is not a new one, but is counted: it is an answered
    # posting request; under this load there are none).
    rest = figures["machine_cpu_s"] - figures["server_cpu_s"] - s["client_cpu_s"]
    per_request = max(1, s["requests"])
    refusals = ", ".join(f"{k} {v}" for k, v in sorted(s["refusals"].items())) or "-"
    errors = s["unexpected"] + sum(s["retried"].values()) + s["unresolved"]
    problems = figures["problems"]
    pool = f"db pool {args.db_pool or 'off'}"
    rows = [
        ("machine", f"{os.cpu_count()} cores", f"load average {figures['load_before']:.2f} before"),
        (
            "readers / Daphne workers",
            f"{args.readers} / {args.workers}",
            f"{args.client_processes} client process(es), think {args.think_ms:g} ms",
        ),
        ("worker settings", args.settings, pool),
        (
            "requests answered",
            f"{s['requests']:,}",
            f"{s['requests_per_s']:.1f}/s over {s['elapsed_s']:.1f} s",
        ),
        ("purchases acknowledged", f"{s['purchases']:,}", f"{s['purchases_per_s']:.1f}/s"),
        (
            "postings acknowledged",
            f"{s['postings']:,}",
            f"{s['postings_per_s']:.1f}/s (purchases, returns, reversals)",
        ),
        (
            "latency p50 / p95 / p99",
            f"{s['p50_ms']:.1f} / {s['p95_ms']:.1f} / {s['p99_ms']:.1f} ms",
            f"max {s['max_ms']:.1f} ms",
        ),
        ("business refusals", f"{sum(s['refusals'].values()) - s['unexpected']:,}", refusals),
        (
            "errors",
            f"{errors:,}",
            f"unexpected answers {s['unexpected']}, retried {s['retried'] or 0}, "
            f"unresolved {s['unresolved']}",
        ),
        (
            "exactly-once checks",
            f"{len(problems)} problems" if problems else "ok",
            "; ".join(problems[:3]),
        ),
        (
            "ledger audit",
            "books balance" if figures["audit_ok"] else "DIFFERENCES",
            "manage.py audit_ledger",
        ),
        (
            "CPU: Daphne workers / client",
            f"{figures['server_cpu_s']:.1f} / {s['client_cpu_s']:.1f} s",
            f"{1000 * figures['server_cpu_s'] / per_request:.2f} / "
            f"{s['client_cpu_ms_per_request']:.2f} ms per request",
        ),
        (
            "CPU: rest of the machine",
            f"{rest:.1f} s",
            f"{1000 * rest / per_request:.2f} ms per request: PostgreSQL, Redis, anything else",
        ),
    ]
    if pgbench:
        rows += [
            (
                "pgbench TPC-B-like",
                f"{pgbench:.0f} tps",
                f"-c {args.readers} -j 2 -s {args.pgbench_scale}, "
                f"latency {figures['pgbench_latency_ms']:.1f} ms",
            ),
            (
                "gateway TPS / pgbench TPS",
                f"{s['postings_per_s'] / pgbench:.3f}",
                f"purchases only: {s['purchases_per_s'] / pgbench:.3f}",
            ),
        ]
    width = max(len(r[0]) for r in rows)
    print()
    for label, figure, detail in rows:
        print(f"{label:<{width}}  {figure:>22}  {detail}")
    for problem in figures["problems"][3:20]:
        print("  problem:", problem)


if __name__ == "__main__":
    sys.exit(main())
