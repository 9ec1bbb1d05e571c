from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from portal.shell.templatetags.club_format import grouped, jdate, jdate_with_time, rials

pytestmark = pytest.mark.django_db


def persian(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fa"
    return client


def test_persian_pages_are_right_to_left(client):
    body = persian(client).get(reverse("account_login")).content.decode()
    assert '<html lang="fa" dir="rtl">' in body
    assert "ورود" in body


def test_english_pages_are_left_to_right(client):
    body = client.get(reverse("account_login")).content.decode()
    assert '<html lang="en" dir="ltr">' in body


def test_panel_shows_jalali_dates_in_persian(member_client, member):
    member.date_joined = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Tehran"))
    member.save()
    body = persian(member_client).get(reverse("accounts:panel")).content.decode()
    assert 'dir="rtl"' in body
    assert "۲ آذر ۱۴۰۵" in body  # 23 November 2026 is 2 Azar 1405


def test_switching_language_sets_cookie_and_member_preference(member_client, member):
    response = member_client.post(
        reverse("shell:set-language"), {"language": "fa", "next": "/club/"}
    )
    assert response.status_code == 302 and response["Location"] == "/club/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fa"
    member.profile.refresh_from_db()
    assert member.profile.preferred_language == "fa"


def test_switching_language_refuses_foreign_redirects_and_unknown_languages(client):
    response = client.post(
        reverse("shell:set-language"), {"language": "xx", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_member_without_cookie_reads_their_profile_language(member_client, member):
    member.profile.preferred_language = "fa"
    member.profile.save()
    body = member_client.get(reverse("accounts:panel")).content.decode()
    assert 'dir="rtl"' in body


def test_dates_and_amounts_follow_the_language():
    day = date(2026, 3, 21)  # Nowruz 1405
    with translation.override("fa"):
        assert jdate(day) == "۱ فروردین ۱۴۰۵"
        assert jdate_with_time(datetime(2026, 3, 21, 9, 5, tzinfo=ZoneInfo("Asia/Tehran"))) == (
            "۱ فروردین ۱۴۰۵، ۰۹:۰۵"
        )
        assert grouped(1250000) == "۱٬۲۵۰٬۰۰۰"
        assert rials(1250000) == "۱٬۲۵۰٬۰۰۰ ریال"
    with translation.override("en"):
        assert jdate(day) == "21 March 2026"
        assert grouped(1250000) == "1,250,000"
        assert rials(-5000) == "-5,000 IRR"
