"""A guest's complaint in a real browser, on a phone, in Persian: file it, note the
tracking code, come back in a fresh session through the tracking page, and read the
agent's answer, never the agent's internal note. The agent works on a desktop in English.
Every page passes the accessibility checks and fits a phone (tests/e2e/browser.py).

Assertions avoid translated UI strings: they check data, dir/lang and geometry. Plain
transactional tests (live_server): everything they need they create; a second
serialized-rollback test in one session fails to restore the migrations' rows (seen on
Django 5.2 with pytest-django 4.14), so only the member journey uses one."""

import pytest
from django.conf import settings
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select

from portal.accounts import roles
from tests.conftest import PASSWORD
from tests.e2e.browser import check_page, fill, html_attributes, press, submit_form_with
from tickets.models import Category, Ticket

pytestmark = [pytest.mark.e2e]

SECRET_NOTE = "Internal: the barista was new, coach them"
ANSWER = "We are sorry; the branch manager will call you today."


def set_language(browser, base: str, language: str) -> None:
    browser.get(f"{base}/tickets/track/")
    browser.add_cookie({"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "path": "/"})


def test_a_guest_files_and_follows_a_complaint_that_an_agent_answers(
    live_server, browser, wait, make_user
):
    base = live_server.url
    agent = make_user(roles.SUPPORT_AGENT, email="agent.e2e@example.com")
    category = Category.objects.get_or_create(slug="product", defaults={"name": "Product"})[0]

    # The guest files in Persian.
    set_language(browser, base, "fa")
    browser.get(f"{base}/tickets/new/")
    assert html_attributes(browser) == ("rtl", "fa")
    check_page(browser, wait, "new ticket (fa)")
    Select(browser.find_element(By.NAME, "category")).select_by_value(str(category.pk))
    fill(
        browser,
        wait,
        {
            "subject": "قهوه سرد بود",
            "description": "قهوه‌ای که امروز صبح خریدم سرد بود.",
            "guest_name": "سارا",
            "guest_mobile": "09121234567",
        },
    )
    submit_form_with(browser, wait, "subject")
    ticket = Ticket.objects.get()
    wait.until(EC.url_contains(f"/tickets/t/{ticket.tracking_code}/"))
    # The code is on the page at once, written left to right inside the Persian page.
    code = browser.find_element(By.XPATH, f"//*[normalize-space()='{ticket.tracking_code}']")
    assert code.get_attribute("dir") == "ltr" or code.find_element(
        By.XPATH, "ancestor-or-self::*[@dir='ltr']"
    )
    check_page(browser, wait, "ticket page (fa)")

    # The agent answers on the desk, in English, and adds an internal note.
    browser.delete_all_cookies()
    set_language(browser, base, "en")
    browser.get(f"{base}/accounts/login/")
    fill(browser, wait, {"login": agent.email, "password": PASSWORD})
    submit_form_with(browser, wait, "login")
    browser.get(f"{base}/tickets/desk/")
    check_page(browser, wait, "desk queue")
    press(browser, wait, By.PARTIAL_LINK_TEXT, ticket.tracking_code)
    check_page(browser, wait, "desk ticket")
    fill(browser, wait, {"body": ANSWER})
    submit_form_with(browser, wait, "body")
    fill(browser, wait, {"body": SECRET_NOTE})
    browser.find_element(By.NAME, "internal").click()
    submit_form_with(browser, wait, "body")
    assert SECRET_NOTE in browser.page_source
    assert list(ticket.messages.values_list("is_internal", flat=True)) == [False, True]

    # A fresh session finds the ticket with the code (typed sloppily) and the mobile.
    browser.delete_all_cookies()
    set_language(browser, base, "fa")
    browser.get(f"{base}/tickets/track/")
    check_page(browser, wait, "tracking page (fa)")
    fill(
        browser,
        wait,
        {"code": ticket.tracking_code.replace("-", "").lower(), "contact": "09121234567"},
    )
    submit_form_with(browser, wait, "code")
    wait.until(EC.url_contains(f"/tickets/t/{ticket.tracking_code}/"))
    page = browser.find_element(By.TAG_NAME, "main").text
    assert ANSWER in page
    assert SECRET_NOTE not in browser.page_source
    check_page(browser, wait, "ticket page with the answer (fa)")


def test_the_managers_reports_and_a_members_tickets_fit_a_phone_in_persian(
    live_server, browser, wait, make_user
):
    from tickets import services

    base = live_server.url
    manager = make_user(roles.CLUB_MANAGER, email="manager.e2e@example.com")
    member = make_user(roles.MEMBER, email="member.e2e@example.com")
    category = Category.objects.get_or_create(slug="product", defaults={"name": "Product"})[0]
    ticket = services.open_ticket(
        kind="support", category=category, member=member, subject="Points", description="?"
    )
    services.add_reply(ticket=ticket, author=manager, body="Done.")
    services.change_status(ticket=ticket, to="resolved", actor=manager)

    for user, pages in (
        (member, ["/tickets/mine/", f"/tickets/t/{ticket.tracking_code}/"]),
        (manager, ["/tickets/desk/reports/", "/tickets/desk/?status=all"]),
    ):
        browser.delete_all_cookies()
        set_language(browser, base, "fa")
        browser.get(f"{base}/accounts/login/")
        fill(browser, wait, {"login": user.email, "password": PASSWORD})
        submit_form_with(browser, wait, "login")
        for path in pages:
            browser.get(f"{base}{path}")
            assert html_attributes(browser) == ("rtl", "fa"), path
            check_page(browser, wait, path)
    # The resolved ticket offered its rating form to the member (checked above for fit).
