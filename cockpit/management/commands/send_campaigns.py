"""`manage.py send_campaigns`: send the campaigns that are due now (what the Celery beat
job does every minute), or one campaign by id."""

from django.core.management.base import BaseCommand, CommandError

from cockpit import campaigns
from cockpit.models import Campaign
from cockpit.tasks import send_due_campaigns


class Command(BaseCommand):
    help = "Send due campaigns (or --campaign ID now). Safe to run twice: idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--campaign", type=int, help="send this campaign now")

    def handle(self, *args, campaign=None, **options):
        if campaign is not None:
            found = Campaign.objects.filter(pk=campaign).first()
            if found is None:
                raise CommandError(f"no campaign {campaign}")
            results = {found.pk: campaigns.send(campaign=found)}
        else:
            results = send_due_campaigns()
        for campaign_id, counts in results.items():
            summary = ", ".join(f"{key} {value}" for key, value in counts.items())
            self.stdout.write(f"campaign {campaign_id}: {summary}")
        self.stdout.write(self.style.SUCCESS(f"{len(results)} campaign(s) processed"))
