from django.core.management.base import BaseCommand

from automations.services import welcome_new_members


class Command(BaseCommand):
    help = "Welcome the members who joined in the last two days and were not welcomed yet."

    def handle(self, *args, **options):
        self.stdout.write(f"welcomes sent: {welcome_new_members()}")
