"""Backup and restore: backup_club → wipe → restore_club → check_restore, on whichever
database the suite runs on (SQLite's in-memory test database through the online backup
API, or PostgreSQL through pg_dump / pg_restore), plus the refusals."""

import json
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection

from gamification import ledger
from gamification.models import Account, Currency, EntryKind
from portal import backup
from portal.settings.base import env_bool
from tickets import services as tickets
from tickets.models import Category, Ticket

PDF = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
    b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
)


@pytest.fixture
def backup_tools():
    """pg_dump and pg_restore on PostgreSQL: a skip locally, an error under
    REQUIRE_SERVICES (CI)."""
    if connection.vendor != "postgresql":
        return
    missing = [tool for tool in ("pg_dump", "pg_restore") if shutil.which(tool) is None]
    if missing:
        message = f"{', '.join(missing)} not on PATH (Debian: apt-get install postgresql-client)"
        if env_bool("REQUIRE_SERVICES", env_bool("CI", False)):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture
def media_root(settings, tmp_path):
    """Never the project's own media folder: restore replaces its contents."""
    root = tmp_path / "media"
    (root / "avatars").mkdir(parents=True)
    (root / "avatars" / "a.png").write_bytes(b"not really a png")
    settings.MEDIA_ROOT = root
    return root


def make_backup(out: Path) -> Path:
    call_command("backup_club", "--out", str(out), stdout=_sink())
    [folder] = [p for p in out.iterdir() if not p.name.startswith(".")]
    return folder


def _sink():
    import io

    return io.StringIO()


def club_data(make_user):
    """A member with points and credit through the real ledger, and a ticket with a file
    through the real ticket services."""
    member = make_user(email="backup-member@example.com", mobile="09121112233")
    ledger.post(
        member=member,
        currency=Currency.POINTS,
        amount=700,
        kind=EntryKind.AWARD,
        idempotency_key="backup-test-award",
    )
    ledger.post(
        member=member,
        currency=Currency.CREDIT,
        amount=25_000,
        kind=EntryKind.ADJUSTMENT,
        idempotency_key="backup-test-credit",
    )
    category = Category.objects.get_or_create(
        slug="backup-test", defaults={"name": "Backup", "name_fa": "پشتیبان"}
    )[0]
    ticket = tickets.open_ticket(
        kind="complaint",
        category=category,
        subject="Cold coffee",
        description="The coffee was cold.",
        member=member,
    )
    attachment = tickets.attach(
        ticket=ticket,
        uploaded_by=member,
        upload=SimpleUploadedFile("receipt.pdf", PDF, content_type="application/pdf"),
    )
    return member, ticket, attachment


def test_round_trip_back_up_wipe_restore_check(
    transactional_db, make_user, media_root, tmp_path, backup_tools
):
    member, ticket, attachment = club_data(make_user)
    before = ledger.balances(member)
    assert before.points == 700 and before.credit == 25_000
    attachment_path = Path(attachment.file.path)
    users = get_user_model().objects.count()

    folder = make_backup(tmp_path / "backups")
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["ledger_audit"] == {"clean": True, "problems": []}
    assert manifest["tables"]["accounts_user"] == users
    assert manifest["tables"][Account._meta.db_table] == 2
    assert ["gamification", "0001_initial"] in manifest["migrations"]
    assert manifest["files"]["ticket-files.tar.gz"]["files"] >= 1
    assert manifest["files"]["media.tar.gz"]["files"] == 1
    dump = manifest["database"]["dump"]
    assert manifest["files"][dump]["sha256"] == backup.sha256(folder / dump)

    # Wipe: every table emptied, then a stranger's data and lost files.
    call_command("flush", interactive=False)
    get_user_model().objects.create_user(email="after-wipe@example.com", password="x" * 12)
    attachment_path.unlink()
    shutil.rmtree(media_root / "avatars")
    (media_root / "stray.txt").write_text("written after the backup")

    out = _sink()
    call_command("restore_club", str(folder), "--yes", stdout=out)
    assert "Restore check passed" in out.getvalue()
    call_command("check_restore", str(folder), stdout=_sink())

    restored = get_user_model().objects.get(email="backup-member@example.com")
    assert restored.pk == member.pk
    assert not get_user_model().objects.filter(email="after-wipe@example.com").exists()
    assert ledger.balances(restored) == before
    assert ledger.audit() == []
    assert Ticket.objects.get(tracking_code=ticket.tracking_code).member_id == member.pk
    assert attachment_path.read_bytes() == attachment.file.open("rb").read()
    assert (media_root / "avatars" / "a.png").read_bytes() == b"not really a png"
    assert not (media_root / "stray.txt").exists()

    # A row added after the restore is a difference: exit 1 with the table named.
    Group.objects.create(name="Added after restore")
    out = _sink()
    with pytest.raises(CommandError, match="1 differences"):
        call_command("check_restore", str(folder), stdout=out)
    assert "auth_group" in out.getvalue()


def test_tampered_dump_is_refused_and_nothing_changes(
    db, make_user, media_root, tmp_path, backup_tools
):
    folder = make_backup(tmp_path / "backups")
    manifest = backup.read_manifest(folder)
    dump = folder / manifest["database"]["dump"]
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0x01
    dump.write_bytes(bytes(data))
    survivor = make_user(email="still-here@example.com")
    with pytest.raises(CommandError, match="does not match its SHA-256"):
        call_command("restore_club", str(folder), "--yes", stdout=_sink())
    assert get_user_model().objects.filter(pk=survivor.pk).exists()


def test_restore_asks_and_refuses_without_yes(db, media_root, tmp_path, backup_tools, monkeypatch):
    folder = make_backup(tmp_path / "backups")
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    with pytest.raises(CommandError, match="pass --yes"):
        call_command("restore_club", str(folder), stdout=_sink())
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="cancelled"):
        call_command("restore_club", str(folder), stdout=_sink())


def test_backup_with_a_broken_ledger_is_written_and_fails(
    transactional_db, make_user, media_root, tmp_path, backup_tools
):
    member = make_user()
    ledger.post(
        member=member,
        currency=Currency.POINTS,
        amount=50,
        kind=EntryKind.AWARD,
        idempotency_key="backup-broken",
    )
    Account.objects.filter(member=member, currency=Currency.POINTS).update(balance=51)
    out = tmp_path / "backups"
    with pytest.raises(CommandError, match="ledger audit found 1 differences"):
        call_command("backup_club", "--out", str(out), stdout=_sink())
    [folder] = list(out.iterdir())
    audit = backup.read_manifest(folder)["ledger_audit"]
    assert audit["clean"] is False
    assert "balance 51 but entries sum to 50" in audit["problems"][0]


def test_a_failed_backup_leaves_no_folder(db, media_root, tmp_path, backup_tools, monkeypatch):
    def broken(root, target):
        raise OSError("disk full")

    monkeypatch.setattr(backup, "_archive", broken)
    out = tmp_path / "backups"
    with pytest.raises(OSError, match="disk full"):
        call_command("backup_club", "--out", str(out), stdout=_sink())
    assert list(out.iterdir()) == []


def test_check_reports_missing_and_unknown_migrations(db, media_root, tmp_path, backup_tools):
    folder = make_backup(tmp_path / "backups")
    manifest = backup.read_manifest(folder)
    manifest["migrations"].append(["gamification", "9999_from_the_future"])
    manifest["tables"]["gone_table"] = 3
    (folder / "manifest.json").write_text(json.dumps(manifest))
    differences, _notes = backup.compare(manifest)
    assert (
        backup.Difference(
            "migration", "gamification.9999_from_the_future", "applied", "not applied"
        )
        in differences
    )
    assert (
        backup.Difference(
            "migration", "gamification.9999_from_the_future", "in the code", "unknown to this code"
        )
        in differences
    )
    assert backup.Difference("rows", "gone_table", "3", "no such table") in differences
    out = _sink()
    with pytest.raises(CommandError, match="3 differences"):
        call_command("check_restore", str(folder), stdout=out)
    assert "9999_from_the_future" in out.getvalue()


def test_postgres_password_never_on_the_command_line():
    args, env = backup._pg_connection(
        {
            "HOST": "db.example",
            "PORT": 5433,
            "USER": "club",
            "PASSWORD": "s3cret-pass",
            "OPTIONS": {"sslmode": "require"},
        }
    )
    assert "s3cret-pass" not in " ".join(args)
    assert args == ["--no-password", "--host", "db.example", "--port", "5433", "--username", "club"]
    assert env["PGPASSWORD"] == "s3cret-pass"
    assert env["PGSSLMODE"] == "require"


@pytest.mark.postgres
def test_postgres_dump_is_custom_format_from_one_snapshot(
    transactional_db, media_root, tmp_path, backup_tools
):
    folder = make_backup(tmp_path / "backups")
    manifest = backup.read_manifest(folder)
    assert manifest["database"]["consistent_snapshot"] is True
    assert manifest["database"]["name"] == settings.DATABASES["default"]["NAME"]
    assert (folder / "database.dump").read_bytes()[:5] == b"PGDMP"
