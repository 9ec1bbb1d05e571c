"""A new member's first visit, in a real browser: sign up, log out, log in, open My club,
switch to Persian (right to left, Jalali dates) and back, on a phone and a desktop screen.

Assertions avoid translated UI strings (the Persian catalogue is written separately):
they check dir/lang, Jalali month names and Persian digits, and the layout's geometry."""

import jdatetime
import pytest
from django.conf import settings
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from portal.accounts.models import User
from tests.conftest import PASSWORD
from tests.e2e.browser import (
    ASCII_DIGIT,
    PERSIAN_DIGIT,
    csp_violations,
    facts,
    fill,
    html_attributes,
    press,
    screenshots,
    submit_form_with,
)

pytestmark = [pytest.mark.e2e]

EMAIL = "ada.e2e@example.com"
FIRST_NAME, LAST_NAME = "Ada", "Lovelace"
DISPLAY_NAME = "Ada L."  # User.display_name: first name and last initial

# --- the journey ------------------------------------------------------------------------


@pytest.mark.usefixtures("django_db_serialized_rollback")
def test_member_signs_up_logs_in_and_reads_the_panel_in_persian(
    live_server, browser, wait, screenshot_dir
):
    base = live_server.url

    # This browser reads the club in English. Without the language cookie a logged-in
    # member gets their profile's language, which defaults to Persian, so the choice is
    # made explicit here (what the switcher stores) to start the journey in English.
    browser.get(f"{base}/accounts/signup/")
    browser.add_cookie({"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "path": "/"})

    # Sign up: allauth logs the new member straight in (e-mail verification is optional).
    browser.get(f"{base}/accounts/signup/")
    assert html_attributes(browser) == ("ltr", "en")
    fill(
        browser,
        wait,
        {
            "first_name": FIRST_NAME,
            "last_name": LAST_NAME,
            "email": EMAIL,
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    submit_form_with(browser, wait, "password1")
    wait.until(EC.url_to_be(f"{base}/club/"))
    member = User.objects.get(email=EMAIL)
    assert member.profile.first_name == FIRST_NAME
    assert member.profile.last_name == LAST_NAME

    # Log out with the header's button; the panel then asks for a login.
    press(browser, wait, By.XPATH, "//header//button[normalize-space()='Log out']")
    browser.get(f"{base}/club/")
    wait.until(EC.url_contains("/accounts/login/"))

    # Log in again with e-mail and password.
    browser.get(f"{base}/accounts/login/")
    fill(browser, wait, {"login": EMAIL, "password": PASSWORD})
    submit_form_with(browser, wait, "login")
    wait.until(EC.url_to_be(f"{base}/club/"))

    # My club, from the header link.
    press(browser, wait, By.CSS_SELECTOR, "header.site-header .main-nav a[href='/club/']")
    heading = wait.until(EC.visibility_of_element_located((By.TAG_NAME, "h1")))
    assert FIRST_NAME in heading.text
    strip_name = browser.find_element(By.CSS_SELECTOR, "[data-member-strip] .member-name")
    assert strip_name.text == DISPLAY_NAME
    assert html_attributes(browser) == ("ltr", "en")
    joined = timezone.localtime(member.date_joined)
    assert any(
        str(joined.year) in text and joined.strftime("%B") in text for text in facts(browser)
    ), facts(browser)

    # Switch to Persian: right to left, Jalali calendar, Persian digits.
    switcher = "form.language-switcher button[name='language'][value='fa']"
    assert browser.find_element(By.CSS_SELECTOR, switcher).text == "فارسی"
    press(browser, wait, By.CSS_SELECTOR, switcher)
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "html[dir='rtl'][lang='fa']")))
    assert browser.current_url == f"{base}/club/"
    assert html_attributes(browser) == ("rtl", "fa")

    jalali = jdatetime.date.fromgregorian(date=joined.date())
    month = jdatetime.date.j_months_fa[jalali.month - 1]
    persian_year = str(jalali.year).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    member_since = [text for text in facts(browser) if month in text and persian_year in text]
    assert member_since, facts(browser)
    assert PERSIAN_DIGIT.search(member_since[0])
    assert not ASCII_DIGIT.search(member_since[0]), member_since[0]
    # The name is data, not a translation: still shown as typed.
    assert browser.find_element(By.CSS_SELECTOR, ".member-name").text == DISPLAY_NAME
    member.profile.refresh_from_db()
    assert member.profile.preferred_language == "fa"

    screenshots(browser, wait, screenshot_dir, "fa")

    # And back to English, left to right.
    press(browser, wait, By.CSS_SELECTOR, "form.language-switcher button[value='en']")
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "html[dir='ltr'][lang='en']")))
    screenshots(browser, wait, screenshot_dir, "en")
    # Sign-up, log-in and the panel ran under the Content-Security-Policy, unblocked.
    assert csp_violations(browser) == []
