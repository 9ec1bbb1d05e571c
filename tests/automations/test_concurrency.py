"""Automations under concurrency, on PostgreSQL with real threads: the same occasion
handled by several workers at once is sent and given once; expiry is posted once."""

from datetime import date

import pytest

from automations import services
from automations.models import AutomationRun, RunKind
from gamification import expiry, ledger
from gamification.models import Currency, EntryKind, LedgerEntry
from portal.notifications.models import Notification

from ..gamification.test_ledger_concurrency import run_in_threads
from .conftest import local

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
THREADS = 8


def test_one_birthday_greeting_and_gift_however_many_workers(make_user, automation_settings):
    automation_settings.birthday_gift_kind = "points"
    automation_settings.birthday_gift_amount = 200
    automation_settings.save()
    member = make_user()
    at = local(2027, 6, 7, 9, 0)
    results, errors = run_in_threads(
        [
            lambda: services.greet_birthday(member=member, celebration=date(2027, 6, 10), at=at)
            for _ in range(THREADS)
        ]
    )
    assert errors == []
    assert results.count(True) == 1
    assert AutomationRun.objects.filter(member=member, kind=RunKind.BIRTHDAY).count() == 1
    assert Notification.objects.filter(member=member).count() == 1
    assert ledger.balances(member).points == 200
    assert ledger.audit() == []


def test_expiry_posted_once_however_many_workers(make_user, automation_settings):
    member = make_user()
    ledger.post(
        member=member,
        currency=Currency.POINTS,
        amount=100,
        kind=EntryKind.ADJUSTMENT,
        idempotency_key="earn",
        at=local(2025, 1, 1, 10, 0),
    )
    results, errors = run_in_threads(
        [
            lambda: expiry.expire_member(member=member, on=date(2026, 1, 1), period_days=365)
            for _ in range(THREADS)
        ]
    )
    assert errors == []
    assert sorted(r.amount for r in results) == [0] * (THREADS - 1) + [100]
    assert LedgerEntry.objects.filter(kind=EntryKind.EXPIRY).count() == 1
    assert ledger.balances(member).points == 0
    assert ledger.audit() == []
