"""A member registered at the till has no password and maybe no e-mail: they log in with
an SMS code, which also verifies their mobile."""

import re

import pytest
from django.urls import reverse

from cardgateway import services
from portal.notifications import sms

pytestmark = pytest.mark.django_db


def test_member_registered_at_the_till_logs_in_with_an_sms_code(client, branch):
    card = services.register_member_with_card(
        first_name="Sara", last_name="Karimi", mobile="+989121234567", branch=branch
    )
    member = card.member
    assert not member.has_usable_password() and not member.mobile_verified
    response = client.post(reverse("account_request_login_code"), {"phone": "09121234567"})
    assert response.status_code == 302, response.content
    code = re.search(r"(\d{6})", sms.outbox[-1]["text"]).group(1)
    assert sms.outbox[-1]["to"] == "+989121234567"
    response = client.post(reverse("account_confirm_login_code"), {"code": code})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == member.pk
    member.refresh_from_db()
    assert member.mobile_verified
