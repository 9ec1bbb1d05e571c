"""Points expiry (gamification/expiry.py), first in first out, and its reminders."""

import uuid
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from automations import services
from automations.models import AutomationRun, RunKind
from gamification import expiry, holds, ledger
from gamification.models import Currency, EntryKind, LedgerEntry, Tier
from portal.notifications.models import Notification

from .conftest import local

pytestmark = pytest.mark.django_db
DAY0 = local(2025, 1, 1, 10, 0)


def day(n: int):
    return DAY0 + timedelta(days=n)


def post(member, amount, n, kind=None, corrects=None):
    kind = kind or (EntryKind.ADJUSTMENT if amount > 0 else EntryKind.CONVERSION_OUT)
    return ledger.post(
        member=member,
        currency=Currency.POINTS,
        amount=amount,
        kind=kind,
        idempotency_key=f"test:{uuid.uuid4()}",
        corrects=corrects,
        at=day(n),
    )


@pytest.fixture
def expiring(automation_settings):
    automation_settings.expiry_enabled = True
    automation_settings.expiry_days = 365
    automation_settings.expiry_reminder_days = 30
    automation_settings.save()
    return automation_settings


def run(time_machine, n: int, **kwargs):
    time_machine.move_to(day(n).replace(hour=2), tick=False)
    return services.run_points_expiry(**kwargs)


def expired(member) -> list[int]:
    return list(
        LedgerEntry.objects.filter(account__member=member, kind=EntryKind.EXPIRY)
        .order_by("id")
        .values_list("amount", flat=True)
    )


# --- The arithmetic -------------------------------------------------------------------------


def test_replay_consumes_the_oldest_lots_first():
    lots = expiry.replay(
        [(1, 100, day(0), None), (2, 50, day(200), None), (3, -120, day(300), None)]
    )
    assert [(lot.entry_id, lot.remaining) for lot in lots] == [(1, 0), (2, 30)]
    assert expiry.expiring(lots, on=date(2026, 1, 1), period_days=365) == 0
    assert expiry.expiring(lots, on=date(2026, 7, 20), period_days=365) == 30
    assert lots[1].expires_on(365) == date(2026, 7, 20)


def test_replay_a_correction_takes_from_its_own_lot_first():
    lots = expiry.replay([(1, 100, day(0), None), (2, 50, day(10), None), (3, -60, day(20), 2)])
    # 50 from lot 2 (the one corrected), the other 10 from the oldest lot.
    assert [lot.remaining for lot in lots] == [90, 0]


def test_replay_a_debit_before_any_lot_is_taken_from_the_next():
    lots = expiry.replay([(1, -30, day(0), None), (2, 100, day(1), None), (3, 10, day(2), None)])
    assert [lot.remaining for lot in lots] == [70, 10]


# --- Posting ------------------------------------------------------------------------------


def test_hand_built_ledger_expires_lot_by_lot(make_user, expiring, time_machine):
    member = make_user()
    post(member, 100, 0)
    post(member, 50, 200)
    post(member, -120, 300)
    # Day 365: lot 1 (100) was used up by the spend (100 of the 120).
    assert run(time_machine, 365).expired_points == 0
    assert expired(member) == []
    # Day 565 (lot 2's expiry): 50 - 20 = 30 left of it.
    assert run(time_machine, 565).expired_points == 30
    assert expired(member) == [-30]
    assert ledger.balances(member).points == 0
    assert ledger.audit() == []


def test_partly_spent_lot_expires_its_rest_once(make_user, expiring, time_machine):
    member = make_user()
    post(member, 100, 0)
    post(member, 50, 200)
    post(member, -20, 300)
    report = run(time_machine, 365)
    assert (report.expired_members, report.expired_points) == (1, 80)
    assert run(time_machine, 365).expired_points == 0  # the same day again
    assert run(time_machine, 366).expired_points == 0  # the next day
    assert ledger.balances(member).points == 50
    assert run(time_machine, 565).expired_points == 50
    assert expired(member) == [-80, -50]
    assert ledger.balances(member).points == 0
    assert ledger.audit() == []


def test_the_same_key_is_not_posted_twice(make_user, expiring):
    member = make_user()
    post(member, 100, 0)
    first = expiry.expire_member(member=member, on=date(2026, 1, 1), period_days=365)
    second = expiry.expire_member(member=member, on=date(2026, 1, 1), period_days=365)
    assert (first.amount, second.amount) == (100, 0)
    assert first.entry.idempotency_key == f"expiry:{member.pk}:2026-01-01"
    assert expired(member) == [-100]


def test_held_points_do_not_expire_and_come_back_as_a_new_lot(make_user, expiring, time_machine):
    member = make_user()
    earned = post(member, 100, 0)
    subject = Tier.objects.first()  # any row stands for the review case
    holds.place(entries=[earned], subject=subject, at=day(10))
    assert ledger.balances(member).held_points == 100
    # Nothing spendable is left of the lot: nothing expires, the hold is untouched.
    assert run(time_machine, 365).expired_points == 0
    holds.settle(subject=subject, forfeit=False, at=day(400))
    assert ledger.balances(member).points == 100
    assert run(time_machine, 401).expired_points == 0
    assert run(time_machine, 765).expired_points == 100
    assert ledger.audit() == []


def test_never_more_than_the_balance(make_user, expiring):
    member = make_user()
    post(member, 100, 0)
    post(member, -40, 10)
    result = expiry.expire_member(member=member, on=date(2027, 1, 1), period_days=365)
    assert result.amount == 60
    assert ledger.balances(member).points == 0
    assert ledger.audit() == []


def test_switched_off_expires_nothing(make_user, automation_settings, time_machine):
    member = make_user()
    post(member, 100, 0)
    assert run(time_machine, 400).expired_points == 0
    assert ledger.balances(member).points == 100


def test_catch_up_window(make_user, expiring, time_machine):
    member = make_user()
    post(member, 100, 0)
    # 40 days late: outside the default 31-day catch-up, inside an unlimited one.
    assert run(time_machine, 405).expired_points == 0
    assert run(time_machine, 405, catch_up_days=None).expired_points == 100
    assert ledger.balances(member).points == 0


def test_due_members_is_one_query(make_user, expiring, django_assert_num_queries):
    members = [make_user() for _ in range(3)]
    for member in members:
        post(member, 100, 0)
    with django_assert_num_queries(1):
        ids = list(expiry.due_members(on=date(2026, 1, 1), period_days=365))
    assert ids == [m.pk for m in members]
    assert list(expiry.due_members(on=date(2025, 12, 31), period_days=365)) == []


# --- Reminders and the command -------------------------------------------------------------


def test_reminder_once_per_member_and_expiry_day(make_user, expiring, time_machine):
    member = make_user()
    post(member, 100, 0)
    post(member, -30, 100)
    assert run(time_machine, 334).reminded == 0
    assert run(time_machine, 335).reminded == 1
    assert run(time_machine, 335).reminded == 0
    assert run(time_machine, 336).reminded == 0
    note = Notification.objects.get(member=member, kind="automation_expiry_reminder")
    assert "70" in note.title and "1 January 2026" in note.title
    assert AutomationRun.objects.get(kind=RunKind.EXPIRY_REMINDER).key == "expiry:2026-01-01"
    assert ledger.balances(member).points == 70


def test_nothing_left_to_expire_means_no_reminder(make_user, expiring, time_machine):
    member = make_user()
    post(member, 100, 0)
    post(member, 50, 5)
    post(member, -100, 100)
    assert run(time_machine, 335).reminded == 0
    assert run(time_machine, 340).reminded == 1  # lot 2's 50


def test_command_dry_run_prints_and_changes_nothing(make_user, expiring, time_machine):
    member = make_user()
    post(member, 100, 0)
    time_machine.move_to(day(365).replace(hour=2), tick=False)
    out = StringIO()
    call_command("expire_points", "--dry-run", stdout=out)
    assert f"{member.pk} {member.email}: would expire 100 points on 2026-01-01" in out.getvalue()
    assert "dry run: 100 points of 1 members expired" in out.getvalue()
    assert expired(member) == []
    call_command("expire_points", stdout=StringIO())
    assert expired(member) == [-100]
