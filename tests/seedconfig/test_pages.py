"""The configuration pages and the admin: every edit files a change request, none saves."""

from __future__ import annotations

import re

import pytest

from apps.approvals.models import ChangeRequest
from apps.audit.models import AuditEvent
from apps.seedconfig.models import ConfigVersion, FeeRule, TreasuryWallet
from apps.seedconfig.snapshot import sha256_of
from tests.seedconfig.conftest import load_seed

pytestmark = pytest.mark.django_db

FEE_FORM = {
    "key": "bonding_swap_fee",
    "name": "Bonding curve swap fee",
    "kind": "percent_bps",
    "bps": "200",
    "effective_from": "2026-12-01T00:00",
    "splits": "treasury 6000\ncreator 4000",
    "reason": "Raise the swap fee for the launch week",
    "ticket": "OPS-42",
}


def test_current_page__v1_applied__shows_networks_wallets_fees_and_limits(
    people, applied, verified_client
):
    applied(load_seed())

    response = verified_client(people["support"]).get("/config/")

    assert response.status_code == 200
    html = response.content.decode()
    for text in [
        "bonding_swap_fee",
        "150 bps",
        "creator 5000",
        "treasury 7000",
        "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48",
        "250000",
        "v1",
    ]:
        assert text in html, text
    # Support may look but not propose.
    assert "/config/fee-rules/new/" not in html
    assert verified_client(people["support"]).get("/config/fee-rules/new/").status_code == 403


def test_fee_rule_page__finance_requests__change_request_then_approved_version_and_diff(
    people, applied, approve, verified_client
):
    applied(load_seed())
    client = verified_client(people["finance"])

    response = client.post("/config/fee-rules/bonding_swap_fee/edit/", FEE_FORM)

    change_request = ChangeRequest.objects.get(status="pending")
    assert response.status_code == 302
    assert response["Location"] == f"/approvals/{change_request.pk}/"
    assert change_request.requester == people["finance"]
    assert change_request.ticket == "OPS-42"
    assert {row["field"] for row in change_request.diff} == {
        "fee_rules[bonding_swap_fee].bps",
        "fee_rules[bonding_swap_fee].effective_from",
        "fee_rules[bonding_swap_fee].splits.creator",
        "fee_rules[bonding_swap_fee].splits.treasury",
    }
    assert FeeRule.objects.get(key="bonding_swap_fee").bps == 150  # nothing applied yet

    approve(change_request, people["admin"])

    rule = FeeRule.objects.get(key="bonding_swap_fee")
    assert rule.bps == 200
    assert {s.recipient: s.bps for s in rule.splits.all()} == {"treasury": 6000, "creator": 4000}
    page = client.get("/config/versions/2/").content.decode()
    assert "fee_rules[bonding_swap_fee].bps" in page and "200" in page
    assert AuditEvent.objects.filter(name="config.version_created").count() == 2


def test_fee_rule_page__splits_not_10000__field_error_and_no_request(
    people, applied, verified_client
):
    applied(load_seed())

    response = verified_client(people["finance"]).post(
        "/config/fee-rules/bonding_swap_fee/edit/",
        {**FEE_FORM, "splits": "treasury 6000\ncreator 3999"},
    )

    assert response.status_code == 400
    assert any("9999" in e for e in response.context["form"].errors["splits"])
    assert not ChangeRequest.objects.filter(status="pending").exists()


def test_fee_rule_page__new_rule__filed(people, applied, verified_client):
    applied(load_seed())

    response = verified_client(people["finance"]).post(
        "/config/fee-rules/new/",
        {
            "key": "feed_boost_fee",
            "name": "Feed boost",
            "kind": "flat",
            "amount": "2.50",
            "currency": "usd",
            "effective_from": "2026-12-01T00:00",
            "splits": "treasury 10000",
            "reason": "New paid feature",
        },
    )

    assert response.status_code == 302
    change_request = ChangeRequest.objects.get(status="pending")
    new_rule = next(r for r in change_request.payload["fee_rules"] if r["key"] == "feed_boost_fee")
    assert new_rule["amount"] == "2.5" and new_rule["currency"] == "USD"


def test_wallet_page__valid_address__request_filed_and_applied(
    people, applied, approve, verified_client
):
    applied(load_seed())
    address = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"

    response = verified_client(people["finance"]).post(
        "/config/treasury-wallets/new/",
        {
            "asset": "ethereum:USDC",
            "purpose": "payout",
            "address": address.lower(),
            "label": "Payout hot wallet",
            "reason": "Payout wallet for the pilot",
        },
    )

    assert response.status_code == 302
    approve(ChangeRequest.objects.get(status="pending"), people["admin2"])
    wallet = TreasuryWallet.objects.get(
        asset__symbol="USDC", network__key="ethereum", purpose="payout"
    )
    assert wallet.address == address


def test_restore_page__older_version__files_its_snapshot_and_applies_it(
    people, applied, approve, verified_client
):
    applied(load_seed())
    changed = load_seed()
    changed["fee_rules"] = [r for r in changed["fee_rules"] if r["key"] != "sbt_claim_fee"]
    applied(changed)
    assert not FeeRule.objects.filter(key="sbt_claim_fee").exists()

    response = verified_client(people["finance"]).post(
        "/config/versions/1/restore/", {"reason": "Roll back: SBT claim fee removed by mistake"}
    )

    change_request = ChangeRequest.objects.get(status="pending")
    assert response["Location"] == f"/approvals/{change_request.pk}/"
    assert change_request.diff[0]["field"] == "fee_rules[sbt_claim_fee]"
    assert change_request.diff[0]["change"] == "added"
    approve(change_request, people["admin"])
    latest = ConfigVersion.objects.latest_version()
    assert latest.number == 3
    assert latest.sha256 == ConfigVersion.objects.get(number=1).sha256
    assert latest.sha256 == sha256_of(latest.snapshot)
    assert FeeRule.objects.get(key="sbt_claim_fee").amount == 10


def test_compare_page__two_versions__diff_table(people, applied, verified_client):
    applied(load_seed())
    changed = load_seed()
    changed["limits"]["phase_volume"][0]["bps_of_daily_target"] = 500
    applied(changed)

    response = verified_client(people["support"]).get("/config/compare/?older=1&newer=2")
    missing = verified_client(people["support"]).get("/config/compare/?older=1&newer=7")

    assert response.status_code == 200
    assert response.context["rows"] == [
        {
            "field": "limits.phase_volume[pilot].bps_of_daily_target",
            "change": "changed",
            "before": "1000",
            "after": "500",
        }
    ]
    assert missing.status_code == 400


def test_admin__fee_rule_edit__files_change_request_and_saves_nothing(
    people, applied, verified_client
):
    applied(load_seed())
    admin_user = people["finance"]
    admin_user.is_staff = True
    admin_user.save()
    rule = FeeRule.objects.get(key="blue_check_fee")
    client = verified_client(admin_user)

    response = client.post(
        f"/admin/seedconfig/feerule/{rule.pk}/change/",
        {
            "name": "Blue check fee",
            "kind": "flat",
            "amount": "12",
            "currency": "USD",
            "effective_from_0": "2026-11-01",
            "effective_from_1": "00:00:00",
            "splits_text": "treasury 7000\nreferral 3000",
            "change_reason": "Price change",
        },
    )

    change_request = ChangeRequest.objects.get(status="pending")
    assert response.status_code == 302
    assert response["Location"] == f"/approvals/{change_request.pk}/"
    assert [row["field"] for row in change_request.diff] == ["fee_rules[blue_check_fee].amount"]
    rule.refresh_from_db()
    assert rule.amount == 10
    assert (
        client.post(f"/admin/seedconfig/feerule/{rule.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert client.get("/admin/seedconfig/network/add/").status_code == 403


def test_fee_rule_page__config_freeze__refused_unless_marked_as_exception(
    people, applied, verified_client
):
    from django.utils import timezone

    from apps.approvals.models import FreezeWindow

    applied(load_seed())
    FreezeWindow.objects.create(
        name="Launch config freeze",
        kind="config_freeze",
        starts_at=timezone.now() - timezone.timedelta(hours=1),
        ends_at=timezone.now() + timezone.timedelta(days=3),
        frozen_kinds=["seedconfig.change"],
        reason="T-3 to T+1",
        created_by=people["admin"],
    )
    client = verified_client(people["finance"])

    refused = client.post("/config/fee-rules/bonding_swap_fee/edit/", FEE_FORM)
    excepted = client.post(
        "/config/fee-rules/bonding_swap_fee/edit/",
        {**FEE_FORM, "freeze_exception_reason": "Fee mode change decided by the launch IC"},
    )

    assert refused.status_code == 400
    assert "Launch config freeze" in str(refused.context["form"].errors)
    assert excepted.status_code == 302
    assert ChangeRequest.objects.get(status="pending").freeze_exception is True


def test_wallet_page__address_field__wide_and_monospaced_for_a_whole_address(
    people, applied, verified_client
):
    applied(load_seed())

    html = verified_client(people["finance"]).get("/config/treasury-wallets/new/").content.decode()

    field = re.search(r'<input[^>]*name="address"[^>]*>', html).group(0)
    assert 'class="address"' in field
    size = int(re.search(r'size="(\d+)"', field).group(1))
    assert size >= 44  # a Solana address is 44 characters, an EVM one 42
    assert 'spellcheck="false"' in field
