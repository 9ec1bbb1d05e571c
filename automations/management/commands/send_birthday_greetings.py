from django.core.management.base import BaseCommand

from automations.services import send_birthday_greetings


class Command(BaseCommand):
    help = "Greet the members whose birthday is coming (the daily job; safe to run twice)."

    def handle(self, *args, **options):
        self.stdout.write(f"birthday greetings sent: {send_birthday_greetings()}")
