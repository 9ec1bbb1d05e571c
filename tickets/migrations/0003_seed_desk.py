"""Starting data the club manager edits later: the categories the issue names, SLA targets
per priority, and the desk's week (Saturday to Wednesday 9:00-17:00, Thursday 9:00-13:00;
Friday closed)."""

import datetime

from django.db import migrations

CATEGORIES = [
    # slug, name, Persian name
    ("product", "Product", "محصول"),
    ("branch", "Branch", "شعبه"),
    ("staff", "Staff behaviour", "رفتار کارکنان"),
    ("card-points", "Card and points", "کارت و امتیاز"),
    ("website", "Website", "وب‌سایت"),
    ("other", "Other", "سایر"),
]
SLA = [
    # priority, first response, resolution (business minutes)
    ("urgent", 60, 8 * 60),
    ("high", 4 * 60, 2 * 8 * 60),
    ("normal", 8 * 60, 5 * 8 * 60),
    ("low", 2 * 8 * 60, 10 * 8 * 60),
]
NINE, FIVE, ONE = datetime.time(9), datetime.time(17), datetime.time(13)
HOURS = [(day, NINE, FIVE) for day in (5, 6, 0, 1, 2)] + [(3, NINE, ONE)]


def seed(apps, schema_editor):
    Category = apps.get_model("tickets", "Category")
    SLATarget = apps.get_model("tickets", "SLATarget")
    BusinessHours = apps.get_model("tickets", "BusinessHours")
    for order, (slug, name, name_fa) in enumerate(CATEGORIES):
        Category.objects.get_or_create(
            slug=slug, defaults={"name": name, "name_fa": name_fa, "order": order}
        )
    for priority, first, resolution in SLA:
        SLATarget.objects.get_or_create(
            priority=priority,
            category=None,
            defaults={"first_response_minutes": first, "resolution_minutes": resolution},
        )
    if not BusinessHours.objects.exists():
        BusinessHours.objects.bulk_create(
            BusinessHours(weekday=day, opens=opens, closes=closes) for day, opens, closes in HOURS
        )


class Migration(migrations.Migration):
    dependencies = [("tickets", "0002_desk")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
