"""The reader simulator against a real HTTP server (pytest-django's live_server): signed
requests, and store-and-forward of postings the server could not take."""

import importlib
import json
import socket
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from cardgateway import services, simulator
from cardgateway.models import Transaction, TxnKind
from gamification import ledger
from gamification.models import LedgerEntry, Tier
from portal.demo import DEMO_CARD_NUMBER, DEMO_TERMINAL_ID, DEMO_TERMINAL_SECRET

from .conftest import TERMINAL_SECRET

pytestmark = pytest.mark.django_db(transaction=True)

UNKNOWN_CARD = "6037990000000014"  # passes Luhn, issued to nobody
seed_migration = importlib.import_module("gamification.migrations.0002_seed_rules_tiers_badges")


@pytest.fixture(autouse=True)
def tiers(db):
    """Tiers of migration gamification.0002 (transactional tests flush them)."""
    if not Tier.objects.exists():
        seed_migration.seed(apps, None)


@pytest.fixture
def queue_dir(tmp_path):
    return tmp_path / "reader-queue"


def make_reader(url, queue_dir, *, secret=TERMINAL_SECRET, timeout=5.0):
    return simulator.Reader(
        url=url, terminal_id="T17", secret=secret, queue_dir=queue_dir, timeout=timeout
    )


@pytest.fixture
def till(live_server, terminal, queue_dir):
    """The reader, connected."""
    return make_reader(live_server.url, queue_dir)


@pytest.fixture
def closed_url():
    """An address where nothing listens: connection refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def offline(closed_url, terminal, queue_dir):
    """The same reader (same queue) while the server is unreachable."""
    return make_reader(closed_url, queue_dir)


@pytest.fixture
def silent_url():
    """A server that accepts the connection and never answers: a timeout."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


@pytest.fixture
def failing_url():
    """A server that answers every request with 500."""

    class Failing(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            body = b'{"error": {"code": "server_error", "message": "down"}}'
            self.send_response(500)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Failing)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def queue_files(queue_dir):
    return sorted(p.name for p in queue_dir.iterdir() if p.is_file()) if queue_dir.exists() else []


def purchases():
    return list(Transaction.objects.filter(kind=TxnKind.PURCHASE).order_by("pk"))


# --- online -----------------------------------------------------------------------------


def test_health_answers_ok(till):
    reply = till.health()
    assert (reply.status, reply.body) == (200, {"status": "ok"})


def test_inquiry_shows_the_masked_card_and_balances(till, card, member):
    reply = till.inquiry(card.number)
    assert reply.status == 200
    assert reply.body["card"] == f"{card.number[:6]}******{card.number[-4:]}"
    assert reply.body["member"]["display_name"] == member.display_name
    assert (reply.body["points"], reply.body["credit"]) == (0, 0)


def test_purchase_is_posted_and_shows_in_the_ledger(till, card, member):
    outcome = till.purchase(card=card.number, amount=200_000)
    assert outcome.kind == simulator.DONE
    assert outcome.reply.status == 201
    txn = Transaction.objects.get(txn_id=outcome.txn_id, terminal__terminal_id="T17")
    assert (txn.kind, txn.amount, txn.occurred_at is not None) == (TxnKind.PURCHASE, 200_000, True)
    assert LedgerEntry.objects.filter(idempotency_key__startswith=f"gw:{txn.pk}:").exists()
    assert ledger.balances(member).credit == outcome.reply.body["cashback"] > 0
    assert ledger.audit() == []


def test_return_takes_back_part_of_a_purchase(till, card, member):
    bought = till.purchase(card=card.number, amount=200_000)
    outcome = till.return_purchase(original_txn_id=bought.txn_id, amount=50_000)
    assert outcome.kind == simulator.DONE
    assert outcome.reply.status == 201
    assert outcome.reply.body["amount"] == -50_000
    txn = Transaction.objects.get(txn_id=outcome.txn_id)
    assert (txn.kind, txn.original.txn_id) == (TxnKind.RETURN, bought.txn_id)
    assert ledger.balances(member).credit == bought.reply.body["cashback"] * 3 // 4
    assert ledger.audit() == []


def test_reverse_undoes_a_purchase(till, card, member):
    bought = till.purchase(card=card.number, amount=200_000)
    outcome = till.reverse(original_txn_id=bought.txn_id)
    assert outcome.kind == simulator.DONE
    assert outcome.reply.status == 201
    assert Transaction.objects.get(txn_id=outcome.txn_id).kind == TxnKind.REVERSAL
    assert (ledger.balances(member).credit, ledger.balances(member).points) == (0, 0)
    assert ledger.audit() == []


def test_refused_purchase_is_reported_and_not_queued(till, queue_dir):
    outcome = till.purchase(card=UNKNOWN_CARD, amount=1000)
    assert outcome.kind == simulator.REFUSED
    assert (outcome.reply.status, outcome.reply.error_code) == (404, "unknown_card")
    assert queue_files(queue_dir) == []
    assert Transaction.objects.count() == 0


def test_same_purchase_sent_again_answers_idempotent_replay_and_posts_once(till, card, member):
    first = till.purchase(card=card.number, amount=200_000, txn_id="T17-replay-1")
    credit = ledger.balances(member).credit
    again = till.post("purchases", first.body)
    assert again.kind == simulator.DONE
    assert (again.reply.status, again.reply.replay) == (200, True)
    assert again.reply.body == first.reply.body
    assert len(purchases()) == 1
    assert ledger.balances(member).credit == credit


def test_every_attempt_is_signed_afresh_with_a_new_nonce_and_the_current_time(
    offline, till, card, monkeypatch
):
    signed = []
    real = simulator.signed_headers

    def spy(**kwargs):
        headers = real(**kwargs)
        signed.append((time.time(), headers))
        return headers

    monkeypatch.setattr(simulator, "signed_headers", spy)
    offline.purchase(card=card.number, amount=1000)
    till.flush()
    assert len(signed) == 2
    assert signed[0][1]["X-Nonce"] != signed[1][1]["X-Nonce"]
    for moment, headers in signed:
        assert abs(int(headers["X-Timestamp"]) - moment) <= 1
    assert len(purchases()) == 1


# --- offline: store and forward ---------------------------------------------------------


def test_purchase_to_a_closed_port_is_queued_on_disk(offline, card, queue_dir):
    outcome = offline.purchase(card=card.number, amount=200_000)
    assert outcome.kind == simulator.QUEUED
    assert outcome.reply.status is None
    assert outcome.reply.problem == "connection refused"
    files = queue_files(queue_dir)
    assert len(files) == 1 and files[0].endswith(f"-{outcome.txn_id}.json")
    saved = json.loads((queue_dir / files[0]).read_text())
    assert (saved["endpoint"], saved["txn_id"], saved["body"]) == (
        "purchases",
        outcome.txn_id,
        outcome.body,
    )


def test_purchase_that_times_out_is_queued(silent_url, terminal, card, queue_dir):
    reader = make_reader(silent_url, queue_dir, timeout=0.3)
    outcome = reader.purchase(card=card.number, amount=1000)
    assert outcome.kind == simulator.QUEUED
    assert outcome.reply.problem == "timed out"
    assert len(reader.outbox) == 1


def test_purchase_answered_with_a_server_error_is_queued(failing_url, terminal, card, queue_dir):
    reader = make_reader(failing_url, queue_dir)
    outcome = reader.purchase(card=card.number, amount=1000)
    assert outcome.kind == simulator.QUEUED
    assert outcome.reply.status == 500
    assert len(reader.outbox) == 1


def test_a_crash_while_queueing_leaves_no_half_written_file(offline, card, queue_dir, monkeypatch):
    def crash(record, handle, **kwargs):
        handle.write('{"endpoint": "purcha')
        raise KeyboardInterrupt

    monkeypatch.setattr(simulator.json, "dump", crash)
    with pytest.raises(KeyboardInterrupt):
        offline.purchase(card=card.number, amount=1000)
    assert queue_files(queue_dir) == []
    assert len(offline.outbox) == 0


def test_flush_posts_a_queued_purchase_exactly_once(offline, till, card, queue_dir):
    queued = offline.purchase(card=card.number, amount=200_000)
    report = till.flush()
    assert [(r.kind, r.txn_id, r.reply.status) for r in report.results] == [
        (simulator.DONE, queued.txn_id, 201)
    ]
    assert (report.remaining, queue_files(queue_dir)) == (0, [])
    [txn] = purchases()
    assert (txn.txn_id, txn.amount) == (queued.txn_id, 200_000)
    assert txn.occurred_at == datetime.fromisoformat(queued.body["occurred_at"])
    again = till.flush()
    assert again.results == []
    assert len(purchases()) == 1


def test_flush_counts_a_posting_the_server_already_took_as_done(till, card, queue_dir):
    # The answer was lost to a timeout after the server had posted it.
    posted = till.purchase(card=card.number, amount=200_000)
    till.outbox.append(endpoint="purchases", txn_id=posted.txn_id, body=posted.body, reason="x")
    report = till.flush()
    [result] = report.results
    assert (result.kind, result.reply.status, result.reply.replay) == (simulator.DONE, 200, True)
    assert queue_files(queue_dir) == []
    assert len(purchases()) == 1


def test_flush_removes_and_reports_a_refused_posting_and_goes_on(offline, till, card, queue_dir):
    refused = offline.purchase(card=UNKNOWN_CARD, amount=1000)
    good = offline.purchase(card=card.number, amount=2000)
    report = till.flush()
    assert [(r.kind, r.txn_id) for r in report.results] == [
        (simulator.REFUSED, refused.txn_id),
        (simulator.DONE, good.txn_id),
    ]
    assert report.refused[0].reply.error_code == "unknown_card"
    assert report.remaining == 0
    assert len(till.outbox) == 0
    [set_aside] = (queue_dir / "refused").iterdir()
    assert json.loads(set_aside.read_text())["refusal"]["status"] == 404
    assert [t.txn_id for t in purchases()] == [good.txn_id]


def test_flush_stops_at_the_first_network_failure_and_keeps_the_rest(offline, card, queue_dir):
    offline.purchase(card=card.number, amount=1000)
    offline.purchase(card=card.number, amount=2000)
    before = queue_files(queue_dir)
    report = offline.flush()
    assert [r.kind for r in report.results] == [simulator.KEPT]
    assert report.remaining == 2
    assert report.stopped_by.problem == "connection refused"
    assert queue_files(queue_dir) == before


def test_flush_keeps_postings_refused_for_the_terminal_rather_than_the_transaction(
    offline, live_server, card, queue_dir
):
    offline.purchase(card=card.number, amount=1000)
    wrong_secret = make_reader(live_server.url, queue_dir, secret="not-the-secret")
    report = wrong_secret.flush()
    assert report.stopped_by.status == 401
    assert (report.remaining, len(wrong_secret.outbox)) == (1, 1)
    assert Transaction.objects.count() == 0


def test_new_posting_sends_the_queue_first_so_order_is_kept(offline, till, card, queue_dir):
    earlier = offline.purchase(card=card.number, amount=1000)
    later = till.purchase(card=card.number, amount=2000)
    assert later.kind == simulator.DONE
    assert [r.txn_id for r in later.flush.posted] == [earlier.txn_id]
    assert [t.txn_id for t in purchases()] == [earlier.txn_id, later.txn_id]
    assert queue_files(queue_dir) == []


def test_new_posting_queues_behind_postings_that_could_not_be_sent(
    offline, till, live_server, card, queue_dir
):
    earlier = offline.purchase(card=card.number, amount=1000)
    wrong_secret = make_reader(live_server.url, queue_dir, secret="not-the-secret")
    later = wrong_secret.purchase(card=card.number, amount=2000)
    assert (later.kind, later.reply) == (simulator.QUEUED, None)
    assert Transaction.objects.count() == 0
    report = till.flush()
    assert [r.txn_id for r in report.posted] == [earlier.txn_id, later.txn_id]
    assert [t.txn_id for t in purchases()] == [earlier.txn_id, later.txn_id]


def test_reversal_of_a_queued_purchase_is_sent_after_it(offline, till, card, member):
    bought = offline.purchase(card=card.number, amount=200_000)
    undone = offline.reverse(original_txn_id=bought.txn_id)
    assert undone.kind == simulator.QUEUED
    report = till.flush()
    assert [r.txn_id for r in report.posted] == [bought.txn_id, undone.txn_id]
    assert ledger.balances(member).credit == 0
    assert ledger.audit() == []


# --- the management command ---------------------------------------------------------------


def test_reader_sim_command_posts_a_purchase_and_prints_the_answer(
    live_server, terminal, card, queue_dir, capsys
):
    call_command(
        "reader_sim",
        f"--url={live_server.url}",
        "--terminal=T17",
        f"--secret={TERMINAL_SECRET}",
        f"--queue={queue_dir}",
        "purchase",
        card.number,
        "250000",
    )
    out = capsys.readouterr().out
    assert "POST /gateway/v1/purchases  ->  201 Created" in out
    [txn] = purchases()
    assert f'"txn_id": "{txn.txn_id}"' in out
    assert txn.amount == 250_000


def test_reader_sim_command_exits_non_zero_on_refusal(live_server, terminal, queue_dir, capsys):
    with pytest.raises(CommandError) as refused:
        call_command(
            "reader_sim",
            f"--url={live_server.url}",
            "--terminal=T17",
            f"--secret={TERMINAL_SECRET}",
            f"--queue={queue_dir}",
            "inquiry",
            UNKNOWN_CARD,
        )
    assert refused.value.returncode == 1
    assert '"code": "unknown_card"' in capsys.readouterr().out


def test_reader_sim_command_reports_a_queued_posting(closed_url, terminal, card, queue_dir):
    with pytest.raises(CommandError) as queued:
        call_command(
            "reader_sim",
            f"--url={closed_url}",
            "--terminal=T17",
            f"--secret={TERMINAL_SECRET}",
            f"--queue={queue_dir}",
            "purchase",
            card.number,
            "1000",
        )
    assert queued.value.returncode == 3
    assert len(queue_files(queue_dir)) == 1


def test_reader_sim_command_defaults_to_the_demo_terminal(
    live_server, branch, member, queue_dir, capsys, monkeypatch
):
    for name in ("READER_URL", "READER_TERMINAL_ID", "READER_SECRET"):
        monkeypatch.delenv(name, raising=False)
    services.create_terminal(
        branch=branch, name="Demo", terminal_id=DEMO_TERMINAL_ID, secret=DEMO_TERMINAL_SECRET
    )
    services.issue_card(member=member, number=DEMO_CARD_NUMBER)
    call_command(
        "reader_sim",
        f"--url={live_server.url}",
        f"--queue={queue_dir}",
        "inquiry",
        DEMO_CARD_NUMBER,
    )
    assert "->  200 OK" in capsys.readouterr().out


# --- the demo's fixed card number (services.issue_card(number=...)) ------------------------


@pytest.mark.django_db
def test_issue_card_with_a_number_gives_exactly_that_number(member):
    assert services.issue_card(member=member, number=DEMO_CARD_NUMBER).number == DEMO_CARD_NUMBER


@pytest.mark.django_db
def test_issue_card_with_a_number_another_card_has_is_refused(member, make_user):
    services.issue_card(member=member, number=DEMO_CARD_NUMBER)
    other = make_user(email="other@example.com")
    with pytest.raises(services.Refused) as refused:
        services.issue_card(member=other, number=DEMO_CARD_NUMBER)
    assert refused.value.code == "card_number_taken"
    assert not other.cards.exists()


@pytest.mark.django_db
def test_issue_card_with_a_number_failing_luhn_is_refused(member):
    with pytest.raises(services.Refused) as refused:
        services.issue_card(member=member, number="6037990000000007")
    assert refused.value.code == "invalid_request"
    assert not member.cards.exists()
