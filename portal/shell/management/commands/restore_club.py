"""`manage.py restore_club DIR --yes`: replace the portal's data by a backup, then check."""

import sys

from django.core.management.base import BaseCommand, CommandError

from portal import backup

from .check_restore import check


class Command(BaseCommand):
    help = (
        "Restore the backup in DIR (written by backup_club) over the configured database, "
        "ticket files and media, after verifying its checksums, then run check_restore. "
        "Stop the portal, its workers and beat first."
    )

    def add_arguments(self, parser):
        parser.add_argument("backup_dir", help="A folder written by backup_club.")
        parser.add_argument(
            "--yes", action="store_true", help="Do not ask: replace the current data."
        )
        parser.add_argument("--database", default="default", help="Database alias.")

    def handle(self, *args, backup_dir, yes, database, **options):
        try:
            manifest = backup.verify(backup_dir)
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        if not yes:
            self._confirm(manifest, database)
        try:
            backup.restore(backup_dir, using=database)
        except backup.BackupError as error:
            raise CommandError(f"restore failed: {error}") from error
        self.stdout.write(f"Restored the backup of {manifest['created_at']}.")
        check(self, manifest, database)

    def _confirm(self, manifest: dict, database: str) -> None:
        from django.db import connections

        name = connections[database].settings_dict["NAME"]
        if not sys.stdin.isatty():
            raise CommandError("restore_club replaces all data: pass --yes to confirm.")
        self.stdout.write(
            f"This replaces ALL data of database {name!s} and the ticket and media files "
            f"with the backup of {manifest['created_at']}."
        )
        if input("Type 'yes' to continue: ").strip().lower() != "yes":
            raise CommandError("Restore cancelled.")
