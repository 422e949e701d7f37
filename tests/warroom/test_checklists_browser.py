"""In a real browser: mark checklist items with htmx (no page reload), see a field error
in place, and the run's summary follow."""

from __future__ import annotations

import pytest

from apps.core.demo import current_totp_code
from apps.warroom import services
from apps.warroom.models import ChecklistRunItem
from tests.conftest import confirmed_totp_device
from tests.factories import DEFAULT_PASSWORD
from tests.oncall.test_browser import _in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_run_page__mark_items_with_htmx__swapped_in_place(live_server, ops, tmp_path):
    template = services.checklist_template_create(
        actor=ops,
        name="Browser checklist",
        slug="browser-checklist",
        items=[{"title": "Indexer lag"}, {"title": "Refund queue"}],
    )
    run = services.checklist_run_start(actor=ops, template=template)
    device = confirmed_totp_device(ops)
    shot = tmp_path / "run.png"

    def scenario(page) -> dict:
        page.goto("/accounts/login/")
        page.fill("input[name=username]", ops.username)
        page.fill("input[name=password]", DEFAULT_PASSWORD)
        page.click("form.card button[type=submit]")
        page.wait_for_url("**/accounts/mfa/verify/**")
        page.fill("input[name=code]", current_totp_code(device))
        page.click("form.card button[type=submit]")
        page.wait_for_url(lambda url: "/accounts/" not in url)

        page.goto(f"/warroom/checklists/runs/{run.pk}/")
        page.evaluate("window.__notReloaded = true")
        first = page.locator("#item-1")
        first.locator("input[value=passed]").check()
        first.locator("textarea[name='i1-note']").fill("lag 4 blocks")
        first.locator("button[type=submit]").click()
        page.locator("#item-1 .badge.ok").wait_for()

        second = page.locator("#item-2")
        second.locator("input[value=failed]").check()
        second.locator("button[type=submit]").click()
        page.locator("#item-2 .errorlist").wait_for()
        error = page.locator("#item-2 .errorlist").inner_text()
        summary = page.locator("#run-summary").inner_text()
        page.screenshot(path=str(shot), full_page=True)
        return {
            "not_reloaded": page.evaluate("window.__notReloaded === true"),
            "error_text": error,
            "summary": summary,
        }

    seen = _in_browser(live_server.url, scenario)

    assert seen["not_reloaded"]
    assert "needs one" in seen["error_text"]
    assert "1 passed" in seen["summary"]
    first = ChecklistRunItem.objects.get(run=run, position=1)
    assert (first.result, first.marked_by_id, first.note) == ("passed", ops.pk, "lag 4 blocks")
    assert ChecklistRunItem.objects.get(run=run, position=2).result == "open"
