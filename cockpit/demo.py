"""Demo segments and a draft campaign for `manage.py seed_demo` (portal/demo.py calls
seed_cockpit after the people and branches exist). Idempotent: segments and campaigns are
looked up by name; nothing is sent."""

from django.utils import timezone

from .models import Campaign, Consent, GiftKind, Segment


def seed_cockpit() -> None:
    month = timezone.localdate().month
    birthdays, _ = Segment.objects.get_or_create(
        name="Birthdays this month",
        defaults={
            "description": "Members whose birthday falls in this month and who accept offers.",
            "birthday_month": month,
            "consent": Consent.ANY,
        },
    )
    Segment.objects.get_or_create(
        name="Lapsed shoppers",
        defaults={
            "description": "Bought before, but not in the last 90 days.",
            "last_purchase_min_days": 90,
        },
    )
    Segment.objects.get_or_create(
        name="Regulars",
        defaults={
            "description": "Three visits or more in the last 30 days.",
            "period_days": 30,
            "visits_min": 3,
        },
    )
    Campaign.objects.get_or_create(
        name="Birthday treat",
        defaults={
            "segment": birthdays,
            "channels": ["portal", "sms"],
            "title": "Happy birthday from the club!",
            "body": "A small gift from us: enjoy it on your next visit.",
            "gift_kind": GiftKind.POINTS,
            "gift_amount": 200,
        },
    )
