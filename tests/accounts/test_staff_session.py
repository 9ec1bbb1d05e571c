"""Staff sessions end after STAFF_SESSION_IDLE_MINUTES without a request; members keep
the usual session length."""

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.test import override_settings
from django.urls import reverse

from portal.accounts import roles


def _session(client) -> SessionStore:
    return SessionStore(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value)


@pytest.mark.parametrize("role", [roles.SUPPORT_AGENT, roles.CASHIER, roles.CLUB_MANAGER])
@override_settings(STAFF_SESSION_IDLE_MINUTES=30)
def test_a_staff_session_expires_after_the_idle_time(client, make_user, role):
    client.force_login(make_user(role))
    client.get(reverse("shell:staff-home"))
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert int(cookie["max-age"]) == 30 * 60
    assert _session(client).get_expiry_age() == 30 * 60


def test_a_members_session_keeps_the_usual_length(member_client):
    member_client.get(reverse("accounts:panel"))
    assert _session(member_client).get_expiry_age() == settings.SESSION_COOKIE_AGE
