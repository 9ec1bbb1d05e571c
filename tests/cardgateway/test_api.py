"""The reader API of GATEWAY.md, request by request: every status and error code, each
refusal checked to have changed nothing."""

import json
import time

import pytest

from cardgateway import services
from cardgateway.models import CardStatus, GatewaySettings, LimitHit, Transaction
from gamification import ledger
from gamification.models import Account, ClubSettings, LedgerEntry

from .conftest import TERMINAL_SECRET, Reader

pytestmark = pytest.mark.django_db


def purchase_body(card, txn_id="T17-000123", amount=200_000, redeem=0, **extra):
    body = {"txn_id": txn_id, "card": card.number, "amount": amount, "redeem": redeem}
    body.update(extra)
    return body


def books():
    """Everything a request could change: entries, balances, postings."""
    return (
        LedgerEntry.objects.count(),
        sorted(Account.objects.values_list("member_id", "currency", "balance")),
        Transaction.objects.count(),
    )


@pytest.fixture
def unchanged():
    """Assert that the request made inside the block changed nothing."""

    class Check:
        def __enter__(self):
            self.before = books()

        def __exit__(self, *exc):
            assert books() == self.before

    return Check


def assert_error(response, status: int, code: str):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]


# --- success paths ------------------------------------------------------------------------


def test_health_needs_no_signature(client):
    response = client.get("/gateway/v1/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_inquiry_answers_masked_card_member_tier_and_balances(reader, card, member, give_credit):
    give_credit(member, 84_000)
    response = reader.post("inquiry", {"card": card.number})
    assert response.status_code == 200
    assert response.json() == {
        "card": f"{card.number[:6]}******{card.number[-4:]}",
        "status": "active",
        "member": {"display_name": member.display_name, "tier": "bronze"},
        "points": 0,
        "credit": 84_000,
        "currency": "IRR",
    }


def test_inquiry_of_a_blocked_card_reports_its_status(reader, card):
    services.set_card_status(card=card, status=CardStatus.BLOCKED)
    response = reader.post("inquiry", {"card": card.number})
    assert response.status_code == 200
    assert response.json()["status"] == "blocked"


def test_purchase_credits_cashback_and_points_on_amount_minus_redeem(
    reader, card, member, give_credit
):
    give_credit(member, 100_000)
    response = reader.post("purchases", purchase_body(card, redeem=60_000))
    assert response.status_code == 201
    answer = response.json()
    bronze_base = 140_000
    assert answer["txn_id"] == "T17-000123"
    assert answer["receipt"].startswith("R-")
    assert answer["amount"] == 200_000
    assert answer["redeemed"] == 60_000
    assert answer["cashback"] == bronze_base * 200 // 10_000
    assert answer["points"] == bronze_base * 50 // 1_000_000
    assert answer["balance"] == {
        "points": answer["points"],
        "credit": 100_000 - 60_000 + answer["cashback"],
    }
    assert answer["tier"] == "bronze"
    assert ledger.balances(member) == ledger.Balances(answer["points"], 40_000 + answer["cashback"])
    assert ledger.audit() == []


def test_purchase_records_branch_terminal_and_request_hash(reader, card, terminal):
    reader.post("purchases", purchase_body(card, occurred_at="2026-11-23T10:15:00+03:30"))
    txn = Transaction.objects.get()
    assert (txn.terminal, txn.branch, txn.kind) == (terminal, terminal.branch, "purchase")
    assert len(txn.request_hash) == 64
    assert txn.occurred_at.isoformat() == "2026-11-23T06:45:00+00:00"
    entries = LedgerEntry.objects.filter(subject_id=txn.pk)
    assert {e.actor_label for e in entries} == {"terminal:T17"}
    assert {e.branch_id for e in entries} == {terminal.branch_id}


def test_same_txn_id_and_body_replays_the_first_answer_and_changes_nothing(reader, card, unchanged):
    first = reader.post("purchases", purchase_body(card))
    with unchanged():
        again = reader.post("purchases", purchase_body(card))
    assert again.status_code == 200
    assert again["Idempotent-Replay"] == "true"
    assert again.json() == first.json()
    assert "Idempotent-Replay" not in first


def test_same_txn_id_with_another_body_is_txn_conflict(reader, card, unchanged):
    reader.post("purchases", purchase_body(card))
    with unchanged():
        response = reader.post("purchases", purchase_body(card, amount=300_000))
    assert_error(response, 409, "txn_conflict")


def test_txn_ids_are_per_terminal(reader, card, branch, client):
    services.create_terminal(branch=branch, name="Till 2", terminal_id="T18", secret="s" * 20)
    reader.post("purchases", purchase_body(card))
    other = Reader(client, terminal_id="T18", secret="s" * 20)
    response = other.post("purchases", purchase_body(card, amount=1000))
    assert response.status_code == 201
    assert Transaction.objects.count() == 2


def test_reversal_undoes_the_purchase_entirely(reader, card, member, give_credit):
    give_credit(member, 100_000)
    bought = reader.post("purchases", purchase_body(card, redeem=60_000)).json()
    response = reader.post("reversals", {"txn_id": "T17-000124", "original_txn_id": "T17-000123"})
    assert response.status_code == 201
    answer = response.json()
    assert answer["amount"] == -200_000
    assert answer["redeemed"] == -60_000
    assert answer["cashback"] == -bought["cashback"]
    assert answer["points"] == -bought["points"]
    assert answer["balance"] == {"points": 0, "credit": 100_000}
    assert ledger.balances(member) == ledger.Balances(0, 100_000)
    assert ledger.audit() == []


def test_partial_return_takes_back_in_proportion(reader, card, member):
    bought = reader.post("purchases", purchase_body(card, amount=1_000_000)).json()
    response = reader.post(
        "returns", {"txn_id": "R1", "original_txn_id": "T17-000123", "amount": 250_000}
    )
    assert response.status_code == 201
    answer = response.json()
    assert answer["amount"] == -250_000
    assert answer["redeemed"] == 0
    assert answer["cashback"] == -(bought["cashback"] // 4)
    assert answer["points"] == -(bought["points"] // 4)


def test_returns_adding_up_to_the_purchase_take_back_exactly_all_of_it(reader, card, member):
    reader.post("purchases", purchase_body(card, amount=333_333))
    for n, amount in enumerate((111_111, 111_111, 111_111)):
        response = reader.post(
            "returns", {"txn_id": f"R{n}", "original_txn_id": "T17-000123", "amount": amount}
        )
        assert response.status_code == 201
    assert ledger.balances(member) == ledger.Balances(0, 0)
    assert ledger.audit() == []


def test_reversal_after_a_return_takes_back_only_the_rest(reader, card, member, give_credit):
    give_credit(member, 100_000)
    reader.post("purchases", purchase_body(card, amount=1_000_000, redeem=50_000))
    reader.post("returns", {"txn_id": "R1", "original_txn_id": "T17-000123", "amount": 400_000})
    response = reader.post("reversals", {"txn_id": "V1", "original_txn_id": "T17-000123"})
    assert response.status_code == 201
    assert response.json()["amount"] == -600_000
    assert ledger.balances(member) == ledger.Balances(0, 100_000)


def test_reversal_may_take_credit_below_zero(reader, card, member, give_credit):
    give_credit(member, 100_000)
    bought = reader.post("purchases", purchase_body(card, amount=1_000_000)).json()
    services_convert_all_credit_away(member, 100_000 + bought["cashback"])
    response = reader.post("reversals", {"txn_id": "V1", "original_txn_id": "T17-000123"})
    assert response.status_code == 201
    assert ledger.balances(member).credit == -bought["cashback"]
    assert ledger.audit() == []


def services_convert_all_credit_away(member, amount):
    # Spend the credit at another purchase of another terminal-less till.
    ledger.post(
        member=member,
        currency="credit",
        amount=-amount,
        kind="redeem",
        idempotency_key=f"spend-all:{member.pk}",
    )


def test_a_member_below_zero_cannot_spend(reader, card, member, give_credit):
    give_credit(member, 100_000)
    reader.post("purchases", purchase_body(card, amount=1_000_000))
    services_convert_all_credit_away(member, ledger.balances(member).credit)
    reader.post("reversals", {"txn_id": "V1", "original_txn_id": "T17-000123"})
    ClubSettings.objects.update(min_redeemable_credit=0)
    response = reader.post("purchases", purchase_body(card, txn_id="P2", redeem=1))
    assert_error(response, 422, "insufficient_credit")


def test_reversal_takes_back_points_only_as_far_as_the_balance_goes(reader, card, member):
    bought = reader.post("purchases", purchase_body(card, amount=10_000_000)).json()
    ledger.post(
        member=member,
        currency="points",
        amount=-(bought["points"] - 3),
        kind="reward",
        idempotency_key="spent-points",
    )
    response = reader.post("reversals", {"txn_id": "V1", "original_txn_id": "T17-000123"})
    assert response.status_code == 201
    assert response.json()["points"] == -3
    assert Transaction.objects.get(txn_id="V1").points_uncollected == bought["points"] - 3
    assert ledger.balances(member).points == 0
    assert ledger.audit() == []


def test_referrer_earns_a_share_and_a_reversal_takes_it_back(reader, make_user, branch):
    from gamification.referrals import register_referral

    referrer, referee = make_user(), make_user()
    register_referral(referrer=referrer, referee=referee)
    card = services.issue_card(member=referee)
    credit_before = ledger.balances(referrer).credit
    reader.post("purchases", purchase_body(card, amount=1_000_000))
    txn = Transaction.objects.get()
    assert txn.referral_share > 0
    assert ledger.balances(referrer).credit == credit_before + txn.referral_share
    reader.post("reversals", {"txn_id": "V1", "original_txn_id": "T17-000123"})
    assert ledger.balances(referrer).credit == credit_before
    assert ledger.audit() == []


# --- 400 invalid_request -------------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        {"amount": 0},
        {"amount": -5},
        {"amount": "200000"},
        {"amount": 2.5},
        {"amount": True},
        {"amount": 10**30},
        {"redeem": 10**30},
        {"redeem": -1},
        {"redeem": 300_000},
        {"txn_id": ""},
        {"txn_id": "has space"},
        {"txn_id": "x" * 65},
        {"txn_id": 17},
        {"card": "6037990000000007"},
        {"card": "603799000000000"},
        {"card": 6037990000000006},
        {"occurred_at": "yesterday"},
        {"occurred_at": "2026-11-23T10:15:00"},
    ],
)
def test_ill_formed_purchase_is_invalid_request(
    reader, card, member, give_credit, change, unchanged
):
    give_credit(member, 1_000_000)
    with unchanged():
        response = reader.post("purchases", {**purchase_body(card), **change})
    assert_error(response, 400, "invalid_request")


@pytest.mark.parametrize("missing", ["txn_id", "card", "amount"])
def test_missing_field_is_invalid_request(reader, card, missing, unchanged):
    body = purchase_body(card)
    del body[missing]
    with unchanged():
        response = reader.post("purchases", body)
    assert_error(response, 400, "invalid_request")


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b"\xff\xfe", b""])
def test_malformed_body_is_invalid_request(reader, raw, unchanged):
    with unchanged():
        response = reader.post("purchases", None, raw=raw)
    assert_error(response, 400, "invalid_request")


def test_oversized_body_is_refused_before_it_is_read(reader, card, unchanged, settings):
    body = purchase_body(card, note="x" * settings.GATEWAY_MAX_BODY_BYTES)
    with unchanged():
        response = reader.post("purchases", body)
    assert_error(response, 400, "invalid_request")


def test_return_of_zero_is_invalid_request(reader, card, unchanged):
    reader.post("purchases", purchase_body(card))
    with unchanged():
        response = reader.post(
            "returns", {"txn_id": "R1", "original_txn_id": "T17-000123", "amount": 0}
        )
    assert_error(response, 400, "invalid_request")


# --- 401 authentication ------------------------------------------------------------------


@pytest.mark.parametrize("header", ["X-Terminal-Id", "X-Timestamp", "X-Nonce", "X-Signature"])
def test_missing_header_is_refused(reader, card, header, unchanged):
    with unchanged():
        response = reader.post("purchases", purchase_body(card), **{header: ""})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "bad_signature"


def test_unknown_terminal_is_refused(client, card, terminal, unchanged):
    with unchanged():
        response = Reader(client, terminal_id="T99").post("purchases", purchase_body(card))
    assert_error(response, 401, "unknown_terminal")


def test_wrong_secret_is_bad_signature(client, card, terminal, unchanged):
    with unchanged():
        response = Reader(client, secret="not-" + TERMINAL_SECRET).post(
            "purchases", purchase_body(card)
        )
    assert_error(response, 401, "bad_signature")


def test_body_changed_after_signing_is_bad_signature(reader, card, client, unchanged):
    path = "/gateway/v1/purchases"
    signed = json.dumps(purchase_body(card, amount=1000)).encode()
    sent = json.dumps(purchase_body(card, amount=9_000_000)).encode()
    with unchanged():
        response = client.generic(
            "POST",
            path,
            sent,
            content_type="application/json",
            headers=reader.headers("POST", path, signed),
        )
    assert_error(response, 401, "bad_signature")


def test_signature_for_another_path_is_bad_signature(reader, card, client, unchanged):
    body = json.dumps(purchase_body(card)).encode()
    with unchanged():
        response = client.generic(
            "POST",
            "/gateway/v1/purchases",
            body,
            content_type="application/json",
            headers=reader.headers("POST", "/gateway/v1/returns", body),
        )
    assert_error(response, 401, "bad_signature")


def test_malformed_nonce_is_refused(reader, card, unchanged):
    with unchanged():
        response = reader.post("purchases", purchase_body(card), **{"X-Nonce": "short"})
    assert response.status_code == 401


@pytest.mark.parametrize("offset", [-301, 301, -3600])
def test_timestamp_outside_300_seconds_is_stale_request(reader, card, offset, unchanged):
    with unchanged():
        response = reader.post("purchases", purchase_body(card), now=time.time() + offset)
    assert_error(response, 401, "stale_request")


def test_timestamp_within_300_seconds_is_accepted(reader, card):
    response = reader.post("purchases", purchase_body(card), now=time.time() - 290)
    assert response.status_code == 201


def test_reused_nonce_is_replayed_request(reader, card, client, unchanged):
    path = "/gateway/v1/inquiry"
    body = json.dumps({"card": card.number}).encode()
    headers = reader.headers("POST", path, body)
    first = client.generic("POST", path, body, content_type="application/json", headers=headers)
    assert first.status_code == 200
    with unchanged():
        again = client.generic("POST", path, body, content_type="application/json", headers=headers)
    assert_error(again, 401, "replayed_request")


def test_a_nonce_of_a_bad_request_cannot_be_burnt_without_the_secret(reader, card, client):
    """A forged request with a victim's nonce does not stop the victim's real request."""
    path = "/gateway/v1/inquiry"
    body = json.dumps({"card": card.number}).encode()
    headers = reader.headers("POST", path, body)
    forged = dict(headers, **{"X-Signature": "0" * 64})
    client.generic("POST", path, body, content_type="application/json", headers=forged)
    real = client.generic("POST", path, body, content_type="application/json", headers=headers)
    assert real.status_code == 200


# --- 403, 404 -----------------------------------------------------------------------------


def test_disabled_terminal_is_refused(reader, card, terminal, unchanged):
    services.set_terminal_enabled(terminal=terminal, enabled=False)
    with unchanged():
        response = reader.post("purchases", purchase_body(card))
    assert_error(response, 403, "terminal_disabled")


def test_unknown_card_is_refused(reader, card, unchanged):
    with unchanged():
        response = reader.post("purchases", {**purchase_body(card), "card": "6037990000000006"})
    assert_error(response, 404, "unknown_card")


def test_inquiry_of_unknown_card_is_unknown_card(reader, db):
    assert_error(reader.post("inquiry", {"card": "6037990000000006"}), 404, "unknown_card")


def test_reversal_of_unknown_transaction_is_refused(reader, card, unchanged):
    reader.post("purchases", purchase_body(card))
    with unchanged():
        response = reader.post("reversals", {"txn_id": "V1", "original_txn_id": "NOPE"})
    assert_error(response, 404, "unknown_transaction")


def test_a_terminal_cannot_reverse_another_terminals_purchase(reader, card, branch, client):
    services.create_terminal(branch=branch, name="Till 2", terminal_id="T18", secret="s" * 20)
    reader.post("purchases", purchase_body(card))
    other = Reader(client, terminal_id="T18", secret="s" * 20)
    response = other.post("reversals", {"txn_id": "V1", "original_txn_id": "T17-000123"})
    assert_error(response, 404, "unknown_transaction")


def test_return_of_unknown_transaction_is_refused(reader, card, unchanged):
    with unchanged():
        response = reader.post(
            "returns", {"txn_id": "R1", "original_txn_id": "NOPE", "amount": 1000}
        )
    assert_error(response, 404, "unknown_transaction")


def test_unknown_endpoint_and_wrong_method_answer_the_envelope(reader, client):
    assert_error(reader.post("refunds", {}), 404, "not_found")
    assert_error(client.get("/gateway/v1/purchases"), 405, "method_not_allowed")


# --- 422 business rules -------------------------------------------------------------------


@pytest.mark.parametrize(
    "status", [CardStatus.BLOCKED, CardStatus.LOST, CardStatus.REPLACED, CardStatus.EXPIRED]
)
def test_purchase_on_an_unusable_card_is_card_blocked(reader, card, status, unchanged):
    services.set_card_status(card=card, status=status)
    with unchanged():
        response = reader.post("purchases", purchase_body(card))
    assert_error(response, 422, "card_blocked")


def test_redeem_above_the_credit_is_insufficient_credit(
    reader, card, member, give_credit, unchanged
):
    give_credit(member, 60_000)
    with unchanged():
        response = reader.post("purchases", purchase_body(card, redeem=60_001))
    assert_error(response, 422, "insufficient_credit")


def test_redeem_below_the_clubs_threshold_is_refused(reader, card, member, give_credit, unchanged):
    ClubSettings.objects.update(min_redeemable_credit=50_000)
    give_credit(member, 49_999)
    with unchanged():
        response = reader.post("purchases", purchase_body(card, redeem=1_000))
    assert_error(response, 422, "below_redeem_threshold")


def test_second_reversal_is_already_reversed(reader, card, unchanged):
    reader.post("purchases", purchase_body(card))
    reader.post("reversals", {"txn_id": "V1", "original_txn_id": "T17-000123"})
    with unchanged():
        response = reader.post("reversals", {"txn_id": "V2", "original_txn_id": "T17-000123"})
    assert_error(response, 422, "already_reversed")


def test_return_after_a_reversal_is_already_reversed(reader, card, unchanged):
    reader.post("purchases", purchase_body(card))
    reader.post("reversals", {"txn_id": "V1", "original_txn_id": "T17-000123"})
    with unchanged():
        response = reader.post(
            "returns", {"txn_id": "R1", "original_txn_id": "T17-000123", "amount": 1000}
        )
    assert_error(response, 422, "already_reversed")


def test_returns_beyond_the_purchase_are_refused(reader, card, unchanged):
    reader.post("purchases", purchase_body(card, amount=100_000))
    reader.post("returns", {"txn_id": "R1", "original_txn_id": "T17-000123", "amount": 60_000})
    with unchanged():
        response = reader.post(
            "returns", {"txn_id": "R2", "original_txn_id": "T17-000123", "amount": 40_001}
        )
    assert_error(response, 422, "return_exceeds_purchase")


def test_amount_above_the_managers_maximum_is_limit_exceeded_and_logged(reader, card, unchanged):
    GatewaySettings.objects.update_or_create(pk=1, defaults={"max_purchase_amount": 100_000})
    with unchanged():
        response = reader.post("purchases", purchase_body(card, amount=100_001))
    assert_error(response, 422, "limit_exceeded")
    hit = LimitHit.objects.get()
    assert (hit.kind, hit.card, hit.terminal.terminal_id) == ("amount", card, "T17")


def test_purchases_per_hour_above_the_limit_are_limit_exceeded_and_logged(reader, card, unchanged):
    GatewaySettings.objects.update_or_create(pk=1, defaults={"purchases_per_hour": 2})
    for n in range(2):
        assert reader.post("purchases", purchase_body(card, txn_id=f"P{n}")).status_code == 201
    with unchanged():
        response = reader.post("purchases", purchase_body(card, txn_id="P3"))
    assert_error(response, 422, "limit_exceeded")
    assert LimitHit.objects.get().kind == "velocity"


# --- 429, 500 -----------------------------------------------------------------------------


def test_too_many_requests_from_a_terminal_are_rate_limited_and_logged_once(reader, card):
    GatewaySettings.objects.update_or_create(pk=1, defaults={"requests_per_minute": 3})
    codes = [reader.post("inquiry", {"card": card.number}).status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]
    response = reader.post("purchases", purchase_body(card))
    assert_error(response, 429, "rate_limited")
    assert Transaction.objects.count() == 0
    assert LimitHit.objects.filter(kind="rate").count() == 1


def test_an_unexpected_failure_is_the_json_envelope_without_a_trace(
    reader, card, monkeypatch, unchanged
):
    def explode(**kwargs):
        raise RuntimeError("secret internals /srv/app/services.py line 42")

    monkeypatch.setattr(services, "post_purchase", explode)
    with unchanged():
        response = reader.post("purchases", purchase_body(card))
    assert_error(response, 500, "server_error")
    assert b"internals" not in response.content
    assert b"Traceback" not in response.content
