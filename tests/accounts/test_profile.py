from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cardgateway.models import Branch
from portal.accounts.mobile import normalize_mobile
from portal.accounts.models import MemberProfile, User

pytestmark = pytest.mark.django_db

VALID = {
    "first_name": "Sara",
    "last_name": "Karimi",
    "birth_date": "1990-03-21",
    "address": "Valiasr St. 10",
    "city": "Tehran",
    "preferred_language": "fa",
    "mobile": "09121234567",
    "interests": "cooking, running",
}


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("09121234567", "+989121234567"),
        ("0912 123 4567", "+989121234567"),
        ("۰۹۱۲۱۲۳۴۵۶۷", "+989121234567"),
        ("+98 912 123 4567", "+989121234567"),
        ("00989121234567", "+989121234567"),
        ("+44 7911 123456", "+447911123456"),
    ],
)
def test_mobile_numbers_are_stored_in_e164(typed, stored):
    assert normalize_mobile(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "0912123456",
        "091212345678",
        "02188776655",
        "9121234567",
        "+98212345678",
        "hello",
        "+1 555",
        "0812 123 4567",
    ],
)
def test_bad_mobile_numbers_are_refused(typed):
    with pytest.raises(ValidationError):
        normalize_mobile(typed)


def post_profile(client, **overrides):
    return client.post(reverse("accounts:profile-edit"), {**VALID, **overrides})


def test_profile_saves_normalized_mobile_interests_and_consent_times(member_client, member):
    branch = Branch.objects.create(code="t1", name="Tehran 1", city="Tehran")
    response = post_profile(member_client, home_branch=branch.pk, email_consent="on")
    assert response.status_code == 302
    member.refresh_from_db()
    profile = member.profile
    assert member.mobile == "+989121234567" and member.mobile_verified is False
    assert profile.birth_date == date(1990, 3, 21)
    assert sorted(profile.interests.names()) == ["cooking", "running"]
    assert profile.email_consent and profile.email_consent_at is not None
    assert not profile.sms_consent and profile.sms_consent_at is None
    assert profile.completion() == (100, [])


def assert_refused(response, field, member):
    assert response.status_code == 200
    assert field in response.context["form"].errors
    member.refresh_from_db()
    profile = MemberProfile.objects.get(user=member)
    assert member.mobile is None
    assert profile.city == "" and profile.birth_date is None


@pytest.mark.parametrize("mobile", ["0912", "02188776655", "+98 21 8877 6655", "abc"])
def test_profile_refuses_bad_mobile_and_saves_nothing(member_client, member, mobile):
    assert_refused(post_profile(member_client, mobile=mobile), "mobile", member)


def test_profile_refuses_a_birth_date_in_the_future(member_client, member):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = post_profile(member_client, birth_date=tomorrow)
    assert_refused(response, "birth_date", member)
    assert "future" in str(response.context["form"].errors["birth_date"])


@pytest.mark.parametrize("birth_date", ["1850-01-01", f"{timezone.localdate().year - 5}-01-01"])
def test_profile_refuses_implausible_ages(member_client, member, birth_date):
    assert_refused(post_profile(member_client, birth_date=birth_date), "birth_date", member)


def test_profile_refuses_a_mobile_that_belongs_to_another_member(member_client, member, make_user):
    make_user(email="other@example.com", mobile="+989121234567")
    response = post_profile(member_client)
    assert_refused(response, "mobile", member)
    assert "another member" in str(response.context["form"].errors["mobile"])
    assert User.objects.get(email="other@example.com").mobile == "+989121234567"


def test_keeping_the_same_mobile_keeps_it_verified(member_client, member):
    User.objects.filter(pk=member.pk).update(mobile="+989121234567", mobile_verified=True)
    assert post_profile(member_client).status_code == 302
    member.refresh_from_db()
    assert member.mobile_verified is True


def test_withdrawing_consent_clears_its_time(member_client, member):
    post_profile(member_client, sms_consent="on")
    assert MemberProfile.objects.get(user=member).sms_consent_at is not None
    post_profile(member_client)
    profile = MemberProfile.objects.get(user=member)
    assert profile.sms_consent is False and profile.sms_consent_at is None


def test_completion_lists_what_is_missing(member):
    percent, missing = member.profile.completion()
    assert percent == 25  # first and last name of eight items
    assert "birth date" in missing and "mobile" in missing and "interests" in missing


def test_panel_shows_completion_and_needs_login(client, member):
    response = client.get(reverse("accounts:panel"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(member)
    response = client.get(reverse("accounts:panel"))
    assert response.status_code == 200
    assert response.context["completion"] == 25
    assert member.profile.referral_code in response.content.decode()
