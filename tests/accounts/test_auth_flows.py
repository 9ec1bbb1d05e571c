import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from gamification.models import Referral
from portal.accounts.models import MemberProfile, User
from portal.notifications import sms
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

SIGNUP = {
    "email": "new@example.com",
    "password1": PASSWORD,
    "password2": PASSWORD,
    "first_name": "Niloufar",
    "last_name": "Azadi",
}


def signup(client, **overrides):
    return client.post(reverse("account_signup"), {**SIGNUP, **overrides})


def test_signup_creates_member_with_profile_and_logs_in(client):
    response = signup(client, sms_consent="on")
    assert response.status_code == 302
    user = User.objects.get(email="new@example.com")
    assert user.profile.first_name == "Niloufar"
    assert user.profile.sms_consent is True and user.profile.sms_consent_at is not None
    assert user.profile.email_consent is False and user.profile.email_consent_at is None
    assert client.get(reverse("accounts:panel")).status_code == 200


def test_signup_with_bad_input_shows_errors_and_creates_nothing(client):
    response = signup(client, email="not-an-email", password2="different")
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not User.objects.exists()


def test_signup_with_mobile_sends_sms_code_and_verifies_the_number(client):
    response = signup(client, phone="0912 345 6789")
    assert response.status_code == 302
    user = User.objects.get(email="new@example.com")
    assert user.mobile == "+989123456789" and user.mobile_verified is False
    assert sms.outbox and sms.outbox[-1]["to"] == "+989123456789"
    code = re.search(r"(\d{6})", sms.outbox[-1]["text"]).group(1)
    response = client.post(reverse("account_verify_phone"), {"code": code})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.mobile_verified is True


def test_signup_with_a_taken_mobile_creates_nothing_and_warns_the_owner(client, make_user):
    make_user(email="first@example.com", mobile="+989123456789")
    response = signup(client, phone="09123456789")
    # allauth's enumeration prevention: the page does not reveal that the number is taken.
    assert response.status_code == 302
    assert list(User.objects.values_list("email", "mobile")) == [
        ("first@example.com", "+989123456789")
    ]
    assert sms.outbox[-1]["to"] == "+989123456789"
    assert "already has an account" in sms.outbox[-1]["text"]


def test_login_with_email_and_password(client, make_user):
    make_user(email="sara@example.com")
    response = client.post(
        reverse("account_login"), {"login": "sara@example.com", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(reverse("accounts:panel")).status_code == 200


def test_login_with_verified_mobile(client, make_user):
    user = make_user(email="sara@example.com", mobile="+989121234567")
    User.objects.filter(pk=user.pk).update(mobile_verified=True)
    response = client.post(reverse("account_login"), {"login": "09121234567", "password": PASSWORD})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk


def test_login_with_unverified_mobile_is_refused(client, make_user):
    make_user(email="sara@example.com", mobile="+989121234567")
    response = client.post(reverse("account_login"), {"login": "09121234567", "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_login_with_wrong_password_is_refused(client, make_user):
    make_user(email="sara@example.com")
    response = client.post(
        reverse("account_login"), {"login": "sara@example.com", "password": "nope"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session


def test_login_is_rate_limited_after_repeated_failures(client, make_user):
    make_user(email="sara@example.com")
    for _ in range(6):
        client.post(reverse("account_login"), {"login": "sara@example.com", "password": "bad"})
    response = client.post(
        reverse("account_login"), {"login": "sara@example.com", "password": PASSWORD}
    )
    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 429)


@override_settings(ACCOUNT_EMAIL_VERIFICATION="mandatory")
def test_mandatory_email_verification_blocks_login_until_the_link_is_followed(client):
    response = signup(client)
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert len(mail.outbox) == 1
    link = re.search(
        r"http://testserver(/accounts/confirm-email/[^\s]+)", mail.outbox[0].body
    ).group(1)
    response = client.post(
        reverse("account_login"), {"login": SIGNUP["email"], "password": PASSWORD}
    )
    assert "_auth_user_id" not in client.session
    response = client.post(link)
    assert response.status_code == 302
    assert EmailAddress.objects.get(email=SIGNUP["email"]).verified is True
    assert "_auth_user_id" in client.session


def test_password_reset_by_email(client, make_user):
    make_user(email="sara@example.com")
    response = client.post(reverse("account_reset_password"), {"email": "sara@example.com"})
    assert response.status_code == 302
    link = re.search(
        r"http://testserver(/accounts/password/reset/key/[^\s]+)", mail.outbox[-1].body
    ).group(1)
    response = client.get(link)
    assert response.status_code == 302  # allauth moves the key into the session
    response = client.post(
        response["Location"],
        {"password1": "a-brand-new-secret-42", "password2": "a-brand-new-secret-42"},
    )
    assert response.status_code == 302
    assert client.login(username="sara@example.com", password="a-brand-new-secret-42")


def test_referral_code_in_signup_link_is_remembered_and_stored(client, make_user):
    referrer = make_user(email="referrer@example.com")
    code = referrer.profile.referral_code
    client.get(reverse("account_signup") + f"?ref={code}")
    signup(client)
    profile = MemberProfile.objects.get(user__email="new@example.com")
    assert profile.signup_referral_code == code
    assert profile.user.referral.referrer == referrer


def test_unknown_referral_code_is_kept_but_links_nobody(client):
    client.get(reverse("account_signup") + "?ref=NOSUCH99")
    signup(client)
    profile = MemberProfile.objects.get(user__email="new@example.com")
    assert profile.signup_referral_code == "NOSUCH99"
    assert not Referral.objects.exists()


def test_a_member_cannot_be_their_own_referrer(make_user):
    from portal.accounts.services import attach_referral

    user = make_user(email="self@example.com")
    assert attach_referral(user=user, code=user.profile.referral_code) is False
    assert not Referral.objects.exists()
