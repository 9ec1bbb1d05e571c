"""Dealers are kept by club managers in the Wagtail admin; members and other staff are
refused. The hall of fame's member chooser is the managers' alone."""

import pytest
from django.urls import reverse

from portal.accounts import roles
from showcase.models import Dealer

pytestmark = pytest.mark.django_db

DEALER = {
    "name": "Pars Appliances",
    "kind": "dealer",
    "city": "  Tehran ",
    "address": "Valiasr St. 1",
    "phone": "021 8800 1234",
    "opening_hours": "",
    "map_url": "",
    "is_active": "on",
}


def test_manager_lists_and_adds_dealers(client, make_user):
    client.force_login(make_user(roles.CLUB_MANAGER))
    assert client.get(reverse("wagtailsnippets_showcase_dealer:list")).status_code == 200
    response = client.post(reverse("wagtailsnippets_showcase_dealer:add"), DEALER)
    assert response.status_code == 302
    assert Dealer.objects.get().city == "Tehran"


def test_a_bad_map_link_is_refused_and_nothing_saved(client, make_user):
    client.force_login(make_user(roles.CLUB_MANAGER))
    response = client.post(
        reverse("wagtailsnippets_showcase_dealer:add"), {**DEALER, "map_url": "not a link"}
    )
    assert response.status_code == 200
    assert not Dealer.objects.exists()


@pytest.mark.parametrize("role", [roles.MEMBER, roles.MODERATOR, roles.CASHIER])
def test_others_cannot_keep_dealers(client, make_user, role):
    client.force_login(make_user(role))
    response = client.post(reverse("wagtailsnippets_showcase_dealer:add"), DEALER)
    assert response.status_code in (302, 403)
    assert not Dealer.objects.exists()
    listing = client.get(reverse("wagtailsnippets_showcase_dealer:list"))
    assert listing.status_code in (302, 403)
    assert "Pars Appliances" not in listing.content.decode()


def test_anonymous_visitors_go_to_log_in(client):
    response = client.get(reverse("wagtailsnippets_showcase_dealer:list"))
    assert response.status_code == 302 and "login" in response.url


def test_member_chooser_is_for_managers_only(client, make_user):
    manager, moderator = make_user(roles.CLUB_MANAGER), make_user(roles.MODERATOR)
    make_user(email="findme@example.com", first_name="Findme")
    url = reverse("showcase_member_chooser:choose")
    client.force_login(moderator)
    for name in ("choose", "choose_results"):
        refused = client.get(reverse(f"showcase_member_chooser:{name}"), {"q": "findme"})
        # Wagtail turns PermissionDenied into a redirect to the dashboard with a message.
        assert (refused.status_code, refused.get("Location")) == (302, "/cms/")
    client.force_login(manager)
    assert client.get(url).status_code == 200
    response = client.get(reverse("showcase_member_chooser:choose_results"), {"q": "findme"})
    assert response.status_code == 200
    assert "findme@example.com" in response.content.decode()
    response = client.get(reverse("showcase_member_chooser:choose_results"), {"q": "nobody"})
    assert "findme@example.com" not in response.content.decode()


def test_manager_role_holds_the_dealer_permissions(make_user):
    manager = make_user(roles.CLUB_MANAGER)
    assert manager.has_perms(["showcase.add_dealer", "showcase.change_dealer"])
    assert not make_user(roles.MODERATOR).has_perm("showcase.add_dealer")
