"""The ticket form's knowledge-base suggestions in a real browser, on a phone, in Persian
(right to left): typing a subject lists matching answers in a live region under the
field, and the page keeps passing the shared accessibility, CSP and phone-width checks.
Assertions check data and geometry, not translated UI strings."""

import pytest
from django.conf import settings
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from wagtail.models import Locale, Page

from kb.models import KBAnswerPage, KBSectionPage, KnowledgeBaseIndexPage
from portal.demo import seed_home_page
from tests.e2e.browser import PHONE, VIEWPORT_IS, check_page, html_attributes, use_viewport

pytestmark = [pytest.mark.e2e]


def _knowledge_base() -> KBAnswerPage:
    # A transactional test starts with empty tables: Wagtail's root page is made again.
    Locale.objects.get_or_create(language_code="en")
    if not Page.get_first_root_node():
        Page.add_root(instance=Page(title="Root", slug="root"))
    home = seed_home_page()
    index = home.add_child(instance=KnowledgeBaseIndexPage(title="Help", slug="help"))
    section = index.add_child(instance=KBSectionPage(title="Cards", slug="cards"))
    section.add_child(
        instance=KBAnswerPage(
            title="Where is my nearest branch?", slug="branches", answer="<p>Tehran.</p>"
        )
    )
    return section.add_child(
        instance=KBAnswerPage(
            title="My card is lost", slug="card-lost", answer="<p>Any branch replaces it.</p>"
        )
    )


def test_typing_a_subject_suggests_matching_answers_under_it(live_server, browser, wait):
    answer = _knowledge_base()
    base = live_server.url
    browser.get(f"{base}/tickets/track/")
    browser.add_cookie({"name": settings.LANGUAGE_COOKIE_NAME, "value": "fa", "path": "/"})
    use_viewport(browser, PHONE)
    wait.until(lambda b: b.execute_script(VIEWPORT_IS, PHONE["width"]))
    browser.get(f"{base}/tickets/new/")
    assert html_attributes(browser) == ("rtl", "fa")

    browser.find_element(By.NAME, "subject").send_keys("lost card at the till")
    link = wait.until(
        EC.visibility_of_element_located((By.CSS_SELECTOR, "[data-kb-suggest-list] a"))
    )

    assert link.text == "My card is lost"
    assert link.get_attribute("href") == f"{base}{answer.url}"
    links = browser.find_elements(By.CSS_SELECTOR, "[data-kb-suggest-list] a")
    assert [a.text for a in links] == ["My card is lost"]
    # The list sits right under the subject field, inside the form.
    subject = browser.find_element(By.NAME, "subject")
    box = browser.find_element(By.ID, "kb-suggest")
    assert box.location["y"] > subject.location["y"]
    assert box.find_element(By.XPATH, "preceding-sibling::div[1]//input[@name='subject']")
    assert browser.find_element(By.ID, "kb-suggest-title").is_displayed()
    browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    check_page(browser, wait, "ticket form with suggestions (fa)")

    # Clearing the subject clears the suggestions.
    subject.clear()
    subject.send_keys("x")
    wait.until(lambda b: not b.find_elements(By.CSS_SELECTOR, "[data-kb-suggest-list] li"))
    assert not browser.find_element(By.ID, "kb-suggest-title").is_displayed()
