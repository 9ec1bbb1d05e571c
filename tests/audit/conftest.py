import pytest

from cardgateway import services as gateway
from cardgateway.models import Branch, CashierStation
from portal.accounts import roles
from tickets import services as desk
from tickets.models import Category

IP = "203.0.113.7"
AGENT = "AuditTest/1.0 (" + "x" * 300 + ")"


@pytest.fixture
def staff_client(client):
    """`staff_client(user)`: the test client logged in as `user`, every request from IP
    with a long User-Agent."""

    def login(user):
        client.force_login(user)
        client.defaults.update(REMOTE_ADDR=IP, HTTP_USER_AGENT=AGENT)
        return client

    return login


@pytest.fixture
def manager(make_user):
    return make_user(roles.CLUB_MANAGER, email="boss@example.com")


@pytest.fixture
def agent(make_user):
    return make_user(roles.SUPPORT_AGENT, email="agent@example.com")


@pytest.fixture
def branch(db):
    return Branch.objects.create(code="central", name="Central", city="Tehran")


@pytest.fixture
def card(member):
    return gateway.issue_card(member=member)


@pytest.fixture
def cashier(make_user, branch):
    user = make_user(roles.CASHIER, email="cashier@example.com")
    terminal, _secret = gateway.create_terminal(
        branch=branch, name="Till 1", terminal_id="T17", secret="audit-terminal-secret-0123456789"
    )
    CashierStation.objects.create(cashier=user, branch=branch, terminal=terminal)
    return user


@pytest.fixture
def ticket(member):
    category = Category.objects.get_or_create(slug="product", defaults={"name": "Product"})[0]
    return desk.open_ticket(
        kind="complaint",
        category=category,
        subject="Cold coffee",
        description="The coffee was cold.",
        member=member,
    )
