"""Bad configuration is answered with field errors naming the place, and nothing changes."""

from __future__ import annotations

import base58
import pytest

from apps.approvals.models import ChangeRequest
from apps.seedconfig.addresses import evm_checksum
from apps.seedconfig.models import ConfigVersion, FeeRule, TreasuryWallet
from tests.seedconfig.conftest import load_seed

pytestmark = pytest.mark.django_db


def _wallet_index(document, network, asset, purpose):
    for index, wallet in enumerate(document["treasury_wallets"]):
        if (wallet["network"], wallet["asset"], wallet["purpose"]) == (network, asset, purpose):
            return index
    raise AssertionError("wallet not in the seed")


def _rule_index(document, key):
    return next(i for i, rule in enumerate(document["fee_rules"]) if rule["key"] == key)


def _flip_case(address: str) -> str:
    """Break an EIP-55 address: swap the case of its first letter."""
    body = address[2:]
    index = next(i for i, c in enumerate(body) if c.isalpha())
    return "0x" + body[:index] + body[index].swapcase() + body[index + 1 :]


def _bad_evm_checksum(doc):
    i = _wallet_index(doc, "ethereum", "USDC", "treasury")
    doc["treasury_wallets"][i]["address"] = _flip_case(doc["treasury_wallets"][i]["address"])
    return f"treasury_wallets[{i}].address", "EIP-55 checksum"


def _short_solana_key(doc):
    i = _wallet_index(doc, "solana", "SOL", "treasury")
    doc["treasury_wallets"][i]["address"] = base58.b58encode(bytes(range(1, 32))).decode()
    return f"treasury_wallets[{i}].address", "decodes to 31 bytes"


def _tron_bad_checksum(doc):
    i = _wallet_index(doc, "tron", "USDT", "treasury")
    raw = bytearray(base58.b58decode(doc["treasury_wallets"][i]["address"]))
    raw[-1] ^= 0x01
    doc["treasury_wallets"][i]["address"] = base58.b58encode(bytes(raw)).decode()
    return f"treasury_wallets[{i}].address", "checksum does not match"


def _solana_address_on_evm(doc):
    i = _wallet_index(doc, "ethereum", "USDT", "treasury")
    doc["treasury_wallets"][i]["address"] = "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v"
    return f"treasury_wallets[{i}].address", "Not a valid EVM address for network ethereum"


def _splits_9999(doc):
    i = _rule_index(doc, "blue_check_fee")
    doc["fee_rules"][i]["splits"] = {"treasury": 6999, "referral": 3000}
    return f"fee_rules[{i}].splits", "sum to 9999"


def _splits_10001(doc):
    i = _rule_index(doc, "bonding_swap_fee")
    doc["fee_rules"][i]["splits"] = {"treasury": 5001, "creator": 5000}
    return f"fee_rules[{i}].splits", "sum to 10001"


def _negative_percent_fee(doc):
    i = _rule_index(doc, "bonding_swap_fee")
    doc["fee_rules"][i]["bps"] = -150
    return f"fee_rules[{i}].bps", "cannot be negative"


def _negative_flat_fee(doc):
    i = _rule_index(doc, "sbt_claim_fee")
    doc["fee_rules"][i]["amount"] = "-10"
    return f"fee_rules[{i}].amount", "cannot be negative"


def _negative_split(doc):
    i = _rule_index(doc, "blue_check_fee")
    doc["fee_rules"][i]["splits"] = {"treasury": 10500, "referral": -500}
    return f"fee_rules[{i}].splits.referral", "at least 1 bps"


def _duplicate_chain_id(doc):
    doc["networks"].append({"key": "ethereum-copy", "name": "Copy", "kind": "evm", "chain_id": 1})
    return f"networks[{len(doc['networks']) - 1}].chain_id", "already used by network ethereum"


def _unknown_asset_wallet(doc):
    doc["treasury_wallets"].append(
        {
            "network": "tron",
            "asset": "USDC",
            "purpose": "treasury",
            "address": doc["treasury_wallets"][_wallet_index(doc, "tron", "USDT", "treasury")][
                "address"
            ],
        }
    )
    return (
        f"treasury_wallets[{len(doc['treasury_wallets']) - 1}].asset",
        "Unknown asset 'USDC' on network tron",
    )


def _unknown_asset_limit(doc):
    doc["limits"]["per_transaction"].append({"network": "solana", "asset": "USDT", "cap": "1"})
    index = len(doc["limits"]["per_transaction"]) - 1
    return f"limits.per_transaction[{index}].asset", "Unknown asset 'USDT' on network solana"


def _pilot_over_ten_percent(doc):
    doc["limits"]["phase_volume"][0] = {"phase": "pilot", "bps_of_daily_target": 1001}
    return "limits.phase_volume[0].bps_of_daily_target", "capped at 1000 bps"


def _canary_over_thirty_percent(doc):
    doc["limits"]["phase_volume"][1] = {"phase": "canary", "bps_of_daily_target": 3500}
    return "limits.phase_volume[1].bps_of_daily_target", "capped at 3000 bps"


def _bad_contract_address(doc):
    i = next(
        i for i, a in enumerate(doc["assets"]) if a["symbol"] == "USDT" and a["network"] == "tron"
    )
    doc["assets"][i]["contract_address"] = "0xdAC17F958D2ee523a2206206994597C13D831ec7"
    return f"assets[{i}].contract_address", "Not a valid Tron address for network tron"


BAD_DOCUMENTS = [
    _bad_evm_checksum,
    _short_solana_key,
    _tron_bad_checksum,
    _solana_address_on_evm,
    _splits_9999,
    _splits_10001,
    _negative_percent_fee,
    _negative_flat_fee,
    _negative_split,
    _duplicate_chain_id,
    _unknown_asset_wallet,
    _unknown_asset_limit,
    _pilot_over_ten_percent,
    _canary_over_thirty_percent,
    _bad_contract_address,
]


@pytest.mark.parametrize("spoil", BAD_DOCUMENTS, ids=lambda f: f.__name__.strip("_"))
def test_change_request_api__invalid_configuration__field_error_and_nothing_changes(
    spoil, people, applied, verified_api_client
):
    applied(load_seed())
    before = (ConfigVersion.objects.count(), ChangeRequest.objects.count())
    wallets_before = sorted(TreasuryWallet.objects.values_list("address", flat=True))
    document = load_seed()
    path, fragment = spoil(document)

    response = verified_api_client(people["finance"]).post(
        "/v1/approvals/",
        {"kind": "seedconfig.change", "payload": document, "reason": "try a change"},
        format="json",
    )

    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert path in error["fields"], error["fields"]
    assert any(fragment in message for message in error["fields"][path]), error["fields"][path]
    assert (ConfigVersion.objects.count(), ChangeRequest.objects.count()) == before
    assert sorted(TreasuryWallet.objects.values_list("address", flat=True)) == wallets_before


def test_change_request_api__float_amount__refused(people, verified_api_client):
    document = load_seed()
    document["fee_rules"][0]["amount"] = 10.5

    response = verified_api_client(people["finance"]).post(
        "/v1/approvals/",
        {"kind": "seedconfig.change", "payload": document, "reason": "float"},
        format="json",
    )

    assert response.status_code == 400
    assert ChangeRequest.objects.count() == 0


def test_validate__lowercase_evm_address__normalised_to_checksum(people, applied):
    document = load_seed()
    wallet = document["treasury_wallets"][_wallet_index(document, "ethereum", "USDC", "treasury")]
    checksummed = wallet["address"]
    wallet["address"] = checksummed.lower()

    applied(document)

    stored = TreasuryWallet.objects.get(network__key="ethereum", asset__symbol="USDC")
    assert stored.address == checksummed == evm_checksum(checksummed.lower())


def test_wallet_page__bad_address__form_error_names_network_and_no_request(
    people, applied, verified_client
):
    applied(load_seed())
    client = verified_client(people["finance"])

    response = client.post(
        "/config/treasury-wallets/new/",
        {
            "asset": "ethereum:USDC",
            "purpose": "payout",
            "reason": "payout wallet",
            "address": "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",
        },
    )

    assert response.status_code == 400
    errors = response.context["form"].errors["address"]
    assert any("for network ethereum" in e for e in errors), errors
    assert ChangeRequest.objects.filter(status="pending").count() == 0
    assert not TreasuryWallet.objects.filter(purpose="payout").exists()


def test_database__fee_rule_splits_not_10000__refused_even_without_the_service(db):
    from django.db import IntegrityError, transaction
    from django.utils import timezone

    with pytest.raises(IntegrityError), transaction.atomic():
        FeeRule.objects.create(
            key="broken",
            name="Broken",
            kind="percent_bps",
            bps=100,
            effective_from=timezone.now(),
            splits_total_bps=9999,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        FeeRule.objects.create(
            key="negative",
            name="Negative",
            kind="flat",
            amount=-1,
            currency="USD",
            effective_from=timezone.now(),
            splits_total_bps=10000,
        )
