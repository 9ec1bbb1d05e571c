"""`manage.py audit_ledger`: prove that every balance equals the sum of its entries."""

from django.core.management.base import BaseCommand, CommandError

from gamification import ledger
from gamification.models import Account, LedgerEntry


class Command(BaseCommand):
    help = (
        "Check that every account balance equals the sum of its ledger entries and that each "
        "entry's balance_after is the running total. Exits non-zero on any difference."
    )

    def handle(self, *args, **options):
        problems = ledger.audit()
        for problem in problems:
            self.stdout.write(
                f"account {problem.account_id} (member {problem.member_id}, "
                f"{problem.currency}): {problem.message}"
            )
        summary = (
            f"ledger audit: {Account.objects.count()} accounts, "
            f"{LedgerEntry.objects.count()} entries, {len(problems)} differences"
        )
        if problems:
            self.stdout.write(summary)
            raise CommandError(f"{len(problems)} ledger differences found")
        self.stdout.write(self.style.SUCCESS(summary))
