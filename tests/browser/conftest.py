"""Browser tests: Playwright drives the system Chromium against Django's live server.

Playwright's own browser download does not work on our machines, so the tests use
Debian's Chromium (`apt-get install -y chromium`). Locally they skip with a reason
when it is missing; in CI (KONTAKTSTELLE_REQUIRE_BROWSER=1) they fail instead.
"""

import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API keeps an event loop in the main thread; Django would then
# refuse ORM calls from test code ("SynchronousOnlyOperation"), though they are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _chromium_path():
    for candidate in (os.environ.get("CHROMIUM_PATH"), "/usr/bin/chromium"):
        if candidate and Path(candidate).is_file():
            return candidate
    return shutil.which("chromium")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="module")
def browser():
    path = _chromium_path()
    if path is None:
        message = "no Chromium found at /usr/bin/chromium (apt-get install -y chromium)"
        if os.environ.get("KONTAKTSTELLE_REQUIRE_BROWSER") == "1":
            pytest.fail(f"Browser tests are required here, but {message}.")
        pytest.skip(f"Browser tests skipped: {message}.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=path, headless=True, args=CHROMIUM_FLAGS
        )
        yield browser
        browser.close()


# Each page fixture asks for the database before the (session-wide) live server, so
# the live server stops before the test database is dropped.
@pytest.fixture
def page(browser, transactional_db, live_server):
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP, locale="en-US")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone_page(browser, transactional_db, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()
