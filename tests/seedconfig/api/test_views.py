"""The read-only configuration API: the v1 seed end to end, ETags, versions and secrets."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from apps.approvals.models import ChangeRequest
from apps.audit.models import AccessLogEntry
from apps.seedconfig.models import ConfigVersion, FeeRule
from tests.seedconfig.conftest import RPC_URL, SEED_PATH, load_seed

pytestmark = pytest.mark.django_db

RUNBOOK_FEE_RULES = [
    {
        "key": "blue_check_fee",
        "name": "Blue check fee",
        "kind": "flat",
        "bps": None,
        "amount": "10",
        "currency": "USD",
        "effective_from": "2026-11-01T00:00:00Z",
        "splits": {"referral": 3000, "treasury": 7000},
    },
    {
        "key": "bonding_swap_fee",
        "name": "Bonding curve swap fee",
        "kind": "percent_bps",
        "bps": 150,
        "amount": None,
        "currency": "",
        "effective_from": "2026-11-01T00:00:00Z",
        "splits": {"creator": 5000, "treasury": 5000},
    },
    {
        "key": "fairlaunch_success_fee",
        "name": "Fairlaunch success fee",
        "kind": "percent_bps",
        "bps": 500,
        "amount": None,
        "currency": "",
        "effective_from": "2026-11-01T00:00:00Z",
        "splits": {"referral": 2000, "sbt_pool": 1000, "treasury": 7000},
    },
    {
        "key": "presale_success_fee",
        "name": "Presale success fee",
        "kind": "percent_bps",
        "bps": 500,
        "amount": None,
        "currency": "",
        "effective_from": "2026-11-01T00:00:00Z",
        "splits": {"referral": 2000, "sbt_pool": 1000, "treasury": 7000},
    },
    {
        "key": "sbt_claim_fee",
        "name": "SBT claim fee",
        "kind": "flat",
        "bps": None,
        "amount": "10",
        "currency": "USD",
        "effective_from": "2026-11-01T00:00:00Z",
        "splits": {"treasury": 10000},
    },
    {
        "key": "token_creation_fee",
        "name": "Token creation fee",
        "kind": "flat",
        "bps": None,
        "amount": "25",
        "currency": "USD",
        "effective_from": "2026-11-01T00:00:00Z",
        "splits": {"treasury": 10000},
    },
]


def test_v1_seed__loaded_and_approved__fee_rules_api_returns_runbook_rules_with_etag(
    people, approve, token_client
):
    call_command(
        "seed_config",
        "load",
        str(SEED_PATH),
        "--requester",
        people["finance"].username,
        "--reason",
        "v1 seed from the launch runbook",
    )
    change_request = ChangeRequest.objects.get(kind="seedconfig.change")
    assert change_request.status == "pending"
    assert ConfigVersion.objects.count() == 0 and FeeRule.objects.count() == 0

    change_request = approve(change_request, people["admin2"])

    assert change_request.status == "applied"
    api, _token = token_client(scopes=["config:read"])
    response = api.get("/v1/config/fee-rules")
    assert response.status_code == 200
    assert response["ETag"] == '"1"'
    assert response.json()["version"] == 1
    assert response.json()["fee_rules"] == RUNBOOK_FEE_RULES
    cached = api.get("/v1/config/fee-rules", HTTP_IF_NONE_MATCH='"1"')
    assert cached.status_code == 304
    assert cached.content == b""
    assert cached["ETag"] == '"1"'
    assert api.get("/v1/config/fee-rules", HTTP_IF_NONE_MATCH='"0"').status_code == 200


def test_config_api__each_part__served_with_the_version_etag(people, applied, token_client):
    applied(load_seed())
    api, _token = token_client(scopes=["config:read"])

    whole = api.get("/v1/config/")
    parts = {
        "networks": api.get("/v1/config/networks"),
        "assets": api.get("/v1/config/assets"),
        "treasury_wallets": api.get("/v1/config/treasury-wallets"),
        "limits": api.get("/v1/config/limits"),
    }

    assert whole.status_code == 200 and whole["ETag"] == '"1"'
    config = whole.json()["config"]
    assert {n["key"]: n["chain_id"] for n in config["networks"]} == {
        "bsc": 56,
        "ethereum": 1,
        "polygon": 137,
        "solana": None,
        "tron": None,
    }
    for part, response in parts.items():
        assert response.status_code == 200 and response["ETag"] == '"1"'
        assert response.json()[part] == config[part]
    assert config["limits"]["per_transaction"] == [
        {"network": "ethereum", "asset": "USDC", "cap": "250000"},
        {"network": "ethereum", "asset": "USDT", "cap": "250000"},
        {"network": "tron", "asset": "USDT", "cap": "200000"},
    ]
    assert {x["phase"]: x["bps_of_daily_target"] for x in config["limits"]["phase_volume"]} == {
        "pilot": 1000,
        "canary": 3000,
        "full": 10000,
    }
    assert api.get("/v1/config/", HTTP_IF_NONE_MATCH='W/"1"').status_code == 304


def test_config_api__no_version_yet__empty_configuration_version_0(token_client):
    api, _token = token_client(scopes=["config:read"])

    response = api.get("/v1/config/fee-rules")

    assert response.status_code == 200
    assert response["ETag"] == '"0"'
    assert response.json() == {"version": 0, "sha256": None, "fee_rules": []}


def test_config_api__token_without_config_read__refused(token_client):
    api, _token = token_client(scopes=["flags:read"])

    response = api.get("/v1/config/")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "scope_missing"


def test_versions_api__second_change__listed_with_diff(people, applied, token_client):
    applied(load_seed())
    document = load_seed()
    for rule in document["fee_rules"]:
        if rule["key"] == "bonding_swap_fee":
            rule["bps"] = 200
    applied(document)
    api, _token = token_client(scopes=["config:read"])

    listing = api.get("/v1/config/versions/")
    detail = api.get("/v1/config/versions/2/")
    against = api.get("/v1/config/versions/2/?against=1")
    from_empty = api.get("/v1/config/versions/2/?against=0")

    assert [v["number"] for v in listing.json()["results"]] == [2, 1]
    assert detail.status_code == 200 and detail.json()["diff_from"] == 1
    assert detail.json()["diff"] == [
        {
            "field": "fee_rules[bonding_swap_fee].bps",
            "change": "changed",
            "before": "150",
            "after": "200",
        }
    ]
    assert against.json()["diff"] == detail.json()["diff"]
    assert from_empty.status_code == 400
    assert api.get("/v1/config/versions/9/").status_code == 404
    fee_rules = api.get("/v1/config/fee-rules")
    assert fee_rules["ETag"] == '"2"'
    assert api.get("/v1/config/fee-rules", HTTP_IF_NONE_MATCH='"1"').status_code == 200


def test_config_api__include_secrets_without_scope__403(
    people, applied, token_client, verified_api_client
):
    document = load_seed()
    document["networks"][1]["rpc_endpoints"] = [RPC_URL]
    applied(document)
    api, _token = token_client(scopes=["config:read"])

    by_token = api.get("/v1/config/networks?include_secrets=1")
    by_admin = verified_api_client(people["admin"]).get("/v1/config/?include_secrets=1")

    assert by_token.status_code == 403
    assert by_token.json()["error"]["code"] == "scope_missing"
    assert by_admin.status_code == 403
    assert RPC_URL not in by_token.content.decode() + by_admin.content.decode()


def test_config_api__include_secrets_with_scope__endpoints_and_access_logged(
    people, applied, token_client
):
    document = load_seed()
    ethereum = next(n for n in document["networks"] if n["key"] == "ethereum")
    ethereum["rpc_endpoints"] = [RPC_URL]
    applied(document)
    api, token = token_client(scopes=["config:read", "config:secrets"])

    response = api.get("/v1/config/networks?include_secrets=1")

    assert response.status_code == 200
    endpoints = {n["key"]: n["rpc_endpoints"] for n in response.json()["networks"]}
    assert endpoints["ethereum"] == [RPC_URL]
    assert endpoints["solana"] == []
    assert "no-store" in response["Cache-Control"]
    entry = AccessLogEntry.objects.get(what="config_secrets")
    assert entry.actor_id == token.service_account_id
    assert RPC_URL not in entry.reason + entry.subject_repr
