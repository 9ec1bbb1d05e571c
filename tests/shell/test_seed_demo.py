import pytest
from django.core.management import CommandError, call_command

from cardgateway import services
from cardgateway.models import Card, CashierStation, Terminal
from gamification import ledger
from gamification.models import LedgerEntry, Referral
from portal.accounts.models import User
from portal.demo import DEMO_CARD_NUMBER, DEMO_TERMINAL_ID, DEMO_TERMINAL_SECRET, MEMBERS
from portal.pages.models import HomePage

pytestmark = pytest.mark.django_db


def test_seed_demo_refuses_without_debug():
    with pytest.raises(CommandError):
        call_command("seed_demo")


def test_seed_demo_creates_one_login_per_role_and_is_idempotent(capsys, role_groups):
    call_command("seed_demo", "--force")
    out = capsys.readouterr().out
    for email in ["member@", "moderator@", "support@", "cashier@", "manager@"]:
        assert email in out
    counts = (User.objects.count(), LedgerEntry.objects.count(), Referral.objects.count())
    call_command("seed_demo", "--force")
    assert (User.objects.count(), LedgerEntry.objects.count(), Referral.objects.count()) == counts
    assert HomePage.objects.count() == 1
    assert ledger.audit() == []
    assert User.objects.get(email="moderator@club.example").has_perm("accounts.moderate_community")


def test_seed_demo_prints_the_demo_reader_and_card(capsys, role_groups):
    call_command("seed_demo", "--force")
    out = capsys.readouterr().out
    assert f"terminal {DEMO_TERMINAL_ID}, card {DEMO_CARD_NUMBER}" in out
    assert f"reader_sim purchase {DEMO_CARD_NUMBER} 250000" in out


def test_seed_demo_gives_a_reader_cards_and_a_cashier_station_once(role_groups):
    call_command("seed_demo", "--force")
    call_command("seed_demo", "--force")
    terminal = Terminal.objects.get()
    assert (terminal.terminal_id, terminal.branch.code) == (DEMO_TERMINAL_ID, "tehran-central")
    assert services.terminal_secret(terminal) == DEMO_TERMINAL_SECRET
    holders = ["member@club.example"] + [email for email, *_rest in MEMBERS]
    assert sorted(Card.objects.values_list("member__email", flat=True)) == sorted(holders)
    assert Card.objects.get(member__email="member@club.example").number == DEMO_CARD_NUMBER
    station = CashierStation.objects.get()
    assert (station.cashier.email, station.terminal) == ("cashier@club.example", terminal)


def test_seed_demo_files_desk_tickets_once_and_prints_the_guest_code(capsys, role_groups):
    from tickets import codes
    from tickets.models import CannedReply, Status, Ticket, TicketMessage

    call_command("seed_demo", "--force")
    call_command("seed_demo", "--force")
    out = capsys.readouterr().out
    guest = Ticket.objects.get(member__isnull=True)
    assert codes.is_valid(guest.tracking_code)
    assert f"code {guest.tracking_code}, mobile 09121110099" in out
    assert Ticket.objects.count() == 3
    assert CannedReply.objects.count() == 2
    assert Ticket.objects.filter(status=Status.RESOLVED).count() == 1
    # The canned reply's placeholders were filled for the demo member's complaint.
    reply = TicketMessage.objects.filter(is_internal=False).order_by("id").first()
    assert "Sara Karimi" in reply.body and reply.ticket.tracking_code in reply.body
