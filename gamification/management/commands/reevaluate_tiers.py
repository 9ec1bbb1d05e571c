from django.core.management.base import BaseCommand

from gamification.tiers import reevaluate_all


class Command(BaseCommand):
    help = "Place every member in the tier their rolling window supports (the nightly job)."

    def handle(self, *args, **options):
        result = reevaluate_all()
        self.stdout.write(
            f"tiers: {result['members']} members checked, {result['changed']} changed"
        )
