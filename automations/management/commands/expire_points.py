from django.core.management.base import BaseCommand

from automations.models import AutomationSettings
from automations.services import run_points_expiry


class Command(BaseCommand):
    help = (
        "Expire points older than the club's period, first in first out, and remind the "
        "members whose points expire soon (the daily job; safe to run twice)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Print what would expire; change nothing."
        )
        parser.add_argument(
            "--catch-up-days",
            type=int,
            default=31,
            help="Also expire lots that fell due up to this many days ago (default 31); "
            "-1 for any time.",
        )

    def handle(self, *args, dry_run=False, catch_up_days=31, **options):
        if not AutomationSettings.load().expiry_enabled:
            self.stdout.write("points expiry is switched off (automation settings)")
            return

        def line(member, kind, day, points):
            verb = "would expire" if kind == "expire" and dry_run else kind
            self.stdout.write(f"{member.pk} {member.email}: {verb} {points} points on {day}")

        report = run_points_expiry(
            dry_run=dry_run, catch_up_days=None if catch_up_days < 0 else catch_up_days, out=line
        )
        prefix = "dry run: " if dry_run else ""
        self.stdout.write(
            f"{prefix}{report.expired_points} points of {report.expired_members} members "
            f"expired, {report.reminded} reminders"
        )
