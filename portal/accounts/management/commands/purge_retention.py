"""`manage.py purge_retention`: the daily retention purge, by hand."""

from django.core.management.base import BaseCommand

from portal.accounts import retention


class Command(BaseCommand):
    help = (
        "Purge what the club manager's retention periods (Privacy settings) no longer keep: "
        "erased members' leftovers, read notifications, the tills' refused-request log, "
        "expired sessions and old audit entries. Safe to run again."
    )

    def handle(self, *args, **options):
        run = retention.purge()
        counts = ", ".join(f"{name} {count}" for name, count in run.counts.items())
        self.stdout.write(self.style.SUCCESS(f"retention purge {run.pk}: {counts}"))
