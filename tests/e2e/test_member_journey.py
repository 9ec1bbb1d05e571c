"""A new member's first visit, in a real browser: sign up, log out, log in, open My club,
switch to Persian (right to left, Jalali dates) and back, on a phone and a desktop screen.

Assertions avoid translated UI strings (the Persian catalogue is written separately):
they check dir/lang, Jalali month names and Persian digits, and the layout's geometry."""

import base64
import re

import jdatetime
import pytest
from django.conf import settings
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from portal.accounts.models import User
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.e2e]

EMAIL = "ada.e2e@example.com"
FIRST_NAME, LAST_NAME = "Ada", "Lovelace"
DISPLAY_NAME = "Ada L."  # User.display_name: first name and last initial

PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True}
DESKTOP = {"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": False}
PERSIAN_DIGIT = re.compile("[۰-۹]")
ASCII_DIGIT = re.compile("[0-9]")
# The emulated screen is in effect once CSS media queries see its width. (Not innerWidth:
# a phone widens its visual viewport to show content that overflows.)
VIEWPORT_IS = "return matchMedia(`(width: ${arguments[0]}px)`).matches"


# --- helpers ----------------------------------------------------------------------------


def submit_form_with(browser, wait, field_name: str) -> None:
    """Press the submit button of the form holding `field_name`, and wait for the next page."""
    button = browser.find_element(
        By.XPATH, f"//form[.//*[@name='{field_name}']]//button[@type='submit']"
    )
    old_page = browser.find_element(By.TAG_NAME, "html")
    button.click()
    wait.until(EC.staleness_of(old_page))


def press(browser, wait, by, locator) -> None:
    """Click something that navigates, and wait until the new page has replaced the old."""
    old_page = browser.find_element(By.TAG_NAME, "html")
    wait.until(EC.element_to_be_clickable((by, locator))).click()
    wait.until(EC.staleness_of(old_page))


def fill(browser, wait, values: dict[str, str]) -> None:
    for name, value in values.items():
        field = wait.until(EC.visibility_of_element_located((By.NAME, name)))
        field.clear()
        field.send_keys(value)


def use_viewport(browser, metrics: dict) -> None:
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)


def save_full_page(browser, path) -> None:
    shot = browser.execute_cdp_cmd(
        "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True}
    )
    path.write_bytes(base64.b64decode(shot["data"]))


def html_attributes(browser) -> tuple[str, str]:
    html = browser.find_element(By.TAG_NAME, "html")
    return html.get_attribute("dir"), html.get_attribute("lang")


def facts(browser) -> list[str]:
    """The panel's profile facts (the <dd> texts), in order."""
    return [dd.text for dd in browser.find_elements(By.CSS_SELECTOR, "dl.facts dd")]


def assert_fits_phone(browser, label: str) -> None:
    """No horizontal scrolling, nothing in the header sticking out or overlapping."""
    layout = browser.execute_script(
        """
        const doc = document.documentElement;
        const rect = el => {
          const r = el.getBoundingClientRect();
          return {left: r.left, right: r.right, top: r.top, bottom: r.bottom,
                  name: el.className || el.tagName};
        };
        const items = [...document.querySelectorAll(
          '.header-row > .brand, .main-nav li, .header-row > .language-switcher')]
          .filter(el => el.getClientRects().length);
        return {
          scrollWidth: doc.scrollWidth, clientWidth: doc.clientWidth,
          innerWidth: window.innerWidth, items: items.map(rect),
        };
        """
    )
    width = {key: layout[key] for key in ("scrollWidth", "clientWidth", "innerWidth")}
    assert layout["scrollWidth"] <= layout["innerWidth"], (label, "scrolls sideways", width)
    # A phone widens its visual viewport (innerWidth) to show overflowing content, which
    # would hide the overflow from the check above: hold the layout viewport too.
    assert layout["scrollWidth"] <= layout["clientWidth"], (label, "scrolls sideways", width)
    assert layout["innerWidth"] == PHONE["width"], (label, "viewport widened", width)
    items = layout["items"]
    for item in items:
        assert item["left"] >= -0.5, (label, "header item cut off at the left", item)
        assert item["right"] <= layout["clientWidth"] + 0.5, (label, "cut off at the right", item)
    for i, a in enumerate(items):
        for b in items[i + 1 :]:
            overlap_x = min(a["right"], b["right"]) - max(a["left"], b["left"])
            overlap_y = min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
            assert overlap_x <= 0.5 or overlap_y <= 0.5, (label, "header items overlap", a, b)


def brand_side(browser) -> str:
    """Which half of the viewport the brand starts in: 'left' or 'right'."""
    return browser.execute_script(
        """
        const r = document.querySelector('.brand').getBoundingClientRect();
        return (r.left + r.right) / 2 < document.documentElement.clientWidth / 2
          ? 'left' : 'right';
        """
    )


def screenshots(browser, wait, directory, language: str) -> None:
    """Photograph the panel at phone and desktop width; check the phone layout on the way."""
    expected_side = "right" if language == "fa" else "left"
    for label, metrics in (("phone", PHONE), ("desktop", DESKTOP)):
        use_viewport(browser, metrics)
        wait.until(lambda b, w=metrics["width"]: b.execute_script(VIEWPORT_IS, w))
        if label == "phone":
            assert_fits_phone(browser, f"{language} {label}")
        assert brand_side(browser) == expected_side, (language, label, "layout not mirrored")
        save_full_page(browser, directory / f"panel-{language}-{label}.png")
    browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


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
