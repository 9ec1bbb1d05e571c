"""The desk's sockets through the real ASGI app (session cookie, origin check, the
channel layer: Redis whenever REDIS_URL is set): who may listen, and that a customer's
socket never carries an internal note."""

import json
from importlib import import_module

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from portal.asgi import application
from tickets import access, services
from tickets.models import Category, Status

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "SECRET-NOTE-51c0e2-internal-only"


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def granted_session(*tickets) -> str:
    """A guest's browser session that proved these tickets on the tracking page."""
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    for ticket in tickets:
        access.grant(session, ticket)
    session.save()
    return session.session_key


def socket(path: str, cookie: str | None = None):
    headers = [(b"origin", b"http://testserver"), (b"host", b"testserver")]
    if cookie:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    return WebsocketCommunicator(application, path, headers=headers)


def customer_socket(ticket, cookie=None):
    return socket(f"/ws/tickets/{ticket.tracking_code}/", cookie)


async def received(communicator) -> list[dict]:
    """Everything the socket has been sent, until it goes quiet."""
    messages = []
    while not await communicator.receive_nothing(timeout=0.5):
        messages.append(await communicator.receive_json_from(timeout=5))
    return messages


@pytest.fixture
def live_category(db):
    # Transactional tests flush the seeded categories; make sure one exists.
    return Category.objects.get_or_create(slug="product", defaults={"name": "Product"})[0]


@pytest.fixture
def file_ticket(live_category):
    def make(**kwargs):
        kwargs.setdefault("guest_name", "" if kwargs.get("member") else "Sara")
        kwargs.setdefault("guest_mobile", "" if kwargs.get("member") else "09121234567")
        return services.open_ticket(
            kind="complaint",
            category=live_category,
            subject="Cold coffee",
            description="The coffee was cold.",
            **kwargs,
        )

    return make


# --- Who may listen -------------------------------------------------------------------


async def test_the_customer_socket_refuses_strangers(file_ticket, member, make_user):
    other = await database_sync_to_async(make_user)(email="other@example.com")
    ticket = await database_sync_to_async(file_ticket)(member=member)
    guest_ticket = await database_sync_to_async(file_ticket)()
    other_cookie = await database_sync_to_async(session_cookie)(other)
    other_guest = await database_sync_to_async(granted_session)(guest_ticket)

    for communicator in (
        customer_socket(ticket),  # nobody
        customer_socket(ticket, other_cookie),  # another member
        customer_socket(ticket, other_guest),  # a session that proved another ticket
        customer_socket(guest_ticket, other_cookie),
        socket("/ws/tickets/AAAA-AAAA-AA/", other_cookie),  # no such code
        socket("/ws/tickets/not-a-code/", other_cookie),
    ):
        connected, code = await communicator.connect()
        assert (connected, code) == (False, 4403)


async def test_the_customer_socket_accepts_the_member_and_a_granted_session(file_ticket, member):
    ticket = await database_sync_to_async(file_ticket)(member=member)
    guest_ticket = await database_sync_to_async(file_ticket)()
    member_cookie = await database_sync_to_async(session_cookie)(member)
    guest_cookie = await database_sync_to_async(granted_session)(guest_ticket)
    for communicator in (
        customer_socket(ticket, member_cookie),
        customer_socket(guest_ticket, guest_cookie),
        # The code as a person might type it: lower case, no dashes.
        socket(f"/ws/tickets/{guest_ticket.tracking_code.replace('-', '').lower()}/", guest_cookie),
    ):
        connected, _code = await communicator.connect()
        assert connected
        await communicator.disconnect()


async def test_the_desk_socket_refuses_members_and_accepts_agents(member, agent):
    member_cookie = await database_sync_to_async(session_cookie)(member)
    for communicator in (socket("/ws/desk/"), socket("/ws/desk/", member_cookie)):
        assert await communicator.connect() == (False, 4403)
    agent_socket = socket("/ws/desk/", await database_sync_to_async(session_cookie)(agent))
    connected, _code = await agent_socket.connect()
    assert connected
    await agent_socket.disconnect()


# --- What they hear -------------------------------------------------------------------


async def test_internal_notes_reach_the_desk_never_the_customer(file_ticket, member, agent):
    ticket = await database_sync_to_async(file_ticket)(member=member)
    customer = customer_socket(ticket, await database_sync_to_async(session_cookie)(member))
    desk = socket("/ws/desk/", await database_sync_to_async(session_cookie)(agent))
    assert (await customer.connect())[0] and (await desk.connect())[0]

    add_reply = database_sync_to_async(services.add_reply)
    note = await add_reply(ticket=ticket, author=agent, body=SECRET, internal=True)
    reply = await add_reply(ticket=ticket, author=agent, body="A new coffee is on us.")

    heard = await received(customer)
    assert SECRET not in json.dumps(heard)
    assert heard == [
        {
            "type": "message",
            "id": reply.pk,
            "author": "Support team",  # never the agent's name
            "from_staff": True,
            "body": "A new coffee is on us.",
            "created_at": reply.created_at.isoformat(),
        },
        {"type": "status", "status": "open", "status_label": "open"},
    ]

    desk_heard = await received(desk)
    messages = [m for m in desk_heard if m["type"] == "message"]
    assert [(m["id"], m["internal"], m["ticket"]) for m in messages] == [
        (note.pk, True, ticket.pk),
        (reply.pk, False, ticket.pk),
    ]
    assert messages[0]["body"] == SECRET
    assert {"type": "ticket", "change": "status", "status": "open"}.items() <= desk_heard[
        -1
    ].items()
    await customer.disconnect()
    await desk.disconnect()


async def test_a_guest_page_hears_public_replies_only(file_ticket, agent):
    ticket = await database_sync_to_async(file_ticket)()
    guest = customer_socket(ticket, await database_sync_to_async(granted_session)(ticket))
    assert (await guest.connect())[0]
    add_reply = database_sync_to_async(services.add_reply)
    await add_reply(ticket=ticket, author=agent, body=SECRET, internal=True)
    assert await guest.receive_nothing(timeout=0.5)
    await add_reply(ticket=ticket, author=agent, body="We are on it.")
    heard = await received(guest)
    assert [m["type"] for m in heard] == ["message", "status"]
    assert heard[0]["body"] == "We are on it." and SECRET not in json.dumps(heard)
    await guest.disconnect()


async def test_a_new_ticket_appears_on_the_desk(file_ticket, agent):
    desk = socket("/ws/desk/", await database_sync_to_async(session_cookie)(agent))
    assert (await desk.connect())[0]
    ticket = await database_sync_to_async(file_ticket)()
    event = await desk.receive_json_from(timeout=5)
    assert event == {
        "type": "ticket",
        "change": "new",
        "id": ticket.pk,
        "code": ticket.tracking_code,
        "subject": "Cold coffee",
        "status": "new",
        "status_label": "new",
        "assignee": "",
        "url": f"/tickets/desk/{ticket.pk}/",
    }
    await desk.disconnect()


async def test_a_resolved_ticket_reopens_on_the_guests_reply_and_the_desk_hears_it(
    file_ticket, agent
):
    ticket = await database_sync_to_async(file_ticket)()
    await database_sync_to_async(services.change_status)(
        ticket=ticket, to=Status.RESOLVED, actor=agent
    )
    desk = socket("/ws/desk/", await database_sync_to_async(session_cookie)(agent))
    guest = customer_socket(ticket, await database_sync_to_async(granted_session)(ticket))
    assert (await desk.connect())[0] and (await guest.connect())[0]

    message = await database_sync_to_async(services.add_reply)(
        ticket=ticket, author=None, body="It happened again."
    )
    assert message.ticket.status == Status.REOPENED
    desk_heard = await received(desk)
    assert desk_heard[0] == {
        "type": "message",
        "ticket": ticket.pk,
        "id": message.pk,
        "author": "Sara",
        "from_staff": False,
        "body": "It happened again.",
        "internal": False,
        "created_at": message.created_at.isoformat(),
    }
    assert {"type": "ticket", "change": "status", "status": "reopened"}.items() <= (
        desk_heard[1].items()
    )
    guest_heard = await received(guest)
    assert [m["type"] for m in guest_heard] == ["message", "status"]
    assert guest_heard[1]["status"] == "reopened"
    await desk.disconnect()
    await guest.disconnect()


async def test_nothing_is_pushed_for_a_reply_that_fails(file_ticket, agent):
    ticket = await database_sync_to_async(file_ticket)()
    await database_sync_to_async(services.change_status)(
        ticket=ticket, to=Status.CLOSED, actor=agent
    )
    desk = socket("/ws/desk/", await database_sync_to_async(session_cookie)(agent))
    assert (await desk.connect())[0]
    with pytest.raises(services.TicketClosed):
        await database_sync_to_async(services.add_reply)(ticket=ticket, author=None, body="Hi")
    assert await desk.receive_nothing(timeout=0.5)
    await desk.disconnect()
