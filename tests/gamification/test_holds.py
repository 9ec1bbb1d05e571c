"""Holds: points and credit under review move to held accounts, are released or
forfeited once, and the books balance at every step."""

import pytest
from django.db import transaction

from gamification import holds, ledger
from gamification.models import (
    HELD,
    Account,
    Currency,
    EntryKind,
    Hold,
    HoldStatus,
    LedgerEntry,
    Tier,
)

from .conftest import give_points
from .test_ledger_concurrency import run_in_threads

POINTS, CREDIT = Currency.POINTS, Currency.CREDIT


def earn(member, currency, amount, key):
    kind = EntryKind.CASHBACK if currency == CREDIT else EntryKind.PURCHASE_POINTS
    return ledger.post(
        member=member, currency=currency, amount=amount, kind=kind, idempotency_key=key
    )


def balance(member, currency) -> int:
    return Account.objects.get(member=member, currency=currency).balance


@pytest.fixture
def case(db):
    # Any row can hold; the fraud review uses its cases.
    return Tier.objects.first()


def test_place_moves_the_amount_to_the_held_account(member, case):
    credit = earn(member, CREDIT, 1_000, "c1")
    points = earn(member, POINTS, 80, "p1")
    lifetime = Account.objects.get(member=member, currency=POINTS).lifetime_earned

    placed = holds.place(entries=[credit, points], subject=case, reason="review")

    assert {(h.currency, h.amount) for h in placed} == {(CREDIT, 1_000), (POINTS, 80)}
    assert (balance(member, CREDIT), balance(member, POINTS)) == (0, 0)
    assert holds.held(member) == holds.Held(points=80, credit=1_000)
    # Held points do not count towards tiers or leaderboards.
    assert Account.objects.get(member=member, currency=POINTS).lifetime_earned == lifetime - 80
    assert ledger.audit() == []


def test_held_amounts_cannot_be_spent(member, case):
    credit = earn(member, CREDIT, 1_000, "c1")
    holds.place(entries=[credit], subject=case)
    with pytest.raises(ledger.InsufficientBalance):
        ledger.post(
            member=member,
            currency=CREDIT,
            amount=-1,
            kind=EntryKind.REDEEM,
            idempotency_key="spend",
        )


def test_a_hold_takes_at_most_the_spendable_balance(member, case):
    points = earn(member, POINTS, 100, "p1")
    ledger.post(
        member=member,
        currency=POINTS,
        amount=-70,
        kind=EntryKind.REWARD,
        idempotency_key="spent",
    )
    (hold,) = holds.place(entries=[points], subject=case)
    assert hold.amount == 30
    assert balance(member, POINTS) == 0


def test_placing_twice_holds_once_and_debits_and_other_entries_are_ignored(member, case):
    credit = earn(member, CREDIT, 500, "c1")
    debit = ledger.post(
        member=member, currency=CREDIT, amount=-100, kind=EntryKind.REDEEM, idempotency_key="d"
    )
    assert len(holds.place(entries=[credit, debit], subject=case)) == 1
    assert holds.place(entries=[credit], subject=case) == []
    assert holds.place(entries=[], subject=case) == []
    assert Hold.objects.count() == 1
    assert balance(member, CREDIT) == 0


def test_release_gives_everything_back(member, case):
    credit = earn(member, CREDIT, 1_000, "c1")
    points = earn(member, POINTS, 80, "p1")
    lifetime = Account.objects.get(member=member, currency=POINTS).lifetime_earned
    holds.place(entries=[credit, points], subject=case)

    settled = holds.settle(subject=case, forfeit=False, reason="cleared")

    assert {h.status for h in settled} == {HoldStatus.RELEASED}
    assert (balance(member, CREDIT), balance(member, POINTS)) == (1_000, 80)
    assert holds.held(member) == holds.Held(0, 0)
    assert Account.objects.get(member=member, currency=POINTS).lifetime_earned == lifetime
    assert ledger.audit() == []


def test_forfeit_takes_the_held_amounts(member, case):
    credit = earn(member, CREDIT, 1_000, "c1")
    give_points(member, 5)  # honest points stay
    points = earn(member, POINTS, 80, "p1")
    holds.place(entries=[credit, points], subject=case)

    settled = holds.settle(subject=case, forfeit=True, reason="confirmed")

    assert {(h.status, h.forfeited, h.released) for h in settled} == {
        (HoldStatus.FORFEITED, 1_000, 0),
        (HoldStatus.FORFEITED, 80, 0),
    }
    assert (balance(member, CREDIT), balance(member, POINTS)) == (0, 5)
    assert holds.held(member) == holds.Held(0, 0)
    assert LedgerEntry.objects.filter(kind=EntryKind.HOLD_FORFEITED).count() == 2
    assert ledger.audit() == []


def test_forfeit_never_takes_what_a_reversal_already_took_back(member, case):
    cashback = earn(member, CREDIT, 1_000, "c1")
    holds.place(entries=[cashback], subject=case)
    # The till reverses 400 of the purchase while its cashback is on hold.
    ledger.reverse(
        entry=cashback,
        amount=400,
        kind=EntryKind.PURCHASE_REVERSAL,
        idempotency_key="rev",
        allow_negative=True,
    )
    assert balance(member, CREDIT) == -400

    (hold,) = holds.settle(subject=case, forfeit=True)

    assert (hold.forfeited, hold.released) == (600, 400)
    # Earned 1,000, 400 taken back by the till, 600 forfeited: nothing taken twice.
    assert balance(member, CREDIT) == 0
    assert ledger.audit() == []


def test_settling_twice_settles_once(member, case):
    earn_entry = earn(member, CREDIT, 1_000, "c1")
    holds.place(entries=[earn_entry], subject=case)
    assert len(holds.settle(subject=case, forfeit=True)) == 1
    assert holds.settle(subject=case, forfeit=False) == []
    assert balance(member, CREDIT) == 0


def test_a_released_entry_can_be_held_again(member, case):
    credit = earn(member, CREDIT, 1_000, "c1")
    holds.place(entries=[credit], subject=case)
    holds.settle(subject=case, forfeit=False)
    other = Tier.objects.exclude(pk=case.pk).first()
    (again,) = holds.place(entries=[credit], subject=other)
    assert again.amount == 1_000
    assert holds.held(member).credit == 1_000


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_decisions_settle_each_hold_once(make_user):
    case = Tier.objects.create(name="case", slug="case", threshold=987_654)
    people = [make_user() for _ in range(3)]
    entries = []
    for index, person in enumerate(people):
        entries.append(earn(person, CREDIT, 1_000, f"c{index}"))
        entries.append(earn(person, POINTS, 50, f"p{index}"))
    holds.place(entries=entries, subject=case)

    def decide(forfeit):
        return lambda: holds.settle(subject=case, forfeit=forfeit)

    results, errors = run_in_threads([decide(i % 2 == 0) for i in range(12)])

    assert errors == []
    assert sum(len(r) for r in results) == 6  # every hold settled by exactly one caller
    winner = next(r for r in results if r)
    forfeited = winner[0].status == HoldStatus.FORFEITED
    for person in people:
        assert holds.held(person) == holds.Held(0, 0)
        expected = (0, 0) if forfeited else (1_000, 50)
        assert (balance(person, CREDIT), balance(person, POINTS)) == expected
    assert ledger.audit() == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_hold_and_a_spend_at_the_same_moment_never_overdraw(make_user):
    case = Tier.objects.create(name="case", slug="case", threshold=987_655)
    person = make_user()
    credit = earn(person, CREDIT, 1_000, "c")

    def spend():
        with transaction.atomic():
            return ledger.post(
                member=person,
                currency=CREDIT,
                amount=-700,
                kind=EntryKind.REDEEM,
                idempotency_key="spend",
            )

    results, errors = run_in_threads([spend, lambda: holds.place(entries=[credit], subject=case)])

    assert errors == []
    spent = 700 if isinstance(results[0], LedgerEntry) else 0
    held = holds.held(person).credit
    assert spent + held == 1_000 - balance(person, CREDIT)
    assert balance(person, CREDIT) >= 0
    assert balance(person, HELD[CREDIT]) == held
    assert ledger.audit() == []


def test_the_panel_shows_what_is_on_hold_and_history_shows_one_entry_each_way(
    member, member_client, case
):
    credit = earn(member, CREDIT, 1_000, "c1")
    assert "On hold for review" not in member_client.get("/club/").content.decode()
    holds.place(entries=[credit], subject=case)

    panel = member_client.get("/club/").content.decode()
    assert "On hold for review" in panel

    holds.settle(subject=case, forfeit=False)
    history = member_client.get("/club/history/").content.decode()
    assert "Held for review" in history and "Released after review" in history
    assert "credit on hold" not in history
