from django.core.management.base import BaseCommand

from automations.services import send_winback_offers


class Command(BaseCommand):
    help = "Send the win-back offer to lapsed regulars, once per lapse (the daily job)."

    def handle(self, *args, **options):
        self.stdout.write(f"win-back offers sent: {send_winback_offers()}")
