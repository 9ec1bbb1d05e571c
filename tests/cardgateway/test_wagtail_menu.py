"""The Wagtail admin links the club manager to the terminal and limit-hit screens."""

import pytest
from django.urls import reverse

from portal.accounts import roles

pytestmark = pytest.mark.django_db


def test_club_manager_finds_terminals_in_the_wagtail_admin(client, make_user):
    client.force_login(make_user(roles.CLUB_MANAGER))
    page = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("cardgateway:terminal-list") in page
    assert reverse("cardgateway:limit-hit-list") in page


def test_moderator_in_the_wagtail_admin_sees_no_till_links(client, make_user):
    client.force_login(make_user(roles.MODERATOR))
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    assert reverse("cardgateway:terminal-list") not in response.content.decode()
