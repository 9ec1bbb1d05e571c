from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.demo import DEMO_GUEST_MOBILE, DEMO_PASSWORD, desk_demo, gateway_demo, seed


class Command(BaseCommand):
    help = (
        "Create demo branches, one login per role, members, a home page, a card reader and "
        "cards (idempotent)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Seed even with DEBUG off (never in production)."
        )

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates known passwords: run it with DEBUG on, or --force."
            )
        logins = seed()
        self.stdout.write(
            self.style.SUCCESS("Demo data ready. Log in at http://127.0.0.1:8000/accounts/login/")
        )
        width = max(len(role) for role, _email in logins)
        for role, email in logins:
            self.stdout.write(f"  {role.ljust(width)}  {email}  /  {DEMO_PASSWORD}")
        terminal_id, card_number = gateway_demo()
        self.stdout.write(f"Demo card reader: terminal {terminal_id}, card {card_number}. Try:")
        self.stdout.write(f"  .venv/bin/python manage.py reader_sim inquiry {card_number}")
        self.stdout.write(f"  .venv/bin/python manage.py reader_sim purchase {card_number} 250000")
        code = desk_demo()
        self.stdout.write(
            f"Demo guest ticket: code {code}, mobile {DEMO_GUEST_MOBILE}; follow it at "
            "http://127.0.0.1:8000/tickets/track/"
        )
