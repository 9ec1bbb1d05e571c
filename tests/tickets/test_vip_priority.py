"""VIP support (DESIGN.md): a tier may file its members' tickets at least as urgent as its
ticket_priority. The VIP tier is seeded with "high"."""

import pytest

from gamification.models import MemberTier, Tier
from tickets import services

pytestmark = pytest.mark.django_db


def _file(member, category, **kwargs):
    return services.open_ticket(
        kind="support",
        category=category,
        member=member,
        subject="Help",
        description="Please",
        **kwargs,
    )


def _join(member, slug):
    MemberTier.objects.create(member=member, tier=Tier.objects.get(slug=slug))


def test_a_vip_members_ticket_is_filed_high(member, category):
    assert Tier.objects.get(slug="vip").ticket_priority == "high"
    _join(member, "vip")
    assert _file(member, category).priority == "high"


def test_a_higher_priority_asked_for_is_kept_and_other_tiers_change_nothing(make_user, category):
    vip, bronze, none = make_user(), make_user(), make_user()
    _join(vip, "vip")
    _join(bronze, "bronze")
    assert _file(vip, category, priority="urgent").priority == "urgent"
    assert _file(bronze, category).priority == "normal"
    assert _file(none, category, priority="low").priority == "low"


def test_a_guests_ticket_keeps_its_priority(open_guest_ticket):
    assert open_guest_ticket(priority="low").priority == "low"
