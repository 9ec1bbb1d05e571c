"""`manage.py erase_due_accounts`: the hourly erasure job, by hand."""

from django.core.management.base import BaseCommand, CommandError

from portal.accounts import erasure


class Command(BaseCommand):
    help = (
        "Erase the accounts whose erasure was requested and whose cooling-off has passed "
        "(not cancelled, not yet done). Safe to run again: done requests are never redone."
    )

    def handle(self, *args, **options):
        result = erasure.erase_due_accounts()
        summary = (
            f"erasure: {result['erased']} erased, {result['skipped']} skipped, "
            f"{result['failed']} failed"
        )
        if result["failed"]:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))
