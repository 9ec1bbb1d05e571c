import pytest

from portal.accounts import roles
from tickets import services
from tickets.models import Category


@pytest.fixture
def category(db):
    return Category.objects.create(name="Product", slug="product")


@pytest.fixture
def agent(make_user):
    return make_user(roles.SUPPORT_AGENT, email="agent@example.com")


@pytest.fixture
def open_guest_ticket(category):
    """A guest's ticket, filed through the real service."""

    def make(**kwargs):
        kwargs.setdefault("kind", "complaint")
        kwargs.setdefault("category", category)
        kwargs.setdefault("subject", "Cold coffee")
        kwargs.setdefault("description", "The coffee was cold.")
        kwargs.setdefault("guest_name", "Sara")
        kwargs.setdefault("guest_mobile", "09121234567")
        return services.open_ticket(**kwargs)

    return make


@pytest.fixture
def ticket(open_guest_ticket):
    return open_guest_ticket()
