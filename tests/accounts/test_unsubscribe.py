"""Consent is recorded with when and where; every marketing message carries a signed
one-click unsubscribe link that works without logging in and cannot be forged."""

import re

import pytest
from django.core import mail, signing
from django.urls import reverse
from django.utils import timezone

from portal.accounts import unsubscribe
from portal.accounts.models import ConsentChange, User
from portal.notifications import sms
from portal.notifications.services import notify

LINK = re.compile(r"http://\S+/club/unsubscribe/(\S+)/")


@pytest.fixture
def consenting(member):
    User.objects.filter(pk=member.pk).update(mobile="+989121234567", mobile_verified=True)
    member.refresh_from_db()
    profile = member.profile
    profile.sms_consent = profile.email_consent = True
    profile.sms_consent_at = profile.email_consent_at = timezone.now()
    profile.save()
    return member


def _offer(member, django_capture_on_commit_callbacks, marketing=True):
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            member=member,
            kind="campaign",
            title="Spring offer",
            body="Double points",
            channels=("email", "sms"),
            marketing=marketing,
        )


def test_a_marketing_message_carries_its_link_and_the_rfc_8058_headers(
    consenting, django_capture_on_commit_callbacks
):
    _offer(consenting, django_capture_on_commit_callbacks)
    email = mail.outbox[-1]
    link = email.extra_headers["List-Unsubscribe"].strip("<>")
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link in email.body
    assert unsubscribe.read(LINK.search(link).group(1)) == (consenting.pk, "email")
    sms_link = LINK.search(sms.outbox[-1]["text"]).group(1)
    assert unsubscribe.read(sms_link) == (consenting.pk, "sms")


def test_a_service_message_has_no_unsubscribe_link(consenting, django_capture_on_commit_callbacks):
    _offer(consenting, django_capture_on_commit_callbacks, marketing=False)
    assert "List-Unsubscribe" not in mail.outbox[-1].extra_headers
    assert not LINK.search(sms.outbox[-1]["text"])


def test_one_click_withdraws_one_channel_without_logging_in(client, consenting):
    url = reverse("accounts:unsubscribe", args=[unsubscribe.token(consenting, "email")])
    page = client.get(url)  # a mail scanner opening the link changes nothing
    assert page.status_code == 200
    consenting.profile.refresh_from_db()
    assert consenting.profile.email_consent
    # The mail client's one-click POST carries no CSRF token.
    client.handler.enforce_csrf_checks = True
    assert client.post(url, {"List-Unsubscribe": "One-Click"}).status_code == 200
    consenting.profile.refresh_from_db()
    assert not consenting.profile.email_consent and consenting.profile.email_consent_at is None
    assert consenting.profile.sms_consent  # the other channel stays
    change = ConsentChange.objects.get(member=consenting)
    assert (change.channel, change.granted, change.source) == ("email", False, "unsubscribe link")
    client.post(url)  # twice is harmless
    assert ConsentChange.objects.filter(member=consenting).count() == 1


@pytest.mark.parametrize(
    "token",
    [
        "nonsense",
        signing.dumps({"m": 1, "c": "email"}, salt="another.salt", compress=True),
        signing.dumps({"m": 1, "c": "pigeon"}, salt=unsubscribe.SALT, compress=True),
    ],
)
def test_a_forged_or_foreign_link_changes_nothing(client, consenting, token):
    forged = token.replace(":", "") if token == "nonsense" else token
    response = client.post(reverse("accounts:unsubscribe", args=[forged]))
    assert response.status_code == 404
    consenting.profile.refresh_from_db()
    assert consenting.profile.email_consent and consenting.profile.sms_consent


def test_a_link_for_one_member_cannot_be_turned_to_another(consenting, make_user):
    other = make_user()
    value = unsubscribe.token(consenting, "sms")
    payload, rest = value.split(":", 1)
    swapped = unsubscribe.token(other, "sms").split(":", 1)[0] + ":" + rest
    assert unsubscribe.read(swapped) is None


def test_consent_given_on_the_profile_page_records_the_page(member_client, member):
    data = {
        "first_name": "Sara",
        "last_name": "Karimi",
        "preferred_language": "en",
        "sms_consent": "",
        "email_consent": "on",
        "mobile": "",
    }
    member_client.post(reverse("accounts:profile-edit"), data)
    change = ConsentChange.objects.get(member=member)
    assert (change.channel, change.granted, change.source) == (
        "email",
        True,
        reverse("accounts:profile-edit"),
    )
