"""Win-back: lapsed regulars (selectors.lapsed_members) get the offer once per lapse."""

from datetime import timedelta

import pytest

from automations import services
from automations.models import AutomationRun, RunKind
from automations.selectors import lapsed_members
from cardgateway.models import TxnKind
from gamification import ledger
from gamification.models import EntryKind, LedgerEntry
from portal.notifications.models import Notification

from .conftest import local

pytestmark = pytest.mark.django_db
NOW = local(2027, 6, 1, 12, 0)


@pytest.fixture(autouse=True)
def _clock(time_machine):
    time_machine.move_to(NOW, tick=False)


def visits(buy, member, *days_ago):
    for days in days_ago:
        buy(member, NOW - timedelta(days=days))


def test_two_visits_are_not_a_regular(make_user, buy, automation_settings):
    member = make_user()
    visits(buy, member, 200, 100)
    assert list(lapsed_members()) == []


def test_three_visits_69_days_ago_is_not_lapsed_yet(make_user, buy, automation_settings):
    member = make_user()
    visits(buy, member, 200, 100, 69)
    assert list(lapsed_members()) == []
    assert services.send_winback_offers() == 0


def test_three_visits_70_days_ago_is_lapsed(make_user, buy, automation_settings):
    member = make_user()
    visits(buy, member, 200, 100, 70)
    (row,) = lapsed_members()
    assert row == member
    assert row.visits == 3
    assert row.last_purchase_at == NOW - timedelta(days=70)


def test_reversals_and_returns_are_not_visits(make_user, buy, automation_settings):
    member = make_user()
    visits(buy, member, 200, 100)
    buy(member, NOW - timedelta(days=80), kind=TxnKind.RETURN)
    buy(member, NOW - timedelta(days=75), kind=TxnKind.REVERSAL)
    assert list(lapsed_members()) == []


def test_parameters_override_the_settings(make_user, buy, automation_settings):
    member = make_user()
    visits(buy, member, 200, 30)
    assert list(lapsed_members(min_visits=2, lapse_days=30)) == [member]
    assert list(lapsed_members(min_visits=2, lapse_days=31)) == []
    assert list(lapsed_members(at=NOW + timedelta(days=1), min_visits=2, lapse_days=31)) == [member]


def test_branch_keeps_members_of_that_home_branch(make_user, buy, branch, automation_settings):
    from cardgateway.models import Branch

    other = Branch.objects.create(code="north", name="North", city="Tehran")
    ours, theirs = make_user(home_branch=branch), make_user(home_branch=other)
    for member in (ours, theirs):
        visits(buy, member, 300, 200, 100)
    assert set(lapsed_members()) == {ours, theirs}
    assert list(lapsed_members(branch=branch)) == [ours]
    assert list(lapsed_members(branch=other.pk)) == [theirs]


def test_lapsed_members_is_one_query(
    make_user, buy, automation_settings, django_assert_num_queries
):
    for _ in range(3):
        visits(buy, make_user(), 300, 200, 100)
    with django_assert_num_queries(1):
        rows = list(lapsed_members(min_visits=3, lapse_days=70))
    assert len(rows) == 3


def test_offer_once_per_lapse_then_again_after_a_new_lapse(
    make_user, buy, automation_settings, time_machine
):
    automation_settings.winback_gift_kind = "credit"
    automation_settings.winback_gift_amount = 50_000
    automation_settings.save()
    member = make_user()
    visits(buy, member, 200, 100, 70)

    assert services.send_winback_offers() == 1
    assert services.send_winback_offers() == 0
    run = AutomationRun.objects.get(member=member, kind=RunKind.WINBACK)
    assert run.key == f"winback:{(NOW - timedelta(days=70)).date().isoformat()}"
    assert ledger.balances(member).credit == 50_000
    assert Notification.objects.filter(member=member, kind="automation_winback").count() == 1

    # Still lapsed a week later: nothing more.
    time_machine.move_to(NOW + timedelta(days=7), tick=False)
    assert services.send_winback_offers() == 0

    # Comes back, then lapses again: a new offer.
    buy(member, NOW + timedelta(days=8))
    assert services.send_winback_offers() == 0
    time_machine.move_to(NOW + timedelta(days=78), tick=False)
    assert services.send_winback_offers() == 1
    assert AutomationRun.objects.filter(member=member, kind=RunKind.WINBACK).count() == 2
    assert ledger.balances(member).credit == 100_000
    assert LedgerEntry.objects.filter(kind=EntryKind.GIFT).count() == 2
    assert ledger.audit() == []


def test_switched_off_sends_nothing(make_user, buy, automation_settings):
    automation_settings.winback_enabled = False
    automation_settings.save()
    visits(buy, make_user(), 200, 100, 70)
    assert services.send_winback_offers() == 0
    assert not AutomationRun.objects.exists()


def test_command(make_user, buy, automation_settings):
    from io import StringIO

    from django.core.management import call_command

    visits(buy, make_user(), 200, 100, 70)
    out = StringIO()
    call_command("send_winback_offers", stdout=out)
    assert "win-back offers sent: 1" in out.getvalue()
