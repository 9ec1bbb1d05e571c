"""Live notifications through the real ASGI app: session cookie, origin check, channel
layer (Redis whenever REDIS_URL is set, as in CI)."""

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from portal.asgi import application
from portal.notifications.services import mark_read, notify

pytestmark = pytest.mark.django_db(transaction=True)


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def socket(cookie: str | None = None, origin: bytes = b"http://testserver"):
    headers = [(b"origin", origin), (b"host", b"testserver")]
    if cookie:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    return WebsocketCommunicator(application, "/ws/notifications/", headers=headers)


@pytest.fixture
def two_members(make_user):
    alice = make_user(email="alice@example.com")
    bob = make_user(email="bob@example.com")
    return alice, session_cookie(alice), bob, session_cookie(bob)


def test_channel_layer_is_redis_when_configured():
    expected = "RedisChannelLayer" if settings.REDIS_URL else "InMemoryChannelLayer"
    assert type(get_channel_layer()).__name__ == expected


async def test_notification_reaches_the_members_socket_and_not_anothers(two_members):
    alice, alice_cookie, _bob, bob_cookie = two_members
    alice_socket, bob_socket = socket(alice_cookie), socket(bob_cookie)
    assert (await alice_socket.connect())[0] and (await bob_socket.connect())[0]

    await database_sync_to_async(notify)(member=alice, kind="points", title="+20 points")

    message = await alice_socket.receive_json_from(timeout=5)
    assert message["type"] == "notification"
    assert message["notification"]["title"] == "+20 points"
    assert message["unread"] == 1
    assert await bob_socket.receive_nothing(timeout=0.5)

    await database_sync_to_async(mark_read)(member=alice)
    assert await alice_socket.receive_json_from(timeout=5) == {"type": "unread", "unread": 0}
    await alice_socket.disconnect()
    await bob_socket.disconnect()


async def test_anonymous_socket_is_closed():
    communicator = socket()
    connected, code = await communicator.connect()
    assert not connected and code == 4401


async def test_socket_from_a_foreign_origin_is_refused(two_members):
    _alice, alice_cookie, _bob, _bob_cookie = two_members
    communicator = socket(alice_cookie, origin=b"https://evil.example")
    connected, _code = await communicator.connect()
    assert not connected
