"""In a real browser: paste a transaction hash, land on the customer, run "refund failed"
and copy the Indonesian reply (the copy is counted).

The browser runs in a thread of its own with its own Playwright (as in
tests/flags/test_browser.py); the test thread only prepares and checks the database.
"""

from __future__ import annotations

import threading

import pytest

from apps.core.demo import current_totp_code
from apps.support.models import ReplyUsage
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, DEFAULT_TIMEOUT_MS
from tests.conftest import confirmed_totp_device
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.support.factories import customer, ensure_networks, refund, round_, transaction, wallet

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
                context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)
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


def test_paste_hash__customer__refund_failed__copy_indonesian_reply(live_server):
    ensure_networks()
    agent = UserFactory(roles=["support"], username="browser-agent")
    device = confirmed_totp_device(agent)
    who = customer("cust-7788", language="id", handle="sari_w")
    primary = wallet(who, network="ethereum")
    round_(7, status="cancelled", result="failed")
    tx = transaction(who, kind="refund", round=7)
    refund(who, 7, status="completed", hash=tx["hash"])

    def scenario(page) -> dict:
        page.goto("/accounts/login/")
        page.fill("input[name=username]", agent.username)
        page.fill("input[name=password]", DEFAULT_PASSWORD)
        page.click("form.card button[type=submit]")
        page.wait_for_url("**/accounts/mfa/verify/**")
        page.fill("input[name=code]", current_totp_code(device))
        page.click("form.card button[type=submit]")
        page.wait_for_url(lambda url: "/accounts/" not in url)

        page.goto("/support/")
        page.fill("input[name=q]", tx["hash"])
        page.fill("input[name=ticket]", "ZD-4411")
        page.click("form[role=search] button[type=submit]")
        page.click("#hits a.customer-link")
        page.wait_for_url("**/support/customers/**")
        title = page.locator("#customer-title").inner_text()
        page.click('#diagnostics a[data-case="refund_failed"]')
        page.wait_for_url("**/diagnose/refund_failed/**")
        verdict = page.locator("#verdict").get_attribute("data-verdict")
        language = page.locator("#reply-language").inner_text()
        with page.expect_response(lambda answer: answer.url.endswith("/used")) as counted:
            page.click("#copy-reply")
        assert counted.value.status == 200
        page.wait_for_function("document.getElementById('copy-status').textContent.length > 0")
        clipboard = page.evaluate("navigator.clipboard.readText()")
        return {
            "title": title,
            "verdict": verdict,
            "language": language,
            "text": page.locator("#reply-text").input_value(),
            "status": page.locator("#copy-status").inner_text(),
            "clipboard": clipboard,
        }

    outcome = _in_browser(live_server.url, scenario)

    assert outcome["title"].startswith("cust-7788")
    assert outcome["verdict"] == "completed"
    assert outcome["language"] == "id"
    assert outcome["status"] == "Copied."
    assert outcome["clipboard"] == outcome["text"]
    assert outcome["text"].startswith("Halo @sari_w, refund Anda untuk round 7")
    assert tx["hash"] in outcome["text"] and primary["address"] in outcome["text"]
    usage = ReplyUsage.objects.get()
    assert (usage.reply.key, usage.reply.language, usage.customer_id) == (
        "refund_failed.completed",
        "id",
        who.pk,
    )
