"""In a real browser: add an override from the on-call board and see "on call now" change.

The browser runs in a thread of its own with its own Playwright, so it never meets the
Playwright session that tests/browser keeps open in the main thread; the test thread
only prepares and checks the database.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, time, timedelta

import pytest

from apps.core.demo import current_totp_code
from apps.oncall.models import Override
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, DEFAULT_TIMEOUT_MS
from tests.conftest import confirmed_totp_device
from tests.factories import DEFAULT_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _in_browser(base_url: str, scenario) -> dict:
    """Run ``scenario(page)`` in a fresh Chromium on another thread; return what it saw."""
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


def test_board__override_added_from_board__on_call_now_changes(
    live_server, people, make_team, make_schedule, make_layer, ops
):
    alice, bob = people("alice", "bob")
    team = make_team(alice, bob, slug="browser-team")
    schedule = make_schedule(team, tz="UTC")
    today = datetime.now(UTC).date()
    make_layer(schedule, [alice], handoff=time(0, 0), start_date=today - timedelta(days=1))
    device = confirmed_totp_device(ops)
    end = (datetime.now(UTC) + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    now_cell = "#team-browser-team tr[data-kind=primary] .oncall-now"

    def scenario(page) -> dict:
        page.goto("/accounts/login/")
        page.fill("input[name=username]", ops.username)
        page.fill("input[name=password]", DEFAULT_PASSWORD)
        page.click("form.card button[type=submit]")
        page.wait_for_url("**/accounts/mfa/verify/**")
        page.fill("input[name=code]", current_totp_code(device))
        page.click("form.card button[type=submit]")
        page.wait_for_url(lambda url: "/accounts/" not in url)

        page.goto("/warroom/")
        before = page.locator(now_cell).inner_text()
        page.click("#team-browser-team summary")
        form = page.locator("#team-browser-team form.override-form")
        form.locator("select[name$='-user']").select_option(value=str(bob.pk))
        form.locator("input[name$='-end']").fill(end)
        form.locator("input[name$='-reason']").fill("alice is travelling")
        form.locator("button[type=submit]").click()
        page.wait_for_load_state()
        return {"before": before, "after": page.locator(now_cell).inner_text()}

    seen = _in_browser(live_server.url, scenario)

    assert "alice" in seen["before"]
    assert "bob" in seen["after"] and "alice" not in seen["after"]
    override = Override.objects.get(schedule=schedule)
    assert override.user == bob and override.created_by == ops
    assert override.reason == "alice is travelling"
