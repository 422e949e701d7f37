"""In a real browser, an incident from start to end, as its commander would run it:
declare an S2, block a kill switch from the incident page, post a status update in
Russian (template, preview, send), resolve through the resolution screen (keeping the
switch, with a reason), write and publish the post-mortem, then close; the page ends
Closed and the timeline holds every step.

The browser runs on a thread of its own (``tests.oncall.test_browser._in_browser``); the
test thread prepares and checks the database. Every wait is on a selector or a URL.
"""

from __future__ import annotations

import re

import pytest

from apps.core.demo import current_totp_code
from apps.flags.models import FlagState
from apps.incidents.models import (
    EntryKind,
    Incident,
    PostMortemState,
    Status,
    StatusTemplate,
)
from tests.conftest import confirmed_totp_device
from tests.factories import DEFAULT_PASSWORD
from tests.incidents.factories import commander as make_commander
from tests.oncall.test_browser import _in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Withdrawals on Tron stuck"
RU_MESSAGE = "Выплаты в сети Tron приостановлены, сверяем баланс."


def _ru_update_template() -> StatusTemplate:
    """The Russian internal update template (seeded, and refilled after a flush)."""
    return StatusTemplate.objects.get(key="update", audience="internal", language="ru")


def test_incident__declare_block_update_resolve_postmortem_close__in_the_browser(live_server):
    template = _ru_update_template()
    commander = make_commander(username="browser-commander")
    device = confirmed_totp_device(commander)

    def scenario(page) -> dict:
        page.goto("/accounts/login/")
        page.fill("input[name=username]", commander.username)
        page.fill("input[name=password]", DEFAULT_PASSWORD)
        page.click("form.card button[type=submit]")
        page.wait_for_url("**/accounts/mfa/verify/**")
        page.fill("input[name=code]", current_totp_code(device))
        page.click("form.card button[type=submit]")
        page.wait_for_url(lambda url: "/accounts/" not in url)

        # Declare an S2.
        page.goto("/incidents/declare")
        page.fill("input[name=title]", TITLE)
        page.select_option("select[name=severity]", value="S2")
        page.fill("textarea[name=summary]", "Payouts on Tron are not confirmed.")
        page.fill("textarea[name=customer_impact]", "Tron withdrawals are delayed.")
        page.click("form.card button[type=submit].danger")
        page.wait_for_url(re.compile(r"/incidents/INC-\d{4}-\d{4}/$"))
        incident_url = page.url
        number = page.locator("#header h1").inner_text().split(":")[0]

        # Block a kill switch from the incident page.
        page.click("#switches details.block summary")
        form = page.locator("#switches form.block-form")
        form.locator("select[name=block-flag]").select_option(value="payout")
        form.locator("select[name=block-scope_kind]").select_option(value="network")
        form.locator("input[name=block-scope_value]").fill("tron")
        form.locator("textarea[name=block-reason]").fill("Tron payouts unconfirmed")
        form.locator("button[type=submit]").click()
        page.wait_for_selector("#timeline .timeline-entry.kind-flag")
        held = page.locator("#switches").inner_text()

        # A status update in Russian: language, template, preview, send.
        comms = page.locator("#panel-comms section")
        comms.locator("summary", has_text="Post a status update").click()
        update = comms.locator("form")
        update.locator("select[name=language]").select_option(value="ru")
        update.locator("select[name=template]").select_option(value=str(template.pk))
        update.locator("textarea[name=message]").fill(RU_MESSAGE)
        update.locator("button[hx-post]").click()
        page.wait_for_selector("#update-preview .preview")
        preview = page.locator("#update-preview").inner_text()
        update.locator("button[type=submit]").click()
        page.wait_for_selector("#timeline .timeline-entry.kind-status_update")
        sent = page.locator("#panel-comms section").inner_text()

        # Resolve through the resolution screen: keep the switch, with a reason.
        page.click("#switches a[href$='/resolve']")
        page.wait_for_selector("#resolve-form")
        row = page.locator("#held-switches tr[data-state-id]")
        row.locator("input[type=radio][value=keep]").check()
        row.locator("input[name^=reason_]").fill("Ledger still reconciling")
        page.fill("#resolve-form textarea[name=note]", "Node provider fixed the RPC")
        page.click("#resolve-form button[type=submit]")
        page.wait_for_url(incident_url)
        page.wait_for_selector("#status:has-text('Resolved')")

        # Write the post-mortem (started at resolution) and publish it.
        page.click("#panel-postmortem a[href$='/postmortem']")
        page.wait_for_selector("textarea[name=root_cause]")
        page.fill("textarea[name=root_cause]", "The Tron RPC provider dropped confirmations.")
        page.fill("textarea[name=prevention]", "A second RPC provider with failover.")
        page.click("form:has(textarea[name=root_cause]) button[type=submit]")
        page.wait_for_selector("input[name=action][value=submit]", state="attached")
        page.click("form:has(input[name=action][value=submit]) button[type=submit]")
        page.wait_for_selector("input[name=action][value=publish]", state="attached")
        page.click("form:has(input[name=action][value=publish]) button[type=submit]")
        page.wait_for_selector("[data-state=published]")
        page.goto(incident_url)

        # Close.
        page.click("#status-change summary")
        page.select_option("select[name=status-status]", value="closed")
        page.click("#status-change form button[type=submit]")
        page.wait_for_selector("#status:has-text('Closed')")
        return {
            "number": number,
            "held": held,
            "preview": preview,
            "sent": sent,
            "status": page.locator("#status").inner_text(),
            "final_notice": page.locator("#header .message.info").inner_text(),
            "kinds": page.locator("#timeline ul.timeline:not(.pinned-entries) > li").evaluate_all(
                "items => items.map(li => li.className)"
            ),
            "timeline": page.locator("#timeline").inner_text(),
        }

    seen = _in_browser(live_server.url, scenario)

    assert seen["status"] == "Closed"
    assert "closed" in seen["final_notice"]
    assert "payout" in seen["held"] and "tron" in seen["held"]
    kinds = " ".join(seen["kinds"])
    assert RU_MESSAGE in seen["preview"] and "Следующий апдейт" in seen["preview"]
    assert RU_MESSAGE in seen["sent"]
    assert RU_MESSAGE in seen["timeline"] or "Статус" in seen["timeline"]
    for kind in ("declared", "flag", "status_update", "status", "postmortem"):
        assert f"kind-{kind}" in kinds, (kind, seen["kinds"])
    assert "resolved" in seen["timeline"].lower() and "closed" in seen["timeline"].lower()

    incident = Incident.objects.get(number=seen["number"])
    assert incident.status == Status.CLOSED and incident.owner == commander
    assert incident.severity.code == "S2"
    state = FlagState.objects.get(incident_ref=incident.number)
    assert (state.flag.key, state.scope_label) == ("payout", "network=tron")
    statuses = list(
        incident.timeline.filter(kind=EntryKind.STATUS)
        .order_by("occurred_at", "id")
        .values_list("data__to", flat=True)
    )
    assert statuses[-2:] == ["resolved", "closed"]
    assert incident.postmortem.state == PostMortemState.PUBLISHED
    (update,) = incident.status_updates.all()
    assert update.language == "ru" and RU_MESSAGE in update.body
