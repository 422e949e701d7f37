"""A finance person proposes a fee change in the browser, a super admin approves it with
a code from the authenticator, and the new configuration version shows its diff."""

from __future__ import annotations

import pytest
from django_otp.oath import totp

from apps.approvals.models import ChangeRequest
from apps.seedconfig.models import ConfigVersion, FeeRule
from apps.seedconfig.services import config_apply
from tests.conftest import confirmed_totp_device
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.seedconfig.conftest import load_seed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _code(user, drift: int = 0) -> str:
    """The authenticator's code; drift=1 is the next one, still accepted after the login
    code of this step was spent."""
    device = confirmed_totp_device(user)
    device.refresh_from_db()
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift)
    return f"{value:0{device.digits}d}"


def _log_in(page, user) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("form.card button[type=submit]")
    page.wait_for_url("**/accounts/mfa/verify/**")
    page.fill("input[name=code]", _code(user))
    page.click("form.card button[type=submit]")
    page.wait_for_url("**/")


def test_fee_change__finance_requests_super_admin_approves__new_version_and_diff(
    browser, live_server
):
    finance = UserFactory(username="browser-finance", roles=["finance"])
    approver = UserFactory(username="browser-admin", roles=["super_admin"])
    UserFactory(username="browser-admin2", roles=["super_admin"])
    for person in (finance, approver):
        confirmed_totp_device(person)
    config_apply(actor=approver, payload=load_seed(), change_request_id=None)

    finance_context = browser.new_context(base_url=live_server.url, locale="en-US")
    finance_context.set_default_timeout(20_000)
    page = finance_context.new_page()
    _log_in(page, finance)
    page.click("nav >> text=Configuration")
    page.wait_for_url("**/config/")
    page.click("a[href='/config/fee-rules/bonding_swap_fee/edit/']")
    page.fill("input[name=bps]", "200")
    page.fill("textarea[name=splits]", "treasury 6000\ncreator 4000")
    page.fill("textarea[name=reason]", "Raise the bonding swap fee for launch week")
    page.fill("input[name=ticket]", "OPS-7")
    page.click("form.card button[type=submit]")
    page.wait_for_url("**/approvals/*/")
    change_request = ChangeRequest.objects.get(status="pending")
    assert page.url.endswith(f"/approvals/{change_request.pk}/")
    assert "fee_rules[bonding_swap_fee].bps" in page.content()
    finance_context.close()

    admin_context = browser.new_context(base_url=live_server.url, locale="en-US")
    admin_context.set_default_timeout(20_000)
    page = admin_context.new_page()
    _log_in(page, approver)
    page.goto(f"/approvals/{change_request.pk}/")
    page.fill("input[name=otp_code]", _code(approver, drift=1))
    page.click("text=Approve and apply")
    page.wait_for_load_state()
    assert "Approved and applied" in page.content()

    page.goto("/config/versions/")
    page.click("a[href='/config/versions/2/']")
    page.wait_for_url("**/config/versions/2/")
    diff = page.locator("table.diff").inner_text()
    assert "fee_rules[bonding_swap_fee].bps" in diff
    assert "150" in diff and "200" in diff
    assert "fee_rules[bonding_swap_fee].splits.creator" in diff
    admin_context.close()

    change_request.refresh_from_db()
    assert change_request.status == "applied"
    assert change_request.decided_by == approver
    assert ConfigVersion.objects.latest_version().number == 2
    assert FeeRule.objects.get(key="bonding_swap_fee").bps == 200
