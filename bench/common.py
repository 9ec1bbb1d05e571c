"""What the benchmarks share: the progress line, their own throw-away database, and
dropping / rebuilding plain indexes around a bulk load."""

import time
from urllib.parse import urlsplit, urlunsplit

STARTED = time.perf_counter()


def progress(message: str) -> None:
    print(f"[{time.perf_counter() - STARTED:7.1f}s] {message}", flush=True)


def prepare_database(url: str, name: str) -> str:
    """Drop and create `name` on the server of `url`; return its URL. Never the database
    `url` names, and only a name that says it is a bench, so nothing real can be dropped."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    configured = parts.path.lstrip("/")
    if name == configured or "bench" not in name or name in {"postgres", "template0", "template1"}:
        raise SystemExit(f"refusing to drop database {name!r}: pick a name containing 'bench'")
    server = urlunsplit(parts._replace(path="/postgres", query=""))
    progress(f"creating database {name!r} on {parts.hostname}:{parts.port or 5432}")
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return urlunsplit(parts._replace(path=f"/{name}"))


def drop_plain_indexes(cur, table: str) -> list[str]:
    """Drop the indexes of `table` that back no constraint; return their definitions.
    Building them once after the load is several times faster than row by row."""
    cur.execute(
        """
        SELECT i.indexname, i.indexdef FROM pg_indexes i
        WHERE i.schemaname = current_schema() AND i.tablename = %s
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
        """,
        [table],
    )
    rows = cur.fetchall()
    for name, _definition in rows:
        cur.execute(f'DROP INDEX "{name}"')
    return [definition for _name, definition in rows]


def create_indexes(cur, definitions: list[str]) -> None:
    for definition in definitions:
        cur.execute(definition)


def bulk_session(cur, *, maintenance_work_mem: str) -> None:
    """Settings for a bulk load on this connection: no synchronous commit, memory for
    index builds, and (as a superuser) no per-row foreign-key triggers; the rows are
    consistent by construction."""
    cur.execute("SET synchronous_commit = off")
    cur.execute(f"SET maintenance_work_mem = '{maintenance_work_mem}'")
    cur.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    if cur.fetchone()[0]:
        cur.execute("SET session_replication_role = replica")


def insert_branches(cur, branches: list[tuple[str, str]]) -> None:
    """The bench's branches, (code, name) pairs, in Tehran."""
    cur.execute(
        "INSERT INTO cardgateway_branch (code, name, city, address, phone, is_active) "
        "SELECT code, name, 'Tehran', '', '', true FROM unnest(%s::text[], %s::text[]) "
        "AS b(code, name) ORDER BY code",
        [[code for code, _ in branches], [name for _, name in branches]],
    )


class Step:
    """A progress line when a step starts and one with its seconds when it is done."""

    def __init__(self, name: str):
        self.name, self.start = name, time.perf_counter()
        progress(name)

    def done(self) -> float:
        seconds = time.perf_counter() - self.start
        progress(f"  ... {seconds:.1f}s")
        return seconds


def copy_rows(cur, table: str, columns: tuple, rows) -> int:
    """COPY `rows` (an iterable of tuples in the order of `columns`) into `table` through
    a Django cursor on psycopg 3; return how many."""
    count = 0
    with cur.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def check_columns(cur, loaded: dict[str, set[str]]) -> None:
    """Stop before loading if a table in `loaded` ({table: columns the loader fills}) has a
    NOT NULL column without a default that the loader leaves out: a model changed."""
    cur.execute(
        """
        SELECT table_name, column_name FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name = ANY(%s)
          AND is_nullable = 'NO' AND column_default IS NULL AND is_identity = 'NO'
        """,
        [list(loaded)],
    )
    missing = [f"{t}.{c}" for t, c in cur.fetchall() if c not in loaded[t] and c != "id"]
    if missing:
        raise SystemExit(f"the schema has required columns the loader does not fill: {missing}")


def percentile(values: list[float], share: float) -> float:
    """The `share` (0-1) percentile of `values` by linear interpolation (as numpy's
    default and PostgreSQL's percentile_cont)."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * share
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def print_table(title: str, header: tuple, rows: list[tuple], *, right: set[int] = frozenset()):
    """A plain text table: columns as wide as their widest cell, those in `right` aligned
    right."""
    cells = [tuple(str(c) for c in header), *[tuple(str(c) for c in row) for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]

    def line(row):
        padded = (
            f"{c:>{w}}" if i in right else f"{c:<{w}}"
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        )
        return "  ".join(padded).rstrip()

    rule = "-" * (sum(widths) + 2 * (len(widths) - 1))
    print(f"\n{title}\n{rule}\n{line(cells[0])}\n{rule}")
    for row in cells[1:]:
        print(line(row))
    print(rule, flush=True)


def configure_django(bench_url: str, *, name: str | None = None, **extra: str) -> None:
    """Set Django up on the bench database in production's shape without its secrets: no
    DEBUG query log, mail to the dummy backend, SMS in memory, Celery tasks run eagerly
    (their cost is in the figures; nothing is left queued for a worker that is not
    there). With `name`, the cache and the channel layer are Redis (when REDIS_URL is
    set) under that prefix; without it, no Redis round trips at all. `extra`: more
    environment settings."""
    import logging
    import os

    os.environ.update(
        DATABASE_URL=bench_url,
        DJANGO_SETTINGS_MODULE="portal.settings.dev",
        DEBUG="0",
        ALLOWED_HOSTS="testserver,localhost,127.0.0.1",
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        SMS_BACKEND="portal.notifications.sms.LocmemBackend",
        CELERY_TASK_ALWAYS_EAGER="1",
        LOG_LEVEL="WARNING",  # no line per eager Celery task
        **extra,
    )
    if name:
        os.environ["CACHE_KEY_PREFIX"] = os.environ["CHANNEL_LAYER_PREFIX"] = name
    else:
        os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    logging.getLogger("kombu").setLevel(logging.ERROR)  # "no hostname" of the memory broker
