"""In a real browser: the countdown ticks (static JS, no inline script, CSP intact), an
htmx status change on the timeline replaces the task's row, and an htmx log entry appears
on the countdown page without a reload."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.core.demo import current_totp_code
from apps.warroom import services
from apps.warroom.models import LaunchLogEntry, LaunchTask
from tests.conftest import confirmed_totp_device
from tests.factories import DEFAULT_PASSWORD
from tests.oncall.test_browser import _in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_countdown__ticks__htmx_status_change_and_log_entry(live_server, make_user):
    commander = make_user("incident_commander", username="browser-ic")
    device = confirmed_totp_device(commander)
    plan = services.launch_plan_create(
        actor=commander,
        name="Browser launch",
        t0=timezone.now() + timedelta(days=2, hours=3, minutes=14, seconds=30),
        from_template=True,
    )
    task = plan.tasks.filter(offset=timedelta(hours=-2)).order_by("id").first()

    def scenario(page) -> dict:
        problems: list[str] = []
        page.on(
            "console",
            lambda message: (
                problems.append(message.text)
                if message.type == "error" and "Failed to load resource" not in message.text
                else None
            ),
        )
        page.goto("/accounts/login/")
        page.fill("input[name=username]", commander.username)
        page.fill("input[name=password]", DEFAULT_PASSWORD)
        page.click("form.card button[type=submit]")
        page.wait_for_url("**/accounts/mfa/verify/**")
        page.fill("input[name=code]", current_totp_code(device))
        page.click("form.card button[type=submit]")
        page.wait_for_url(lambda url: "/accounts/" not in url)

        page.goto(f"/warroom/launches/{plan.pk}/countdown")
        clock = page.locator("[data-countdown]")
        first_label = clock.locator(".countdown-label").inner_text()
        first_seconds = clock.locator(".countdown-seconds").inner_text()
        # The script counts its ticks on the element (the page's CSP forbids eval, so
        # no wait_for_function here).
        page.wait_for_selector("[data-countdown][data-ticks='3']", state="attached")
        later_seconds = clock.locator(".countdown-seconds").inner_text()

        page.fill("#log-panel textarea[name=log-text]", "Partners confirmed the cut-off")
        page.click("#log-panel button[type=submit]")
        page.wait_for_selector("#log-panel li.log-entry:has-text('Partners confirmed')")
        log_url = page.url

        page.goto(f"/warroom/launches/{plan.pk}/")
        row = page.locator(f"#task-{task.pk}")
        row.locator("select").select_option("done")
        row.locator("button[type=submit]").click()
        page.wait_for_selector(f"#task-{task.pk}[data-status=done]")
        return {
            "first_label": first_label,
            "first_seconds": first_seconds,
            "later_seconds": later_seconds,
            "log_url": log_url,
            "detail_url": page.url,
            "problems": problems,
        }

    seen = _in_browser(live_server.url, scenario)

    assert seen["first_label"].startswith("T-2 d 03:1")
    assert seen["later_seconds"] != seen["first_seconds"]
    assert seen["log_url"].endswith(f"/warroom/launches/{plan.pk}/countdown")  # no reload
    assert seen["detail_url"].endswith(f"/warroom/launches/{plan.pk}/")
    assert seen["problems"] == []  # no CSP violation, no script error
    assert LaunchLogEntry.objects.filter(
        plan=plan, text="Partners confirmed the cut-off", author=commander
    ).exists()
    task.refresh_from_db()
    assert (task.status, task.status_changed_by) == (LaunchTask.Status.DONE, commander)
