from django.core.management.base import BaseCommand

from community.contests import services


class Command(BaseCommand):
    help = (
        "Close the contests whose time is up: rank the entries, pay the winners once, "
        "publish the results. Safe to run again: a closed contest is never paid twice."
    )

    def handle(self, *args, **options):
        closed = services.close_due_contests()
        for result in closed:
            if result.newly:
                self.stdout.write(f"closed {result.contest.slug}: {len(result.winners)} winner(s)")
        newly = sum(1 for result in closed if result.newly)
        self.stdout.write(f"contests closed now: {newly}")
