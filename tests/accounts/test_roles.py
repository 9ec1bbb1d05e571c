import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group
from django.test import override_settings
from django.urls import reverse

from portal.accounts import roles
from portal.accounts.models import User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

ALL_ROLES = [roles.MEMBER, *roles.STAFF_ROLES]

# Every staff URL of the portal and the roles that may open it. Later features add rows.
STAFF_URLS = [
    ("shell:staff-home", set(roles.STAFF_ROLES)),
    ("wagtailadmin_home", {roles.MODERATOR, roles.CLUB_MANAGER}),
    ("admin:index", set()),  # Django admin: superusers only
    ("gamification:voucher-check", {roles.CASHIER, roles.CLUB_MANAGER}),
    ("gamification:adjust", {roles.CLUB_MANAGER}),
    ("tickets:desk-queue", {roles.SUPPORT_AGENT, roles.CLUB_MANAGER}),
    ("tickets:reports", {roles.CLUB_MANAGER}),
    # The cashier screen: a cashier without a station gets the "ask the manager" page (200).
    ("cardgateway:cashier-home", {roles.CASHIER}),
    ("cardgateway:cashier-register", {roles.CASHIER}),
    ("cardgateway:cashier-reverse", {roles.CASHIER}),
    ("cardgateway:cashier-return", {roles.CASHIER}),
    ("cardgateway:terminal-list", {roles.CLUB_MANAGER}),
    ("cardgateway:terminal-create", {roles.CLUB_MANAGER}),
    ("cardgateway:limit-hit-list", {roles.CLUB_MANAGER}),
    ("cardgateway:card-search", {roles.CLUB_MANAGER}),
    ("audit:list", {roles.CLUB_MANAGER}),
    ("fraud:queue", {roles.CLUB_MANAGER}),
    ("community:moderation-queue", {roles.MODERATOR}),
    ("community:moderation-log", {roles.MODERATOR}),
    ("surveys:staff-survey-list", {roles.MODERATOR, roles.CLUB_MANAGER}),
    ("surveys:template-copy", {roles.CLUB_MANAGER}),
    ("cockpit:segment-list", {roles.CLUB_MANAGER}),
    ("cockpit:campaign-list", {roles.CLUB_MANAGER}),
    ("reports:dashboard", {roles.CLUB_MANAGER}),
    ("reports:exports", {roles.CLUB_MANAGER}),
    ("automations_runs", {roles.CLUB_MANAGER}),
    ("events:staff-event-list", {roles.CLUB_MANAGER}),
    ("imports:job-list", {roles.CLUB_MANAGER}),
]


def test_each_role_group_holds_exactly_its_permissions(role_groups):
    for role, expected in roles.ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=role)
        held = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        assert held == expected, role


@pytest.mark.parametrize(("url_name", "allowed"), STAFF_URLS)
@pytest.mark.parametrize("role", ALL_ROLES)
def test_staff_url_allows_only_its_roles(client, make_user, url_name, allowed, role):
    client.force_login(make_user(role))
    response = client.get(reverse(url_name))
    if role in allowed:
        assert response.status_code == 200
    else:
        # Django admin redirects non-staff to its own login; Wagtail to its login/home.
        assert response.status_code in (302, 403)
        if response.status_code == 302:
            assert "login" in response["Location"]


@pytest.mark.parametrize(("url_name", "allowed"), STAFF_URLS)
def test_staff_url_sends_anonymous_users_to_log_in(client, url_name, allowed):
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_superuser_opens_every_staff_url(client, django_user_model):
    admin = django_user_model.objects.create_superuser("root@example.com", "pw-root-123456")
    client.force_login(admin)
    for url_name, _allowed in STAFF_URLS:
        assert client.get(reverse(url_name)).status_code == 200, url_name


def test_staff_home_lists_only_the_tools_of_the_role(client, make_user):
    client.force_login(make_user(roles.MODERATOR))
    body = client.get(reverse("shell:staff-home")).content.decode()
    assert reverse("wagtailadmin_home") in body
    assert reverse("admin:index") not in body


def test_header_shows_staff_link_only_to_staff(client, make_user):
    client.force_login(make_user(roles.MEMBER))
    assert reverse("shell:staff-home") not in client.get(reverse("accounts:panel")).content.decode()
    client.force_login(make_user(roles.CASHIER))
    assert reverse("shell:staff-home") in client.get(reverse("accounts:panel")).content.decode()


@override_settings(MFA_REQUIRED_FOR_STAFF=True)
@pytest.mark.parametrize("role", roles.STAFF_ROLES)
def test_staff_without_totp_must_enrol_before_anything_else(client, make_user, role):
    user = make_user(role)
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    response = client.get(reverse("accounts:panel"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    # allauth asks for the password again before showing the TOTP secret; both pages
    # stay reachable (no redirect loop through the middleware).
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert client.get(response["Location"]).status_code == 200


@override_settings(MFA_REQUIRED_FOR_STAFF=True)
def test_staff_with_totp_and_members_are_not_redirected(client, make_user):
    cashier = make_user(roles.CASHIER)
    Authenticator.objects.create(user=cashier, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client.force_login(cashier)
    assert client.get(reverse("accounts:panel")).status_code == 200
    client.force_login(make_user(roles.MEMBER))
    assert client.get(reverse("accounts:panel")).status_code == 200


def test_permission_holders_counts_role_groups_and_direct_grants(make_user):
    from django.contrib.auth.models import Permission

    cashier = make_user(roles.CASHIER)
    manager = make_user(roles.CLUB_MANAGER)
    direct = make_user(roles.MEMBER)
    direct.user_permissions.add(Permission.objects.get(codename="operate_till"))
    make_user(roles.MEMBER)
    make_user(roles.SUPPORT_AGENT)
    holders = User.objects.filter(roles.permission_holders("accounts.operate_till"))
    assert set(holders) == {cashier, direct}
    assert list(User.objects.filter(roles.permission_holders("accounts.manage_club"))) == [manager]


def test_the_cashier_station_form_offers_only_till_holders(make_user):
    from cardgateway.models import CashierStation
    from cardgateway.wagtail_hooks import CashierStationViewSet

    cashier = make_user(roles.CASHIER)
    make_user(roles.MEMBER)
    make_user(roles.CLUB_MANAGER)
    form_class = CashierStationViewSet.edit_handler.bind_to_model(CashierStation).get_form_class()
    assert list(form_class().fields["cashier"].queryset) == [cashier]
