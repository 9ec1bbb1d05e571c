from django.core.management.base import BaseCommand

from portal.fraud import services


class Command(BaseCommand):
    help = "Run the fraud rules: open a case (and hold its points and credit) per new finding."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count findings; open and hold nothing."
        )

    def handle(self, *args, dry_run=False, **options):
        result = services.scan(dry_run=dry_run)
        opened = "none (dry run)" if dry_run else len(result.opened)
        self.stdout.write(f"fraud scan: {result.findings} findings, new cases: {opened}")
