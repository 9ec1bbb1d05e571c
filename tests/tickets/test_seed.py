"""Migration 0003 gives a new club a working desk: the categories the issue names (with
Persian names), a target per priority and a Saturday-to-Thursday week."""

from datetime import time

import pytest
from django.utils import translation

from tickets.models import BusinessHours, Category, SLATarget

pytestmark = [pytest.mark.django_db, pytest.mark.seeded]


def test_the_issues_categories_are_seeded_with_persian_names():
    slugs = list(Category.objects.values_list("slug", flat=True))
    assert slugs == ["product", "branch", "staff", "card-points", "website", "other"]
    staff = Category.objects.get(slug="staff")
    assert str(staff) == "Staff behaviour"
    with translation.override("fa"):
        assert str(staff) == "رفتار کارکنان"


def test_every_priority_has_a_general_target_and_the_week_has_no_friday():
    targets = {t.priority: t for t in SLATarget.objects.filter(category__isnull=True)}
    assert set(targets) == {"low", "normal", "high", "urgent"}
    assert targets["urgent"].first_response_minutes < targets["low"].first_response_minutes
    days = set(BusinessHours.objects.values_list("weekday", flat=True))
    assert days == {5, 6, 0, 1, 2, 3}  # Saturday to Thursday
    assert BusinessHours.objects.get(weekday=3).closes == time(13)
