"""Live updates in a real browser against a real Daphne: the customer's open ticket page
shows an agent's public reply and the status change without a reload, and never the
internal note sent just before it; the desk queue announces a new ticket.

The changes are made in this process through the services; they reach Daphne's process
through the Redis channel layer, as in production (hence Redis and PostgreSQL: a second
process cannot see SQLite's in-memory test database)."""

from functools import partial

import pytest
from channels.testing.live import make_application
from daphne.testing import DaphneProcess
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from portal.accounts import roles
from tests.conftest import PASSWORD
from tests.e2e.browser import csp_violations, fill, submit_form_with
from tickets import services
from tickets.models import Category

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.redis]

NOTE = "Internal: refund approved by the branch, do not promise more"
ANSWER = "Your refund is on its way."


def forget_inherited_connections() -> None:
    """In Daphne's forked process: drop the parent's database connections unclosed (closing
    would end the parent's session), so the child opens its own to the same test database
    (pytest-django has already pointed the settings at it; channels' own setup would add a
    second "test_" prefix)."""
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        connection.connection = None


@pytest.fixture
def daphne_url(transactional_db):
    """Daphne serving the portal (and its static files) from a child process that uses
    this test's database."""
    process = DaphneProcess(
        "localhost",
        partial(make_application, static_wrapper=ASGIStaticFilesHandler),
        setup=forget_inherited_connections,
    )
    process.start()
    if not process.ready.wait(timeout=30):
        process.terminate()
        pytest.fail("Daphne did not start")
    yield f"http://localhost:{process.port.value}"
    process.terminate()
    process.join()


def wait_live(wait, browser) -> None:
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "[data-live-state='open']")))


def test_the_customer_page_and_the_queue_update_without_a_reload(
    daphne_url, browser, wait, make_user
):
    agent = make_user(roles.SUPPORT_AGENT, email="agent.live@example.com")
    category = Category.objects.get_or_create(slug="product", defaults={"name": "Product"})[0]
    ticket = services.open_ticket(
        kind="complaint",
        category=category,
        subject="Broken kettle",
        description="The kettle stopped working after a day.",
        guest_name="Sara",
        guest_mobile="09121234567",
    )

    # The guest proves the ticket on the tracking page and keeps its page open.
    browser.get(f"{daphne_url}/tickets/track/")
    fill(browser, wait, {"code": ticket.tracking_code, "contact": "09121234567"})
    submit_form_with(browser, wait, "code")
    wait.until(EC.url_contains(f"/tickets/t/{ticket.tracking_code}/"))
    wait_live(wait, browser)

    services.add_reply(ticket=ticket, author=agent, body=NOTE, internal=True)
    services.add_reply(ticket=ticket, author=agent, body=ANSWER)
    services.change_status(ticket=ticket, to="resolved", actor=agent)
    messages = browser.find_element(By.ID, "ticket-messages")
    wait.until(lambda b: ANSWER in messages.text)
    status = browser.find_element(By.ID, "ticket-status")
    wait.until(lambda b: status.get_attribute("data-status") == "resolved")
    # The note was sent before the answer on the same socket path: had it been pushed to
    # the customer, it would be on the page by now.
    assert NOTE not in browser.page_source

    # The agent's queue hears of a ticket filed after the page was opened.
    browser.delete_all_cookies()
    browser.get(f"{daphne_url}/accounts/login/")
    fill(browser, wait, {"login": agent.email, "password": PASSWORD})
    submit_form_with(browser, wait, "login")
    browser.get(f"{daphne_url}/tickets/desk/")
    wait_live(wait, browser)
    second = services.open_ticket(
        kind="suggestion",
        category=category,
        subject="Longer opening hours",
        description="Please open until ten.",
        guest_name="Ali",
        guest_email="ali@example.com",
    )
    announcement = browser.find_element(By.ID, "desk-live")
    wait.until(lambda b: second.tracking_code in announcement.text)
    link = announcement.find_element(By.PARTIAL_LINK_TEXT, second.tracking_code)
    assert link.get_attribute("href").endswith(f"/tickets/desk/{second.pk}/")
    # The socket and the script ran under the Content-Security-Policy, unblocked.
    assert csp_violations(browser) == []
