"""`manage.py check_restore DIR`: does the live database match a backup's manifest?"""

from django.core.management.base import BaseCommand, CommandError

from portal import backup


class Command(BaseCommand):
    help = (
        "Compare the live database and files with the manifest of the backup in DIR: every "
        "migration applied, every table's row count equal, ticket and media file counts equal, "
        "ledger audit clean. Prints the differences and exits 1 on any."
    )

    def add_arguments(self, parser):
        parser.add_argument("backup_dir", help="A folder written by backup_club.")
        parser.add_argument("--database", default="default", help="Database alias.")

    def handle(self, *args, backup_dir, database, **options):
        try:
            manifest = backup.read_manifest(backup_dir)
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        check(self, manifest, database)


def check(command: BaseCommand, manifest: dict, database: str) -> None:
    """Shared with restore_club, which checks what it restored."""
    differences, notes = backup.compare(manifest, using=database)
    for note in notes:
        command.stdout.write(f"note: {note}")
    summary = (
        f"{len(manifest['migrations'])} migrations, {len(manifest['tables'])} tables, "
        f"backup of {manifest['created_at']}"
    )
    if differences:
        for line in backup.format_differences(differences):
            command.stdout.write(line)
        raise CommandError(f"{len(differences)} differences from the backup ({summary})")
    command.stdout.write(command.style.SUCCESS(f"Restore check passed: {summary}, ledger clean."))
