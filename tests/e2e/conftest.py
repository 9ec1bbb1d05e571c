"""End-to-end fixtures: Debian's headless Chromium driven through Debian's ChromeDriver.

Nothing is ever downloaded: the driver and the browser are the ones on PATH (install them
with scripts/install-browser.sh), so Selenium Manager is never consulted. When they are
missing the tests skip locally, but fail under REQUIRE_SERVICES or CI.
"""

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import WebDriverWait

from portal.settings.base import env_bool

WAIT_SECONDS = 15
CHROME_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--lang=en-US",
]


def services_required() -> bool:
    return env_bool("REQUIRE_SERVICES", env_bool("CI", False))


@pytest.fixture(scope="session")
def browser_binaries() -> tuple[str, str]:
    """(chromium, chromedriver) from PATH; skip locally, fail in CI, when either is missing."""
    chromium = shutil.which("chromium")
    chromedriver = shutil.which("chromedriver")
    if chromium and chromedriver:
        return chromium, chromedriver
    missing = " and ".join(
        name for name, path in (("chromium", chromium), ("chromedriver", chromedriver)) if not path
    )
    reason = (
        f"end-to-end tests need Debian's chromium and chromium-driver ({missing} not on PATH); "
        "run scripts/install-browser.sh"
    )
    if services_required():
        pytest.fail(f"REQUIRE_SERVICES/CI is set but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def browser(browser_binaries):
    """A fresh headless Chromium with its own throw-away profile."""
    chromium, chromedriver = browser_binaries
    with tempfile.TemporaryDirectory(prefix="club-e2e-profile-") as profile_dir:
        options = webdriver.ChromeOptions()
        options.binary_location = chromium
        for flag in CHROME_FLAGS:
            options.add_argument(flag)
        options.add_argument(f"--user-data-dir={profile_dir}")
        options.add_argument("--window-size=1280,900")
        # The console log, where Chromium reports Content-Security-Policy violations.
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        driver = webdriver.Chrome(service=Service(executable_path=chromedriver), options=options)
        driver.set_page_load_timeout(60)
        try:
            yield driver
        finally:
            driver.quit()


@pytest.fixture
def wait(browser):
    return WebDriverWait(browser, WAIT_SECONDS)


@pytest.fixture
def screenshot_dir(tmp_path_factory) -> Path:
    """Where screenshots go: $E2E_SCREENSHOT_DIR, or pytest's temporary directory."""
    configured = os.environ.get("E2E_SCREENSHOT_DIR")
    if configured:
        path = Path(configured)
        path.mkdir(parents=True, exist_ok=True)
        return path
    return tmp_path_factory.mktemp("e2e-screenshots")
