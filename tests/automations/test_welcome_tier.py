"""Welcome after sign-up and congratulations on a tier upgrade, each once."""

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from automations import services
from automations.models import AutomationRun, RunKind
from gamification import ledger, tiers
from gamification.models import Currency, EntryKind, Tier
from portal.accounts.models import User
from portal.notifications.models import Notification
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def runs(kind, member=None):
    rows = AutomationRun.objects.filter(kind=kind)
    return rows.filter(member=member) if member else rows


def test_web_sign_up_is_welcomed_once(
    client, automation_settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_signup"),
            {
                "email": "new@example.com",
                "password1": PASSWORD,
                "password2": PASSWORD,
                "first_name": "Niloufar",
                "last_name": "Azadi",
            },
        )
    assert response.status_code == 302
    member = User.objects.get(email="new@example.com")
    assert runs(RunKind.WELCOME, member).count() == 1
    note = Notification.objects.get(member=member, kind="automation_welcome")
    assert "Welcome to the club, Niloufar" in note.title
    assert note.marketing is False
    # The periodic catch-up finds nothing more to do.
    assert services.welcome_new_members() == 0
    assert services.welcome(member=member) is False


def test_periodic_job_welcomes_till_sign_ups_once(make_user, automation_settings):
    member = make_user()
    old = make_user()
    User.objects.filter(pk=old.pk).update(date_joined=timezone.now() - timedelta(days=5))
    staff = make_user()
    User.objects.filter(pk=staff.pk).update(is_staff=True)
    assert services.welcome_new_members() == 1
    assert services.welcome_new_members() == 0
    assert list(runs(RunKind.WELCOME).values_list("member", flat=True)) == [member.pk]


def test_welcome_gift_and_message(make_user, automation_settings):
    automation_settings.welcome_gift_kind = "points"
    automation_settings.welcome_gift_amount = 50
    automation_settings.welcome_message = "See you at the Central branch."
    automation_settings.save()
    member = make_user()
    assert services.welcome(member=member) is True
    assert services.welcome(member=member) is False
    assert ledger.balances(member).points == 50
    body = Notification.objects.get(member=member).body
    assert "50 points" in body and "See you at the Central branch." in body
    assert ledger.audit() == []


def test_welcome_switched_off(make_user, automation_settings):
    automation_settings.welcome_enabled = False
    automation_settings.save()
    make_user()
    assert services.welcome_new_members() == 0
    assert not runs(RunKind.WELCOME).exists()


def earn(member, points):
    ledger.post(
        member=member,
        currency=Currency.POINTS,
        amount=points,
        kind=EntryKind.ADJUSTMENT,
        idempotency_key=f"test:{uuid.uuid4()}",
    )


def test_tier_upgrade_is_congratulated_once_per_tier(
    make_user, automation_settings, django_capture_on_commit_callbacks
):
    member = make_user()
    with django_capture_on_commit_callbacks(execute=True):
        tiers.evaluate(member=member)  # placed in Bronze: no news
    assert not runs(RunKind.TIER).exists()

    earn(member, 1000)
    with django_capture_on_commit_callbacks(execute=True):
        tiers.evaluate(member=member)
    assert list(runs(RunKind.TIER, member).values_list("key", flat=True)) == ["tier:silver"]
    note = Notification.objects.get(member=member, kind="automation_tier")
    assert "Silver" in note.title

    # Down (nightly re-evaluation) and up again: Silver is not congratulated twice.
    silver, bronze = Tier.objects.get(slug="silver"), Tier.objects.get(slug="bronze")
    with django_capture_on_commit_callbacks(execute=True):
        services.on_tier_change(member=member, previous=silver, tier=bronze)
        services.on_tier_change(member=member, previous=bronze, tier=silver)
    assert runs(RunKind.TIER, member).count() == 1

    earn(member, 4000)
    with django_capture_on_commit_callbacks(execute=True):
        tiers.evaluate(member=member)
    assert set(runs(RunKind.TIER, member).values_list("key", flat=True)) == {
        "tier:silver",
        "tier:gold",
    }


def test_first_placement_above_the_lowest_tier_is_an_upgrade(
    make_user, automation_settings, django_capture_on_commit_callbacks
):
    member = make_user()
    earn(member, 1200)
    with django_capture_on_commit_callbacks(execute=True):
        tiers.evaluate(member=member)
    assert runs(RunKind.TIER, member).count() == 1


def test_tier_congratulations_switched_off(make_user, automation_settings):
    automation_settings.tier_congrats_enabled = False
    automation_settings.save()
    member = make_user()
    assert services.congratulate_tier(member=member, tier=Tier.objects.get(slug="gold")) is False
    assert not runs(RunKind.TIER).exists()
