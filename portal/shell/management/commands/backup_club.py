"""`manage.py backup_club --out DIR`: a complete, checked backup of the portal."""

from django.core.management.base import BaseCommand, CommandError

from portal import backup


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump on PostgreSQL, the online backup API on SQLite), the "
        "ticket attachments and the media into DIR/<timestamp>/, with a manifest of the "
        "migrations, row counts, ledger audit and checksums. Exits non-zero when the ledger "
        "audit fails (the backup is still written)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="Folder that receives the backup.")
        parser.add_argument("--database", default="default", help="Database alias.")

    def handle(self, *args, out, database, **options):
        try:
            result = backup.backup(out, using=database)
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        manifest = result.manifest
        rows = sum(manifest["tables"].values())
        self.stdout.write(f"Backup written to {result.path}")
        self.stdout.write(
            f"  {manifest['database']['vendor']}: {len(manifest['tables'])} tables, {rows} rows, "
            f"{len(manifest['migrations'])} migrations"
        )
        for name, info in sorted(manifest["files"].items()):
            files = f", {info['files']} files" if "files" in info else ""
            self.stdout.write(f"  {name}: {info['bytes']} bytes{files}, sha256 {info['sha256']}")
        if result.ledger_problems:
            for problem in result.ledger_problems:
                self.stdout.write(f"  ledger: {problem}")
            raise CommandError(
                f"the ledger audit found {len(result.ledger_problems)} differences; they are "
                "recorded in the manifest of this backup"
            )
        self.stdout.write(self.style.SUCCESS("Ledger audit clean. Backup complete."))
