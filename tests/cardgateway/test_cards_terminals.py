"""Cards (numbers, states, history, replacement) and terminals (secrets at rest)."""

import pytest

from cardgateway import cards, services, vault
from cardgateway.models import Card, CardEvent, CardStatus, Terminal
from gamification import ledger

pytestmark = pytest.mark.django_db


def test_luhn_accepts_the_gateway_example_and_refuses_a_changed_digit():
    assert cards.luhn_valid("6037990000000006")
    assert not cards.luhn_valid("6037990000000007")
    assert not cards.luhn_valid("60379900000000O6")
    assert not cards.luhn_valid("۶۰۳۷۹۹۰۰۰۰۰۰۰۰۰۶")


def test_new_card_numbers_have_the_issuer_prefix_16_digits_and_a_luhn_digit(settings):
    settings.CARD_ISSUER_PREFIX = "627412"
    for _ in range(200):
        number = cards.random_card_number()
        assert len(number) == 16 and number.startswith("627412")
        assert cards.is_card_number(number)


def test_typed_numbers_are_normalised():
    assert cards.normalise("6037 9900-0000 0006") == "6037990000000006"
    assert cards.normalise("۶۰۳۷۹۹۰۰۰۰۰۰۰۰۰۶") == "6037990000000006"


def test_issue_draws_another_number_on_a_collision(member, make_user, monkeypatch):
    taken = services.issue_card(member=make_user()).number
    fresh = "6037990000000006"
    draws = iter([taken, fresh])
    monkeypatch.setattr(cards, "random_card_number", lambda: next(draws))
    assert services.issue_card(member=member).number == fresh


def test_a_member_has_one_active_card(member):
    services.issue_card(member=member)
    with pytest.raises(services.Refused) as refused:
        services.issue_card(member=member)
    assert refused.value.code == "card_exists"
    assert Card.objects.filter(member=member).count() == 1


def test_replacing_a_lost_card_blocks_it_issues_a_new_one_and_keeps_balances(
    member, card, give_credit, make_user
):
    give_credit(member, 70_000)
    cashier = make_user("Cashier")
    new = services.replace_card(card=card, actor=cashier)
    card.refresh_from_db()
    assert card.status == CardStatus.LOST
    assert new.status == CardStatus.ACTIVE and new.replaces == card and new.number != card.number
    assert new.member == member
    assert ledger.balances(member).credit == 70_000
    history = CardEvent.objects.filter(card=card).order_by("pk")
    assert list(history.values_list("from_status", "to_status")) == [
        ("", "active"),
        ("active", "lost"),
    ]
    assert CardEvent.objects.get(card=new).actor == cashier


def test_status_changes_are_recorded_once(card, make_user):
    manager = make_user("Club manager")
    services.set_card_status(card=card, status=CardStatus.BLOCKED, actor=manager, reason="fraud")
    services.set_card_status(card=card, status=CardStatus.BLOCKED, actor=manager, reason="again")
    services.set_card_status(card=card, status=CardStatus.ACTIVE, actor=manager, reason="ok")
    events = list(card.events.order_by("pk").values_list("from_status", "to_status", "reason"))
    assert events == [
        ("", "active", "issued"),
        ("active", "blocked", "fraud"),
        ("blocked", "active", "ok"),
    ]


def test_masked_number_shows_prefix_and_last_four(card):
    assert card.masked == card.number[:6] + "******" + card.number[-4:]


def test_terminal_secret_is_not_stored_in_clear(branch):
    terminal, secret = services.create_terminal(branch=branch, name="Till")
    row = Terminal.objects.values_list("secret_encrypted", flat=True).get(pk=terminal.pk)
    assert secret not in row
    assert len(secret) >= 40
    assert services.terminal_secret(terminal) == secret


def test_rotation_replaces_the_secret(terminal):
    before = services.terminal_secret(terminal)
    after = services.rotate_terminal_secret(terminal=terminal)
    assert after != before
    assert services.terminal_secret(terminal) == after
    assert terminal.rotated_at is not None


def test_secrets_stay_readable_after_a_new_encryption_key_is_added(branch, settings):
    terminal, secret = services.create_terminal(branch=branch, name="Till")
    settings.TERMINAL_SECRET_KEYS = ["a-brand-new-key", *settings.TERMINAL_SECRET_KEYS]
    assert vault.decrypt(terminal.secret_encrypted) == secret


def test_a_dump_without_the_key_reveals_nothing(branch, settings):
    from cryptography.fernet import InvalidToken

    terminal, _secret = services.create_terminal(branch=branch, name="Till")
    settings.TERMINAL_SECRET_KEYS = ["some-other-key"]
    with pytest.raises(InvalidToken):
        vault.decrypt(terminal.secret_encrypted)


def test_terminal_ids_are_generated_when_not_given(branch):
    terminal, _secret = services.create_terminal(branch=branch, name="Till")
    assert terminal.terminal_id.startswith("T-") and len(terminal.terminal_id) == 10
