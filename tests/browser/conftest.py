"""Browser fixtures: Playwright's sync API driving Debian's Chromium against live_server.

Tests marked ``@pytest.mark.browser`` take ``page`` (a fresh browser context per test,
with ``base_url`` set to the live server) or ``browser`` to open more contexts.
"""

from __future__ import annotations

import os

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# Generous, but bounded: a page that never answers fails the test instead of hanging it.
DEFAULT_TIMEOUT_MS = 20_000


@pytest.fixture
def playwright_driver(monkeypatch):
    """Playwright's sync API, for one test.

    The sync API runs an asyncio loop in this thread while it is open, so Django's ORM is
    told the test code is safe (DJANGO_ALLOW_ASYNC_UNSAFE) for the test's duration only:
    set for the whole session it would leak into every later test and subprocess, and a
    driver kept open across tests clashes with the next one that starts its own.
    """
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture
def browser(playwright_driver):
    instance = playwright_driver.chromium.launch(
        executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
    )
    yield instance
    instance.close()


@pytest.fixture
def browser_context(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    yield context
    context.close()


@pytest.fixture
def page(browser_context):
    return browser_context.new_page()
