"""The club manager's till screens: terminals (secret shown once, rotation, switching off),
the limit-hit review, cards (search, history, block / unblock / expire), and the Wagtail
snippets for till limits and cashier stations."""

import re
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cardgateway import services
from cardgateway.models import (
    Branch,
    Card,
    CardEvent,
    CardStatus,
    CashierStation,
    GatewaySettings,
    LimitHit,
    LimitKind,
    Terminal,
)
from cardgateway.views.manage import SHOWN_ONCE_KEY
from portal.accounts import roles

from .conftest import TERMINAL_SECRET, Reader

pytestmark = pytest.mark.django_db

REFUSED_ROLES = [roles.MEMBER, roles.MODERATOR, roles.SUPPORT_AGENT, roles.CASHIER]


@pytest.fixture
def manager(make_user):
    return make_user(roles.CLUB_MANAGER, email="manager@example.com")


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


def url_of(name: str, terminal: Terminal, card: Card) -> str:
    if name.startswith("terminal-") and name not in ("terminal-list", "terminal-create"):
        return reverse(f"cardgateway:{name}", args=[terminal.pk])
    if name == "card-detail":
        return reverse("cardgateway:card-detail", args=[card.pk])
    return reverse(f"cardgateway:{name}")


GET_VIEWS = [
    "terminal-list",
    "terminal-create",
    "terminal-detail",
    "terminal-rotate",
    "limit-hit-list",
    "card-search",
    "card-detail",
]
POST_VIEWS = ["terminal-create", "terminal-rotate", "terminal-enabled", "card-detail"]


def terminal_state(terminal: Terminal) -> tuple:
    terminal.refresh_from_db()
    return (terminal.secret_encrypted, terminal.is_enabled, terminal.rotated_at)


def inquiry(client, terminal_id: str, secret: str, card: Card):
    return Reader(client, terminal_id=terminal_id, secret=secret).post(
        "inquiry", {"card": card.number}
    )


def create_terminal(client, at_branch, /, **data):
    form = {"branch": at_branch.pk, "name": "Front till", "terminal_id": "", **data}
    return client.post(reverse("cardgateway:terminal-create"), form)


def secret_on(response) -> str:
    match = re.search(
        r'class="secret-value" dir="ltr"><code>([^<]+)</code>', response.content.decode()
    )
    return match.group(1) if match else ""


# --- Who may open what ------------------------------------------------------------------


@pytest.mark.parametrize("name", GET_VIEWS)
def test_a_club_manager_opens_every_screen(manager_client, terminal, card, name):
    assert manager_client.get(url_of(name, terminal, card)).status_code == 200


@pytest.mark.parametrize("name", GET_VIEWS)
@pytest.mark.parametrize("role", REFUSED_ROLES)
def test_other_roles_are_refused(client, make_user, terminal, card, name, role):
    client.force_login(make_user(role))
    assert client.get(url_of(name, terminal, card)).status_code == 403


@pytest.mark.parametrize("name", POST_VIEWS)
@pytest.mark.parametrize("role", REFUSED_ROLES)
def test_a_refused_post_changes_nothing(client, make_user, terminal, card, branch, name, role):
    client.force_login(make_user(role))
    before = (terminal_state(terminal), Terminal.objects.count(), card.status)
    data = {
        "branch": branch.pk,
        "name": "X",
        "terminal_id": "NEW1",
        "confirm": "on",
        "grace_hours": "24",
        "enabled": "0",
        "action": "block",
        "reason": "x",
    }
    assert client.post(url_of(name, terminal, card), data).status_code == 403
    card.refresh_from_db()
    assert (terminal_state(terminal), Terminal.objects.count(), card.status) == before


@pytest.mark.parametrize("name", GET_VIEWS + ["terminal-enabled"])
def test_anonymous_users_are_sent_to_log_in(client, terminal, card, name):
    method = client.post if name == "terminal-enabled" else client.get
    response = method(url_of(name, terminal, card))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_staff_home_lists_the_till_screens_for_a_club_manager(manager_client):
    body = manager_client.get(reverse("shell:staff-home")).content.decode()
    for name in ("terminal-list", "limit-hit-list", "card-search"):
        assert reverse(f"cardgateway:{name}") in body


def test_the_staff_home_of_a_cashier_has_no_manager_till_screens(client, make_user):
    client.force_login(make_user(roles.CASHIER))
    body = client.get(reverse("shell:staff-home")).content.decode()
    assert reverse("cardgateway:terminal-list") not in body


# --- Terminals --------------------------------------------------------------------------


def test_the_terminal_list_shows_branch_id_name_state_and_dates(manager_client, terminal):
    services.set_terminal_enabled(terminal=terminal, enabled=False)
    body = manager_client.get(reverse("cardgateway:terminal-list")).content.decode()
    assert "Central" in body and "T17" in body and "Till 1" in body
    assert "off" in body


def test_the_terminal_list_keeps_its_query_count(manager_client, branch):
    counts = []
    for size in (1, 50):
        Terminal.objects.all().delete()
        for i in range(size):
            services.create_terminal(branch=branch, name=f"Till {i}", terminal_id=f"Q{i}")
        with CaptureQueriesContext(connection) as queries:
            assert manager_client.get(reverse("cardgateway:terminal-list")).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_creating_a_terminal_shows_its_secret_once(manager_client, branch):
    response = create_terminal(manager_client, branch, terminal_id="T-NEW_1")
    terminal = Terminal.objects.get(terminal_id="T-NEW_1")
    assert response.status_code == 302
    assert response["Location"] == reverse("cardgateway:terminal-detail", args=[terminal.pk])
    first = manager_client.get(response["Location"])
    secret = secret_on(first)
    assert len(secret) >= 32
    assert "no-store" in first["Cache-Control"]
    second = manager_client.get(response["Location"])
    assert second.status_code == 200
    assert secret not in second.content.decode()
    assert "no-store" in second["Cache-Control"]


def test_a_created_terminal_authenticates_with_the_secret_shown(manager_client, branch, card):
    response = create_terminal(manager_client, branch, terminal_id="T-NEW")
    secret = secret_on(manager_client.get(response["Location"]))
    answer = inquiry(Client(), "T-NEW", secret, card)
    assert answer.status_code == 200, answer.content
    assert answer.json()["card"] == card.masked


def test_the_secret_is_not_stored_in_clear(manager_client, branch):
    response = create_terminal(manager_client, branch, terminal_id="T-NEW")
    session_before = {s.session_key: s.session_data for s in Session.objects.all()}
    secret = secret_on(manager_client.get(response["Location"]))
    row = Terminal.objects.get(terminal_id="T-NEW")
    assert secret not in row.secret_encrypted
    # Nor in the session that carried it to the page.
    for data in session_before.values():
        assert secret not in data
    assert SHOWN_ONCE_KEY not in manager_client.session


def test_an_empty_terminal_id_gets_a_random_header_safe_one(manager_client, branch):
    create_terminal(manager_client, branch, name="Random")
    terminal = Terminal.objects.get(name="Random")
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,40}", terminal.terminal_id)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"terminal_id": "T 17"}, "terminal_id"),
        ({"terminal_id": "T17/x"}, "terminal_id"),
        ({"terminal_id": "Té"}, "terminal_id"),
        ({"terminal_id": "T" * 41}, "terminal_id"),
        ({"terminal_id": "T17"}, "terminal_id"),
        ({"terminal_id": "t17"}, "terminal_id"),
        ({"name": ""}, "name"),
        ({"name": "N" * 81}, "name"),
        ({"branch": ""}, "branch"),
        ({"branch": "999999"}, "branch"),
    ],
)
def test_bad_terminal_input_is_refused_and_creates_nothing(
    manager_client, branch, terminal, overrides, field
):
    response = create_terminal(manager_client, branch, **{"terminal_id": "OK-1", **overrides})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert Terminal.objects.count() == 1


def test_a_terminal_of_a_closed_branch_cannot_be_created(manager_client):
    closed = Branch.objects.create(code="old", name="Old", city="Qom", is_active=False)
    response = create_terminal(manager_client, closed, terminal_id="OK-1")
    assert "branch" in response.context["form"].errors
    assert not Terminal.objects.exists()


def test_a_terminal_id_of_40_characters_is_accepted(manager_client, branch):
    create_terminal(manager_client, branch, terminal_id="A" * 40)
    assert Terminal.objects.filter(terminal_id="A" * 40).exists()


def test_rotating_asks_for_confirmation_first(manager_client, terminal):
    before = terminal_state(terminal)
    url = reverse("cardgateway:terminal-rotate", args=[terminal.pk])
    assert manager_client.get(url).status_code == 200
    response = manager_client.post(url, {})
    assert response.status_code == 200
    assert "confirm" in response.context["form"].errors
    assert terminal_state(terminal) == before


def test_rotation_stops_the_old_secret_and_shows_the_new_one_once(manager_client, terminal, card):
    response = manager_client.post(
        reverse("cardgateway:terminal-rotate", args=[terminal.pk]),
        {"confirm": "on", "grace_hours": "0"},
    )
    assert response["Location"] == reverse("cardgateway:terminal-detail", args=[terminal.pk])
    page = manager_client.get(response["Location"])
    secret = secret_on(page)
    assert secret and secret != TERMINAL_SECRET
    assert "no-store" in page["Cache-Control"]
    assert secret not in manager_client.get(response["Location"]).content.decode()
    old = inquiry(Client(), "T17", TERMINAL_SECRET, card)
    assert old.status_code == 401
    assert old.json()["error"]["code"] == "bad_signature"
    assert inquiry(Client(), "T17", secret, card).status_code == 200
    terminal.refresh_from_db()
    assert terminal.rotated_at is not None
    assert secret not in terminal.secret_encrypted


def test_a_grace_period_keeps_the_old_secret_working_until_it_ends(manager_client, terminal, card):
    url = reverse("cardgateway:terminal-rotate", args=[terminal.pk])
    response = manager_client.post(url, {"confirm": "on", "grace_hours": "24"})
    page = manager_client.get(response["Location"])
    secret = secret_on(page)
    assert "Old secret works until" in page.content.decode()
    # Both work during the grace period: the reader can be updated without downtime.
    assert inquiry(Client(), "T17", TERMINAL_SECRET, card).status_code == 200
    assert inquiry(Client(), "T17", secret, card).status_code == 200
    # When it ends, only the new one does.
    Terminal.objects.filter(pk=terminal.pk).update(
        previous_secret_valid_until=timezone.now() - timedelta(seconds=1)
    )
    old = inquiry(Client(), "T17", TERMINAL_SECRET, card)
    assert (old.status_code, old.json()["error"]["code"]) == (401, "bad_signature")
    assert inquiry(Client(), "T17", secret, card).status_code == 200
    assert "Old secret works until" not in manager_client.get(response["Location"]).content.decode()


def test_a_second_rotation_keeps_only_the_secret_it_replaces(terminal, card):
    first = services.rotate_terminal_secret(terminal=terminal, grace=timedelta(hours=1))
    second = services.rotate_terminal_secret(terminal=terminal, grace=timedelta(hours=1))
    assert inquiry(Client(), "T17", TERMINAL_SECRET, card).status_code == 401
    assert inquiry(Client(), "T17", first, card).status_code == 200
    assert inquiry(Client(), "T17", second, card).status_code == 200
    # A leak: rotating at once ends every old secret.
    third = services.rotate_terminal_secret(terminal=terminal)
    assert inquiry(Client(), "T17", first, card).status_code == 401
    assert inquiry(Client(), "T17", second, card).status_code == 401
    assert inquiry(Client(), "T17", third, card).status_code == 200
    with pytest.raises(ValueError):
        services.rotate_terminal_secret(terminal=terminal, grace=timedelta(hours=-1))


def test_rotation_needs_a_grace_choice(manager_client, terminal):
    before = terminal_state(terminal)
    url = reverse("cardgateway:terminal-rotate", args=[terminal.pk])
    response = manager_client.post(url, {"confirm": "on", "grace_hours": "5"})
    assert "grace_hours" in response.context["form"].errors
    assert terminal_state(terminal) == before


def test_the_secret_is_shown_only_on_its_own_terminals_page(manager_client, terminal, branch):
    other, _secret = services.create_terminal(branch=branch, name="Other", terminal_id="T18")
    manager_client.post(
        reverse("cardgateway:terminal-rotate", args=[terminal.pk]),
        {"confirm": "on", "grace_hours": "0"},
    )
    page = manager_client.get(reverse("cardgateway:terminal-detail", args=[other.pk]))
    assert secret_on(page) == ""
    # Having been taken out, it is not shown on the rotated terminal's page either.
    page = manager_client.get(reverse("cardgateway:terminal-detail", args=[terminal.pk]))
    assert secret_on(page) == ""


def test_switching_a_terminal_off_refuses_its_requests(manager_client, terminal, card):
    response = manager_client.post(
        reverse("cardgateway:terminal-enabled", args=[terminal.pk]), {"enabled": "0"}
    )
    assert response.status_code == 302
    answer = inquiry(Client(), "T17", TERMINAL_SECRET, card)
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "terminal_disabled"


def test_switching_a_terminal_back_on_lets_it_in_again(manager_client, terminal, card):
    services.set_terminal_enabled(terminal=terminal, enabled=False)
    manager_client.post(
        reverse("cardgateway:terminal-enabled", args=[terminal.pk]), {"enabled": "1"}
    )
    assert inquiry(Client(), "T17", TERMINAL_SECRET, card).status_code == 200


@pytest.mark.parametrize("data", [{}, {"enabled": "maybe"}])
def test_a_bad_switch_changes_nothing(manager_client, terminal, data):
    before = terminal_state(terminal)
    response = manager_client.post(
        reverse("cardgateway:terminal-enabled", args=[terminal.pk]), data
    )
    assert response.status_code == 400
    assert terminal_state(terminal) == before


def test_switching_needs_a_post(manager_client, terminal):
    url = reverse("cardgateway:terminal-enabled", args=[terminal.pk])
    assert manager_client.get(url).status_code == 405


def test_a_post_without_the_csrf_token_is_refused(manager, terminal):
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)
    before = terminal_state(terminal)
    url = reverse("cardgateway:terminal-enabled", args=[terminal.pk])
    assert client.post(url, {"enabled": "0"}).status_code == 403
    assert terminal_state(terminal) == before


def test_an_unknown_terminal_is_404(manager_client):
    assert manager_client.get(reverse("cardgateway:terminal-detail", args=[999])).status_code == 404


# --- Limit hits -------------------------------------------------------------------------


def test_a_refused_purchase_shows_in_the_limit_hit_list(manager_client, terminal, card):
    limits = GatewaySettings.load()
    limits.max_purchase_amount = 1000
    limits.save()
    with pytest.raises(services.Refused):
        services.post_purchase(
            txn_id="t-1", card_number=card.number, amount=5000, terminal=terminal
        )
    body = manager_client.get(reverse("cardgateway:limit-hit-list")).content.decode()
    assert "largest amount" in body and "T17" in body
    assert card.masked in body and card.number not in body


def make_hits(terminal, card, count: int, kind=LimitKind.VELOCITY):
    now = timezone.now()
    LimitHit.objects.bulk_create(
        LimitHit(
            kind=kind,
            terminal=terminal,
            card=card,
            detail=f"hit {i}",
            created_at=now - timedelta(minutes=count - i),
        )
        for i in range(count)
    )


def test_limit_hits_are_newest_first_50_a_page(manager_client, terminal, card):
    make_hits(terminal, card, 51)
    page = manager_client.get(reverse("cardgateway:limit-hit-list")).context["page"]
    assert [hit.detail for hit in page][:2] == ["hit 50", "hit 49"]
    assert len(page) == 50 and page.paginator.num_pages == 2


def test_limit_hits_filter_by_kind_and_keep_it_across_pages(manager_client, terminal, card):
    make_hits(terminal, card, 51, kind=LimitKind.AMOUNT)
    make_hits(terminal, card, 3, kind=LimitKind.RATE)
    response = manager_client.get(reverse("cardgateway:limit-hit-list"), {"kind": "amount"})
    page = response.context["page"]
    assert page.paginator.count == 51
    assert {hit.kind for hit in page} == {"amount"}
    assert "kind=amount&amp;page=2" in response.content.decode()


def test_an_unknown_limit_kind_is_the_forms_error(manager_client, terminal, card):
    make_hits(terminal, card, 2)
    response = manager_client.get(reverse("cardgateway:limit-hit-list"), {"kind": "nope"})
    assert response.status_code == 200
    assert "kind" in response.context["form"].errors
    assert response.context["page"].paginator.count == 2


def test_the_limit_hit_list_keeps_its_query_count(manager_client, terminal, branch, make_user):
    counts = []
    for size in (1, 50):
        LimitHit.objects.all().delete()
        now = timezone.now()
        for i in range(size):
            # Each on its own terminal and card, so no row can borrow another's lookups.
            own_terminal, _secret = services.create_terminal(
                branch=branch, name="x", terminal_id=f"L{size}-{i}"
            )
            own_card = services.issue_card(member=make_user())
            LimitHit.objects.create(
                kind=LimitKind.RATE,
                terminal=own_terminal,
                card=own_card,
                detail="x",
                created_at=now,
            )
        with CaptureQueriesContext(connection) as queries:
            response = manager_client.get(reverse("cardgateway:limit-hit-list"))
        assert len(response.context["page"]) == size
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


# --- Cards ------------------------------------------------------------------------------


def test_a_card_is_found_by_its_number_as_typed(manager_client, card):
    typed = f"{card.number[:4]} {card.number[4:8]}-{card.number[8:]}"
    response = manager_client.get(reverse("cardgateway:card-search"), {"q": typed})
    assert response.context["results"] == [card]


def test_a_card_is_found_by_its_number_in_persian_digits(manager_client, card):
    typed = card.number.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    response = manager_client.get(reverse("cardgateway:card-search"), {"q": typed})
    assert response.context["results"] == [card]


def test_cards_are_found_by_the_members_email(manager_client, member, card):
    new = services.replace_card(card=card)
    response = manager_client.get(reverse("cardgateway:card-search"), {"q": "MEMBER@example.com"})
    assert set(response.context["results"]) == {card, new}


def test_cards_are_found_by_the_members_mobile(manager_client, make_user):
    member = make_user(email="mob@example.com", mobile="+989121234567")
    card = services.issue_card(member=member)
    response = manager_client.get(reverse("cardgateway:card-search"), {"q": "09121234567"})
    assert response.context["results"] == [card]


@pytest.mark.parametrize(
    "query", ["6037990000000007", "nobody@example.com", "09120000000", "hello", ""]
)
def test_a_bad_search_is_the_forms_error(manager_client, card, query):
    response = manager_client.get(reverse("cardgateway:card-search"), {"q": query})
    assert response.status_code == 200
    assert "q" in response.context["form"].errors
    assert response.context["results"] is None


def test_an_unknown_valid_number_finds_nothing(manager_client):
    response = manager_client.get(reverse("cardgateway:card-search"), {"q": "6037990000000006"})
    assert response.context["results"] == []


def test_the_card_page_shows_its_history(manager_client, card, manager):
    services.set_card_status(card=card, status=CardStatus.BLOCKED, actor=manager, reason="fraud?")
    body = manager_client.get(reverse("cardgateway:card-detail", args=[card.pk])).content.decode()
    assert "fraud?" in body and "active to blocked" in body and "issued" in body


def change(client, card, **data):
    return client.post(reverse("cardgateway:card-detail", args=[card.pk]), data)


def test_blocking_a_card_records_who_and_why(manager_client, manager, card, reader):
    response = change(manager_client, card, action="block", reason="Reported stolen by phone")
    assert response.status_code == 302
    card.refresh_from_db()
    assert card.status == CardStatus.BLOCKED
    event = CardEvent.objects.filter(card=card).first()
    assert (event.to_status, event.actor, event.reason) == (
        "blocked",
        manager,
        "Reported stolen by phone",
    )
    refused = reader.post("purchases", {"txn_id": "b-1", "card": card.number, "amount": 1000})
    assert refused.json()["error"]["code"] == "card_blocked"


def test_unblocking_makes_the_card_active_again(manager_client, card):
    services.set_card_status(card=card, status=CardStatus.BLOCKED, reason="x")
    change(manager_client, card, action="unblock", reason="Found it")
    card.refresh_from_db()
    assert card.status == CardStatus.ACTIVE


def test_a_card_can_be_marked_expired(manager_client, card):
    change(manager_client, card, action="expire", reason="Old design")
    card.refresh_from_db()
    assert card.status == CardStatus.EXPIRED


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"action": "block", "reason": ""}, "reason"),
        ({"action": "block", "reason": "x" * 201}, "reason"),
        ({"action": "unblock", "reason": "x"}, "action"),  # the card is not blocked
        ({"action": "lose", "reason": "x"}, "action"),
        ({"reason": "x"}, "action"),
    ],
)
def test_a_bad_status_change_is_refused_and_changes_nothing(manager_client, card, data, field):
    response = change(manager_client, card, **data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    card.refresh_from_db()
    assert card.status == CardStatus.ACTIVE
    assert CardEvent.objects.filter(card=card).count() == 1


def test_a_blocked_card_is_not_unblocked_while_another_is_active(manager_client, card):
    services.set_card_status(card=card, status=CardStatus.BLOCKED, reason="x")
    newer = services.issue_card(member=card.member)
    response = change(manager_client, card, action="unblock", reason="Found it")
    assert "action" in response.context["form"].errors
    card.refresh_from_db()
    assert card.status == CardStatus.BLOCKED and newer.status == CardStatus.ACTIVE


def test_a_lost_card_offers_no_status_change(manager_client, card):
    services.replace_card(card=card)
    response = manager_client.get(reverse("cardgateway:card-detail", args=[card.pk]))
    assert 'name="action"' not in response.content.decode()
    change(manager_client, card, action="expire", reason="x")
    card.refresh_from_db()
    assert card.status == CardStatus.LOST


def test_the_card_page_keeps_its_query_count(manager_client, make_user):
    counts = []
    for size in (1, 50):
        card = services.issue_card(member=make_user())
        for i in range(size - 1):
            services.set_card_status(
                card=card,
                status=CardStatus.BLOCKED if i % 2 == 0 else CardStatus.ACTIVE,
                actor=make_user(),
                reason=f"r{i}",
            )
        with CaptureQueriesContext(connection) as queries:
            response = manager_client.get(reverse("cardgateway:card-detail", args=[card.pk]))
        assert len(response.context["events"]) == size
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


# --- Wagtail: till limits, cashier stations, branches -----------------------------------

SNIPPET_MODELS = ["branch", "gatewaysettings", "cashierstation"]


def snippet_url(model: str, view: str, *args) -> str:
    return reverse(f"wagtailsnippets_cardgateway_{model}:{view}", args=args)


@pytest.mark.parametrize("model", SNIPPET_MODELS)
def test_a_club_manager_opens_every_till_snippet_listing(manager_client, model):
    assert manager_client.get(snippet_url(model, "list")).status_code == 200


@pytest.mark.parametrize("model", SNIPPET_MODELS)
@pytest.mark.parametrize("role", REFUSED_ROLES)
def test_other_roles_cannot_open_till_snippets(client, make_user, model, role):
    client.force_login(make_user(role))
    response = client.get(snippet_url(model, "list"))
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert "login" in response["Location"] or response["Location"] == reverse(
            "wagtailadmin_home"
        )


def test_the_tills_menu_groups_the_snippets(manager_client):
    body = manager_client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Tills" in body
    assert snippet_url("gatewaysettings", "list") in body
    assert snippet_url("cashierstation", "list") in body


def test_a_club_manager_sets_the_till_limits(manager_client):
    GatewaySettings.load()
    response = manager_client.post(
        snippet_url("gatewaysettings", "edit", 1),
        {"requests_per_minute": "120", "purchases_per_hour": "5", "max_purchase_amount": "9000000"},
    )
    assert response.status_code == 302
    limits = GatewaySettings.load()
    assert (limits.requests_per_minute, limits.purchases_per_hour, limits.max_purchase_amount) == (
        120,
        5,
        9_000_000,
    )


def test_till_limits_are_one_row_never_added_or_deleted(manager_client, django_user_model):
    GatewaySettings.objects.all().delete()
    assert manager_client.get(snippet_url("gatewaysettings", "list")).status_code == 200
    assert list(GatewaySettings.objects.values_list("pk", flat=True)) == [1]
    root = Client()
    root.force_login(django_user_model.objects.create_superuser("root@example.com", "pw-12345678"))
    assert root.get(snippet_url("gatewaysettings", "add")).status_code in (302, 403)
    root.post(snippet_url("gatewaysettings", "delete", 1))
    assert GatewaySettings.objects.filter(pk=1).exists()


def station_data(cashier, branch, terminal=None) -> dict:
    return {"cashier": cashier.pk, "branch": branch.pk, "terminal": terminal.pk if terminal else ""}


def test_a_club_manager_binds_a_cashier_to_a_branch_and_terminal(
    manager_client, make_user, branch, terminal
):
    cashier = make_user(roles.CASHIER)
    assert manager_client.get(snippet_url("cashierstation", "add")).status_code == 200
    response = manager_client.post(
        snippet_url("cashierstation", "add"), station_data(cashier, branch, terminal)
    )
    assert response.status_code == 302
    station = CashierStation.objects.get(cashier=cashier)
    assert (station.branch, station.terminal) == (branch, terminal)


def test_only_cashiers_can_be_bound_to_a_station(manager_client, member, branch):
    response = manager_client.post(
        snippet_url("cashierstation", "add"), station_data(member, branch)
    )
    assert response.status_code == 200
    assert not CashierStation.objects.exists()


def test_a_station_terminal_must_belong_to_its_branch(manager_client, make_user, terminal):
    other = Branch.objects.create(code="north", name="North", city="Tabriz")
    cashier = make_user(roles.CASHIER)
    response = manager_client.post(
        snippet_url("cashierstation", "add"), station_data(cashier, other, terminal)
    )
    assert response.status_code == 200
    assert not CashierStation.objects.exists()
