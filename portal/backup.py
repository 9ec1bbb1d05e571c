"""Backup and restore of the whole portal: the database, the ticket attachments and the
uploaded media, with a manifest that a restored copy is checked against.

A backup is one folder, DIR/<timestamp>/, written under a temporary name and renamed
when complete, holding:

- `database.dump` (PostgreSQL, `pg_dump --format=custom`) or `database.sqlite3` (SQLite,
  a consistent copy through sqlite3's online backup API, never a file copy);
- `ticket-files.tar.gz` (settings.TICKET_FILES_ROOT) and `media.tar.gz` (MEDIA_ROOT, when
  it exists);
- `manifest.json`: when and from what it was made, the applied migrations, the row count
  of every model table, the ledger audit, and the SHA-256 of every file above.

The counts, the migrations and the ledger audit are read in the same snapshot as the dump
(on PostgreSQL the dump runs with `--snapshot` exported from a repeatable-read
transaction; on SQLite the copy is taken inside the read transaction that counted), so a
backup of a busy portal still matches its manifest exactly."""

import datetime as dt
import hashlib
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import tomllib
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import django
from django.apps import apps
from django.conf import settings
from django.db import connections, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

MANIFEST = "manifest.json"
PG_DUMP = "database.dump"
SQLITE_DUMP = "database.sqlite3"
TICKET_FILES = "ticket-files.tar.gz"
MEDIA = "media.tar.gz"
FORMAT = 1
# Connection OPTIONS that libpq also reads from the environment.
_PG_ENV_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
}


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why."""


@dataclass
class Snapshot:
    migrations: list[tuple[str, str]]
    tables: dict[str, int]
    ledger_problems: list[str]


@dataclass
class BackupResult:
    path: Path
    manifest: dict = field(default_factory=dict)

    @property
    def ledger_problems(self) -> list[str]:
        return self.manifest["ledger_audit"]["problems"]


@dataclass(frozen=True)
class Difference:
    what: str
    item: str
    expected: str
    actual: str


# --- What the database holds --------------------------------------------------------------


def model_tables() -> list[str]:
    """The table of every installed, managed, concrete model (auto-created many-to-many
    tables included), so a newly installed app is covered without a list to maintain."""
    tables = {
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }
    return sorted(tables)


def take_snapshot(using: str = "default") -> Snapshot:
    connection = connections[using]
    existing = set(connection.introspection.table_names())
    tables = {}
    with connection.cursor() as cursor:
        for table in model_tables():
            if table in existing:
                cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608 - a model's table name, quoted
                tables[table] = cursor.fetchone()[0]
    migrations = sorted(MigrationRecorder(connection).applied_migrations())
    return Snapshot(migrations, tables, _ledger_problems(existing))


def _ledger_problems(existing_tables) -> list[str]:
    from gamification import ledger
    from gamification.models import Account, LedgerEntry

    if not {Account._meta.db_table, LedgerEntry._meta.db_table} <= existing_tables:
        return ["the ledger tables are missing"]
    return [
        f"account {p.account_id} (member {p.member_id}, {p.currency}): {p.message}"
        for p in ledger.audit()
    ]


def count_files(root: Path) -> int:
    if not root.is_dir():
        return 0
    return sum(len(files) for _dirpath, _dirs, files in os.walk(root))


def _file_roots() -> dict[str, Path]:
    """Archive name -> folder. Ticket files always (an empty folder is still recorded);
    media only when the folder exists."""
    roots = {TICKET_FILES: Path(settings.TICKET_FILES_ROOT)}
    if Path(settings.MEDIA_ROOT).is_dir():
        roots[MEDIA] = Path(settings.MEDIA_ROOT)
    return roots


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _app_version() -> str:
    try:
        with (Path(settings.BASE_DIR) / "pyproject.toml").open("rb") as handle:
            return tomllib.load(handle)["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


# --- PostgreSQL tools ---------------------------------------------------------------------


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} not found on PATH: install the PostgreSQL client "
            "(Debian: apt-get install postgresql-client)."
        )
    return path


def _pg_connection(settings_dict) -> tuple[list[str], dict[str, str]]:
    """Command-line arguments and environment for pg_dump / pg_restore. The password goes
    through PGPASSWORD, never the command line (other users can read that in ps)."""
    args = ["--no-password"]
    if settings_dict.get("HOST"):
        args += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", str(settings_dict["USER"])]
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    for option, variable in _PG_ENV_OPTIONS.items():
        value = (settings_dict.get("OPTIONS") or {}).get(option)
        if value:
            env[variable] = str(value)
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(  # noqa: S603 - pg_dump / pg_restore from PATH, no shell
        command, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        tool = Path(command[0]).name
        raise BackupError(f"{tool} failed ({done.returncode}): {done.stderr.strip()}")


# --- Backup -------------------------------------------------------------------------------


def backup(out_dir, *, using: str = "default", now: dt.datetime | None = None) -> BackupResult:
    """Write a complete backup into a new folder under `out_dir` and return it. A failed
    ledger audit does not stop the backup (the books may be what needs restoring); it is
    recorded in the manifest and returned for the caller to report."""
    connection = connections[using]
    vendor = connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        raise BackupError(f"backups support PostgreSQL and SQLite, not {vendor}")
    now = now or dt.datetime.now(dt.UTC)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = now.strftime("%Y%m%d-%H%M%S")
    final = out_dir / stamp
    n = 1
    while final.exists():
        n += 1
        final = out_dir / f"{stamp}-{n}"
    work = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".partial", dir=out_dir))
    try:
        if vendor == "postgresql":
            dump_name, snap, consistent = PG_DUMP, *_dump_postgres(connection, work / PG_DUMP)
        else:
            dump_name, snap, consistent = SQLITE_DUMP, *_dump_sqlite(connection, work / SQLITE_DUMP)
        files = {
            dump_name: {
                "sha256": sha256(work / dump_name),
                "bytes": (work / dump_name).stat().st_size,
            }
        }
        for archive, root in _file_roots().items():
            count = _archive(root, work / archive)
            files[archive] = {
                "sha256": sha256(work / archive),
                "bytes": (work / archive).stat().st_size,
                "files": count,
                "source": str(root),
            }
        manifest = {
            "format": FORMAT,
            "created_at": now.isoformat(),
            "versions": {
                "app": _app_version(),
                "django": django.get_version(),
                "python": platform.python_version(),
            },
            "database": {
                "vendor": vendor,
                "name": str(connection.settings_dict["NAME"]),
                "dump": dump_name,
                "consistent_snapshot": consistent,
            },
            "migrations": [list(m) for m in snap.migrations],
            "tables": snap.tables,
            "ledger_audit": {"clean": not snap.ledger_problems, "problems": snap.ledger_problems},
            "files": files,
        }
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        work.chmod(0o700)
        work.rename(final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return BackupResult(final, manifest)


def _dump_postgres(connection, target: Path) -> tuple[Snapshot, bool]:
    args, env = _pg_connection(connection.settings_dict)
    command = [
        _pg_tool("pg_dump"),
        *args,
        "--format=custom",
        "--no-owner",
        "--no-privileges",
        "--file",
        str(target),
    ]
    # Inside a caller's transaction the isolation level can no longer be chosen; the dump
    # is then taken on its own and the manifest says so.
    consistent = not connection.in_atomic_block
    with transaction.atomic(using=connection.alias):
        if consistent:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cursor.execute("SELECT pg_export_snapshot()")
                command += ["--snapshot", cursor.fetchone()[0]]
        snap = take_snapshot(connection.alias)
        command += ["--dbname", str(connection.settings_dict["NAME"])]
        _run(command, env)
    return snap, consistent


def _dump_sqlite(connection, target: Path) -> tuple[Snapshot, bool]:
    with transaction.atomic(using=connection.alias):
        snap = take_snapshot(connection.alias)  # opens the read transaction
        with closing(sqlite3.connect(target)) as copy:
            # Copies every page while this connection's read transaction holds the snapshot.
            connection.connection.backup(copy)
    return snap, True


def _archive(root: Path, target: Path) -> int:
    with tarfile.open(target, "w:gz") as tar:
        if root.is_dir():
            for entry in sorted(root.iterdir()):
                tar.add(entry, arcname=entry.name)
    return count_files(root)


# --- Restore ------------------------------------------------------------------------------


def read_manifest(backup_dir) -> dict:
    path = Path(backup_dir) / MANIFEST
    try:
        manifest = json.loads(path.read_text())
    except FileNotFoundError:
        raise BackupError(f"{path} not found: not a backup folder") from None
    except json.JSONDecodeError as error:
        raise BackupError(f"{path} is not valid JSON: {error}") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown manifest format {manifest.get('format')!r}")
    return manifest


def verify(backup_dir) -> dict:
    """The manifest, once every file it lists is present with its recorded SHA-256."""
    backup_dir = Path(backup_dir)
    manifest = read_manifest(backup_dir)
    for name, info in manifest["files"].items():
        path = backup_dir / name
        if not path.is_file():
            raise BackupError(f"{name} is missing from the backup")
        if sha256(path) != info["sha256"]:
            raise BackupError(f"{name} does not match its SHA-256 in the manifest: refusing it")
    return manifest


def restore(backup_dir, *, using: str = "default") -> dict:
    """Replace the database, the ticket files and the media with the backup's. Verifies
    the checksums first; nothing is touched when they fail."""
    backup_dir = Path(backup_dir)
    manifest = verify(backup_dir)
    connection = connections[using]
    vendor = manifest["database"]["vendor"]
    if vendor != connection.vendor:
        raise BackupError(f"the backup is of a {vendor} database, this one is {connection.vendor}")
    if connection.in_atomic_block:
        raise BackupError("cannot restore inside a transaction")
    dump = backup_dir / manifest["database"]["dump"]
    if vendor == "postgresql":
        _restore_postgres(connection, dump)
    else:
        _restore_sqlite(connection, dump)
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
    roots = {TICKET_FILES: Path(settings.TICKET_FILES_ROOT), MEDIA: Path(settings.MEDIA_ROOT)}
    for archive, root in roots.items():
        if archive in manifest["files"]:
            _unarchive(backup_dir / archive, root)
    return manifest


def _restore_postgres(connection, dump: Path) -> None:
    args, env = _pg_connection(connection.settings_dict)
    name = str(connection.settings_dict["NAME"])
    connection.close()  # our own session must not hold locks on the tables being replaced
    _run(
        [
            _pg_tool("pg_restore"),
            *args,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            "--dbname",
            name,
            str(dump),
        ],
        env,
    )


def _restore_sqlite(connection, dump: Path) -> None:
    connection.ensure_connection()
    # Through the backup API into the configured database (a file, or the test suite's
    # in-memory one), page by page under an exclusive lock: never a file copy over a
    # database that may be open.
    with closing(sqlite3.connect(f"file:{dump}?mode=ro", uri=True)) as source:
        source.backup(connection.connection)


def _unarchive(archive: Path, root: Path) -> None:
    """Replace the contents of `root` by the archive's: unpacked beside it first, so a
    broken archive leaves the current files alone."""
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{root.name}.", suffix=".restore", dir=root.parent))
    try:
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(staging, filter="data")
        for entry in root.iterdir():
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
        for entry in staging.iterdir():
            shutil.move(str(entry), root / entry.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


# --- Check --------------------------------------------------------------------------------


def compare(manifest: dict, *, using: str = "default") -> tuple[list[Difference], list[str]]:
    """The live database and files against a manifest: (differences, notes). Differences
    are failures; notes are advice (migrations the code has that neither side applied)."""
    connection = connections[using]
    live = take_snapshot(using)
    differences: list[Difference] = []
    expected = {tuple(m) for m in manifest["migrations"]}
    applied = set(live.migrations)
    on_disk = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    for app, name in sorted(expected - applied):
        differences.append(Difference("migration", f"{app}.{name}", "applied", "not applied"))
    for app, name in sorted(expected - on_disk):
        differences.append(
            Difference("migration", f"{app}.{name}", "in the code", "unknown to this code")
        )
    for app, name in sorted(applied - expected):
        differences.append(Difference("migration", f"{app}.{name}", "not applied", "applied"))
    for table, count in sorted(manifest["tables"].items()):
        if table not in live.tables:
            differences.append(Difference("rows", table, str(count), "no such table"))
        elif live.tables[table] != count:
            differences.append(Difference("rows", table, str(count), str(live.tables[table])))
    for table, count in sorted(live.tables.items()):
        if table not in manifest["tables"] and count:
            differences.append(Difference("rows", table, "not in backup", str(count)))
    for problem in live.ledger_problems:
        differences.append(Difference("ledger", problem, "clean", "difference"))
    roots = {TICKET_FILES: Path(settings.TICKET_FILES_ROOT), MEDIA: Path(settings.MEDIA_ROOT)}
    for archive, info in sorted(manifest["files"].items()):
        if archive in roots:
            found = count_files(roots[archive])
            if found != info["files"]:
                differences.append(
                    Difference("files", str(roots[archive]), str(info["files"]), str(found))
                )
    pending = sorted(on_disk - applied - expected)
    notes = []
    if pending:
        shown = ", ".join(f"{app}.{name}" for app, name in pending[:5])
        notes.append(
            f"{len(pending)} migration(s) of this code are not applied ({shown}"
            f"{', ...' if len(pending) > 5 else ''}): run manage.py migrate after the check."
        )
    if connection.vendor != manifest["database"]["vendor"]:
        notes.append(
            f"the backup was of {manifest['database']['vendor']}, this is {connection.vendor}"
        )
    return differences, notes


def format_differences(differences: list[Difference]) -> list[str]:
    rows = [("what", "item", "backup", "live")] + [
        (d.what, d.item, d.expected, d.actual) for d in differences
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True))
        + "  "
        + row[3]
        for row in rows
    ]
