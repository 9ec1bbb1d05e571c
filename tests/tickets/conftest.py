import pytest

from portal.accounts import roles
from tickets import services
from tickets.models import BusinessHours, Category, SLATarget


@pytest.fixture(autouse=True)
def blank_desk(request):
    """Tests start without the seeded SLA targets and business hours (migration 0003), so
    each states the ones it relies on. Tests that need the seed mark themselves `seeded`."""
    if request.node.get_closest_marker("seeded"):
        return
    for name in ("transactional_db", "db"):
        if name in request.fixturenames:
            request.getfixturevalue(name)
            SLATarget.objects.all().delete()
            BusinessHours.objects.all().delete()
            return


@pytest.fixture
def category(db):
    return Category.objects.get(slug="product")


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
