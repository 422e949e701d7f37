"""In a real browser: block ``contribute`` for one round from the flags panel and see the
state in the flag's history.

The browser runs in a thread of its own with its own Playwright (as in
tests/warroom/test_browser.py); the test thread only prepares and checks the database.
"""

from __future__ import annotations

import threading

import pytest

from apps.core.demo import current_totp_code
from apps.flags.models import FlagState
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, DEFAULT_TIMEOUT_MS
from tests.conftest import confirmed_totp_device
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _in_browser(base_url: str, scenario) -> dict:
    outcome: dict = {}

    def run():
        from playwright.sync_api import sync_playwright

        try:
            with sync_playwright() as driver:
                browser = driver.chromium.launch(
                    executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
                )
                context = browser.new_context(base_url=base_url, locale="en-US")
                context.set_default_timeout(DEFAULT_TIMEOUT_MS)
                try:
                    outcome.update(scenario(context.new_page()))
                finally:
                    context.close()
                    browser.close()
        except BaseException as error:  # noqa: BLE001 - handed to the test thread
            outcome["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout=120)
    assert not thread.is_alive(), "the browser scenario did not finish"
    if "error" in outcome:
        raise outcome["error"]
    return outcome


def test_panel__block_contribute_for_one_round__shown_in_history(live_server):
    ops = UserFactory(roles=["ops"], username="browser-ops")
    device = confirmed_totp_device(ops)
    row = 'tr[data-flag="contribute"]'

    def scenario(page) -> dict:
        page.goto("/accounts/login/")
        page.fill("input[name=username]", ops.username)
        page.fill("input[name=password]", DEFAULT_PASSWORD)
        page.click("form.card button[type=submit]")
        page.wait_for_url("**/accounts/mfa/verify/**")
        page.fill("input[name=code]", current_totp_code(device))
        page.click("form.card button[type=submit]")
        page.wait_for_url(lambda url: "/accounts/" not in url)

        page.goto("/flags/")
        page.click(f"{row} details.block summary")
        form = page.locator(f"{row} form.block-form")
        form.locator("select[name=scope_kind]").select_option(value="round")
        form.locator("input[name=scope_value]").fill("42")
        form.locator("textarea[name=reason]").fill("Round 42 price feed is stuck")
        form.locator("input[name=incident_ref]").fill("INC-12")
        form.locator("button[type=submit]").click()
        page.wait_for_load_state()
        panel_state = page.locator(f'{row} li[data-scope="round=42"]').inner_text()
        message = page.locator("ul.messages").inner_text()

        page.click(f"{row} a[href='/flags/contribute/']")
        page.wait_for_url("**/flags/contribute/")
        history = page.locator("#history tbody tr").first.inner_text()
        return {"panel": panel_state, "message": message, "history": history}

    seen = _in_browser(live_server.url, scenario)

    assert "contribute is now Blocked (round=42)" in seen["message"]
    assert "Round 42 price feed is stuck" in seen["panel"] and "INC-12" in seen["panel"]
    assert "round=42" in seen["history"] and "Blocked" in seen["history"]
    assert "Round 42 price feed is stuck" in seen["history"] and "browser-ops" in seen["history"]
    state = FlagState.objects.get(flag__key="contribute")
    assert (state.scope_kind, state.scope_value, state.state) == ("round", "42", "blocked")
    assert state.actor == ops and state.source == "portal"
