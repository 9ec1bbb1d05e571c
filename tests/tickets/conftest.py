import pytest

from portal.accounts import roles
from tickets import services
from tickets.models import BusinessHours, Category, SLATarget


@pytest.fixture(autouse=True)
def blank_desk(request):
    """Tests start without the seeded SLA targets and business hours (migration 0003), so
    each states the ones it relies on. Tests that need the seed mark themselves `seeded`.
    Works whether the database comes from a fixture or from a django_db mark."""
    if request.node.get_closest_marker("seeded"):
        return
    marker = request.node.get_closest_marker("django_db")
    transactional = "transactional_db" in request.fixturenames or bool(
        marker and marker.kwargs.get("transaction")
    )
    if transactional:
        request.getfixturevalue("transactional_db")
    elif marker or "db" in request.fixturenames:
        request.getfixturevalue("db")
    else:
        return
    SLATarget.objects.all().delete()
    BusinessHours.objects.all().delete()


@pytest.fixture
def category(db):
    # get_or_create: a transactional test before this one may have flushed the seed.
    return Category.objects.get_or_create(
        slug="product", defaults={"name": "Product", "name_fa": "محصول"}
    )[0]


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
