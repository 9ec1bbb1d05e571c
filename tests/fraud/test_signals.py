"""The device cookie and the sign-up signals the referral rules compare."""

import hashlib

import pytest
from django.test import override_settings
from django.urls import reverse

from cardgateway import services as gateway
from portal.fraud import rules
from portal.fraud.middleware import DEVICE_COOKIE, DEVICE_COOKIE_AGE
from portal.fraud.models import FraudSettings, SignupSignal
from portal.fraud.signals import record_signup_signal
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

SIGNUP = {
    "password1": PASSWORD,
    "password2": PASSWORD,
    "first_name": "Niloufar",
    "last_name": "Azadi",
}
VALID_ID = "A" * 43


def signup(client, email, **extra):
    return client.post(reverse("account_signup"), {**SIGNUP, "email": email}, **extra)


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


# --- The cookie -------------------------------------------------------------------------------


def test_first_visit_gets_a_random_httponly_lax_device_cookie_for_two_years(client):
    response = client.get(reverse("account_login"))

    cookie = response.cookies[DEVICE_COOKIE]
    assert len(cookie.value) == 43
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["max-age"] == DEVICE_COOKIE_AGE == 2 * 365 * 24 * 3600
    assert not cookie["secure"]  # plain HTTP in tests, like the session cookie
    other = client.__class__().get(reverse("account_login")).cookies[DEVICE_COOKIE]
    assert other.value != cookie.value


@override_settings(SESSION_COOKIE_SECURE=True)
def test_device_cookie_is_secure_when_session_cookies_are(client):
    response = client.get(reverse("account_login"))

    assert response.cookies[DEVICE_COOKIE]["secure"] is True


def test_a_browser_with_a_device_cookie_keeps_it(client):
    client.cookies[DEVICE_COOKIE] = VALID_ID

    response = client.get(reverse("account_login"))

    assert DEVICE_COOKIE not in response.cookies


def test_a_malformed_device_cookie_is_replaced(client):
    client.cookies[DEVICE_COOKIE] = "not-one-of-ours"

    response = client.get(reverse("account_login"))

    assert response.cookies[DEVICE_COOKIE].value not in {"", "not-one-of-ours"}


def test_card_readers_get_no_device_cookie(client):
    response = client.post("/gateway/v1/inquiry", b"{}", content_type="application/json")

    assert DEVICE_COOKIE not in response.cookies


# --- The sign-up signal -------------------------------------------------------------------------


def test_signup_records_the_ip_and_the_hash_of_the_device_cookie(client):
    device = client.get(reverse("account_signup")).cookies[DEVICE_COOKIE].value

    response = signup(client, "new@example.com", REMOTE_ADDR="203.0.113.9")

    assert response.status_code == 302
    signal = SignupSignal.objects.get(member__email="new@example.com")
    assert signal.ip == "203.0.113.9"
    assert signal.device == sha256(device)
    assert device not in signal.device


def test_signup_on_the_very_first_request_uses_the_cookie_it_is_given(client):
    response = signup(client, "first@example.com")

    device = response.cookies[DEVICE_COOKIE].value
    signal = SignupSignal.objects.get(member__email="first@example.com")
    assert signal.device == sha256(device)
    assert signal.ip == "127.0.0.1"


def test_a_remote_address_that_is_no_ip_is_stored_as_none(rf, make_user):
    """Behind a misconfigured proxy REMOTE_ADDR may be anything (allauth refuses such a
    sign-up anyway); the signal keeps the device and no IP."""
    request = rf.post("/accounts/signup/", REMOTE_ADDR="unknown")
    request.club_device = VALID_ID
    member = make_user()

    signal = record_signup_signal(member=member, request=request)

    assert signal.ip is None and signal.device == sha256(VALID_ID)


def test_recording_twice_keeps_the_first_signal(rf, make_user):
    member = make_user()
    first = rf.post("/accounts/signup/", REMOTE_ADDR="203.0.113.1")
    record_signup_signal(member=member, request=first)

    record_signup_signal(member=member, request=rf.post("/", REMOTE_ADDR="198.51.100.1"))

    assert SignupSignal.objects.get(member=member).ip == "203.0.113.1"
    assert SignupSignal.objects.get(member=member).device == ""


def test_failed_signup_records_nothing(client):
    client.post(reverse("account_signup"), {**SIGNUP, "email": "not-an-email"})

    assert not SignupSignal.objects.exists()


def test_members_registered_at_the_till_have_no_signup_signal(db):
    gateway.register_member_with_card(first_name="Omid", last_name="R", mobile="+989121110044")

    assert not SignupSignal.objects.exists()


def test_two_accounts_signed_up_in_one_browser_are_flagged_by_the_referral_rule(client):
    """End to end: the referrer invites themselves from their own browser."""
    signup(client, "referrer@example.com")
    referrer = SignupSignal.objects.get(member__email="referrer@example.com").member
    client.post(reverse("account_logout"))  # the browser keeps its device cookie
    client.get(reverse("account_signup") + f"?ref={referrer.profile.referral_code}")
    signup(client, "second-self@example.com")
    referee = SignupSignal.objects.get(member__email="second-self@example.com").member
    assert referee.referral.referrer == referrer
    # Someone else, in their own browser, through the same link: no finding.
    other = client.__class__()
    other.get(reverse("account_signup") + f"?ref={referrer.profile.referral_code}")
    signup(other, "friend@example.com", REMOTE_ADDR="198.51.100.4")

    findings = rules.run_all()

    assert [f.key for f in findings] == [f"referral_shared_signal:{referee.referral.pk}"]
    assert findings[0].member_id == referrer.pk
    facts = dict(findings[0].evidence["facts"])
    assert facts["Same device"] == SignupSignal.objects.get(member=referee).device[:8]
    assert FraudSettings.objects.count() == 1
