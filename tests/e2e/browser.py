"""What the end-to-end tests share: screen sizes, waiting for pages, filling forms, and the
checks every page must pass at phone width."""

import base64
import re

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True}
DESKTOP = {"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": False}
PERSIAN_DIGIT = re.compile("[۰-۹]")
ASCII_DIGIT = re.compile("[0-9]")
# The emulated screen is in effect once CSS media queries see its width. (Not innerWidth:
# a phone widens its visual viewport to show content that overflows.)
VIEWPORT_IS = "return matchMedia(`(width: ${arguments[0]}px)`).matches"


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


def accessibility_problems(browser) -> list[str]:
    """What a screen reader or keyboard user would trip over on this page: no language or
    direction, not one h1, form controls, buttons or links without a name, pictures
    without alt text, repeated ids, and radio buttons outside a fieldset with a legend."""
    return browser.execute_script(
        """
        const problems = [];
        const html = document.documentElement;
        if (!html.lang) problems.push('html has no lang');
        if (!html.dir) problems.push('html has no dir');
        const visible = el => el.getClientRects().length > 0;
        const h1s = [...document.querySelectorAll('h1')].filter(visible);
        if (h1s.length !== 1) problems.push(`${h1s.length} visible h1`);
        const named = el => (el.labels && el.labels.length && [...el.labels].some(
            l => l.textContent.trim())) || el.getAttribute('aria-label') ||
            el.getAttribute('aria-labelledby');
        for (const el of document.querySelectorAll('input, select, textarea')) {
          if (['hidden', 'submit', 'button'].includes(el.type) || !visible(el)) continue;
          if (!named(el)) problems.push(`unnamed ${el.tagName} ${el.name}`);
          if (el.type === 'radio') {
            const set = el.closest('fieldset');
            if (!set || !set.querySelector('legend')) {
              problems.push(`radio ${el.name} without legend`);
            }
          }
        }
        for (const el of document.querySelectorAll('button, a[href]')) {
          if (!visible(el)) continue;
          const text = (el.textContent || '').trim() || el.getAttribute('aria-label') ||
            el.getAttribute('title') || (el.querySelector('img[alt]') || {}).alt;
          if (!text) problems.push(`unnamed ${el.tagName} ${el.outerHTML.slice(0, 80)}`);
        }
        for (const img of document.querySelectorAll('img')) {
          if (!img.hasAttribute('alt')) problems.push(`img without alt ${img.src}`);
        }
        const ids = {};
        for (const el of document.querySelectorAll('[id]')) ids[el.id] = (ids[el.id] || 0) + 1;
        for (const [id, n] of Object.entries(ids)) if (n > 1) problems.push(`id ${id} x${n}`);
        return problems;
        """
    )


def csp_violations(browser) -> list[str]:
    """Content-Security-Policy violations Chromium logged since the last call (reading the
    console log empties it)."""
    return [
        entry["message"]
        for entry in browser.get_log("browser")
        if "Content Security Policy" in entry["message"]
    ]


def check_page(browser, wait, label: str) -> None:
    """The page broke no Content-Security-Policy rule, passes the accessibility checks, and
    fits a phone without sideways scrolling; the desktop size is restored afterwards."""
    assert csp_violations(browser) == [], label
    assert accessibility_problems(browser) == [], label
    use_viewport(browser, PHONE)
    wait.until(lambda b: b.execute_script(VIEWPORT_IS, PHONE["width"]))
    assert_fits_phone(browser, label)
    browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
