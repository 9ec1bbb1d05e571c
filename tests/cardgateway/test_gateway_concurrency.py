"""The reader API under real concurrency on PostgreSQL: 32 signed readers against two
Daphne processes (so several database sessions post at the same moment), on 8 shared
cards, sending purchases (some spending credit), inquiries, partial returns and
reversals, and sending a request again with the same txn_id whenever its answer is lost.
Afterwards the books balance and every acknowledged transaction exists exactly once
(cardgateway.loadgen.check_exactly_once says precisely what is checked).

The checker itself is tested below on small hand-made cases, so that a broken
check cannot pass the load test by finding nothing."""

import json

import pytest
from django.core.management import call_command

from cardgateway import loadgen
from cardgateway.models import Transaction, TxnKind
from gamification import ledger
from gamification.models import Currency, EntryKind, LedgerEntry

READERS = 32
REQUESTS_PER_READER = 12


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_32_readers_on_shared_cards_leave_every_acknowledged_transaction_exactly_once(
    tmp_path,
):
    # 8 members with a card each: every other one has credit to spend, every third is
    # referred by an earlier one (referral shares); 4 tills with 8 readers each.
    terminals, cards = loadgen.seed_club(members=8, terminals=4, prefix="conc")
    servers = loadgen.ServerGroup(workers=2, env=loadgen.django_server_env(), log_dir=tmp_path)
    with servers:
        result = loadgen.LoadRun(
            addresses=servers.addresses,
            terminals=terminals,
            cards=cards,
            readers=READERS,
            requests_per_reader=REQUESTS_PER_READER,
            # One first attempt in ten gives up after 3 ms, so its answer is lost however
            # the request ends and the reader sends it again; the others wait up to 3 s.
            lost_answer_rate=0.1,
            timeout=3.0,
            give_up_after=40.0,
        ).run()

    assert result.unresolved == []
    assert [(o.kind, o.status, o.answer) for o in result.unexpected] == []
    assert len(result.outcomes) == READERS * REQUESTS_PER_READER
    problems = loadgen.check_exactly_once(result, run_terminals=[t.terminal_id for t in terminals])
    assert problems == []
    call_command("audit_ledger")  # raises CommandError on any difference
    # The load did what it claims: lost answers came back as replays, and every kind of
    # posting happened on all the shared cards.
    assert result.retried["lost_answer"] > 0
    assert any(o.replay for o in result.outcomes)
    assert {TxnKind.PURCHASE, TxnKind.RETURN, TxnKind.REVERSAL} <= set(
        Transaction.objects.values_list("kind", flat=True)
    )
    assert Transaction.objects.values("card").distinct().count() == len(cards)
    assert Transaction.objects.filter(kind=TxnKind.PURCHASE, redeemed__gt=0).exists()
    assert LedgerEntry.objects.filter(kind=EntryKind.REFERRAL_SHARE).exists()


# --- the checker on hand-made cases -------------------------------------------------------


def _outcome(response, kind: str, body: dict) -> loadgen.Outcome:
    return loadgen.Outcome(
        reader=0,
        kind=kind,
        terminal_id="T17",
        txn_id=body.get("txn_id"),
        body=body,
        status=response.status_code,
        answer=json.loads(response.content),
        replay=response.get("Idempotent-Replay") == "true",
        attempts=1,
        latency=0.0,
        at=0.0,
    )


@pytest.fixture
def posted(reader, card, give_credit):
    """A small sequential run through the API: purchases, a return, a reversal."""
    give_credit(card.member, 500_000)
    outcomes = []
    steps = [
        ("purchase", "purchases", {"txn_id": "P1", "card": card.number, "amount": 300_000}),
        (
            "purchase",
            "purchases",
            {"txn_id": "P2", "card": card.number, "amount": 200_000, "redeem": 100_000},
        ),
        ("return", "returns", {"txn_id": "R1", "original_txn_id": "P1", "amount": 100_000}),
        ("reversal", "reversals", {"txn_id": "V1", "original_txn_id": "P2"}),
        ("reversal", "reversals", {"txn_id": "V2", "original_txn_id": "P2"}),
    ]
    for kind, endpoint, body in steps:
        outcomes.append(_outcome(reader.post(endpoint, body), kind, body))
    assert [o.status for o in outcomes] == [201, 201, 201, 201, 422]
    return loadgen.LoadResult(outcomes=outcomes)


def _problems(result) -> list[str]:
    return loadgen.check_exactly_once(result, run_terminals=["T17"])


def test_the_check_finds_nothing_wrong_with_a_correct_run(posted):
    assert _problems(posted) == []


def test_the_check_finds_an_acknowledged_transaction_missing_from_the_database(posted):
    Transaction.objects.filter(txn_id="V1").delete()
    LedgerEntry.objects.filter(kind=EntryKind.PURCHASE_REVERSAL).delete()
    assert any("'V1') is not in the database" in p for p in _problems(posted))


def test_the_check_finds_a_transaction_nobody_was_told_about(posted):
    posted.outcomes = [o for o in posted.outcomes if o.txn_id != "P1"]
    assert any("'P1') in the database, never acknowledged" in p for p in _problems(posted))


def test_the_check_finds_a_refused_transaction_that_is_in_the_database(posted):
    refused = next(o for o in posted.outcomes if o.txn_id == "V2")
    refused.txn_id = "V1"  # as if V1 had been refused
    assert any("refused txn ('T17', 'V1')" in p for p in _problems(posted))


def test_the_check_finds_an_answer_that_differs_from_the_stored_one(posted):
    posted.outcomes[0].answer = dict(posted.outcomes[0].answer, receipt="R-OTHER")
    assert any("receipt" in p for p in _problems(posted))


def test_the_check_finds_a_missing_ledger_entry(posted):
    purchase = Transaction.objects.get(txn_id="P1")
    # Entries are protected (reversals point at them): file it under another key instead.
    LedgerEntry.objects.filter(idempotency_key=f"gw:{purchase.pk}:cashback").update(
        idempotency_key="elsewhere"
    )
    assert any("P1: no cashback entry" in p for p in _problems(posted))


def test_the_check_finds_credit_spent_below_zero(posted, card):
    ledger.post(
        member=card.member,
        currency=Currency.CREDIT,
        amount=-10_000_000,
        kind=EntryKind.REDEEM,
        idempotency_key="overdraw",
        allow_negative=True,
    )
    assert any("spent credit to" in p for p in _problems(posted))


def test_the_check_accepts_credit_below_zero_through_a_reversal(posted, card):
    ledger.post(
        member=card.member,
        currency=Currency.CREDIT,
        amount=-10_000_000,
        kind=EntryKind.PURCHASE_REVERSAL,
        idempotency_key="reversed-below-zero",
        allow_negative=True,
    )
    ledger.post(
        member=card.member,
        currency=Currency.CREDIT,
        amount=1_000,
        kind=EntryKind.CASHBACK,
        idempotency_key="cashback-while-negative",
    )
    assert _problems(posted) == []
