"""Every write of the seed configuration.

Nothing here saves a live row except ``config_apply``, which the approvals engine calls
(through ``SeedConfigChangeHandler.apply``) inside the transaction that approves a change
request. People and programs propose changes with ``config_change_request`` and its
helpers; a second person approves them in ``apps.approvals``.
"""

from __future__ import annotations

import copy
import json
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from apps.core.events import record_event
from apps.core.logging import get_logger
from apps.seedconfig.document import canonical_json, unseal_rpc_endpoints, validate_document
from apps.seedconfig.models import (
    Asset,
    AssetLimit,
    ConfigVersion,
    FeeRule,
    FeeSplit,
    Network,
    PhaseVolumeCap,
    TreasuryWallet,
)
from apps.seedconfig.snapshot import (
    EMPTY_DOCUMENT,
    current_version,
    diff_documents,
    live_document,
    sha256_of,
)

log = get_logger(__name__)

KIND = "seedconfig.change"
TARGET = "seedconfig"


def _save(instance, fields: dict) -> bool:
    """Set ``fields`` on ``instance``; save (validated) only if something differs."""
    changed = instance._state.adding
    for name, value in fields.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed = True
    if changed:
        instance.full_clean()
        instance.save()
    return changed


def _delete_missing(queryset, wanted: set, identity) -> None:
    for row in list(queryset):
        if identity(row) not in wanted:
            row.delete()


def _apply_networks(document: dict) -> dict[str, Network]:
    networks = {n.key: n for n in Network.objects.all()}
    for entry in document["networks"]:
        network = networks.get(entry["key"]) or Network(key=entry["key"])
        fields = {
            name: entry[name] for name in ("name", "kind", "chain_id", "is_testnet", "enabled")
        }
        if "rpc_endpoints_sealed" in entry:
            urls = unseal_rpc_endpoints(entry["rpc_endpoints_sealed"])
            if urls != network.rpc_endpoint_list:
                fields["rpc_endpoints"] = json.dumps(urls) if urls else ""
        _save(network, fields)
        networks[network.key] = network
    return networks


def _apply_assets(document: dict, networks: dict[str, Network]) -> dict[tuple, Asset]:
    assets = {(a.network.key, a.symbol): a for a in Asset.objects.select_related("network")}
    for entry in document["assets"]:
        key = (entry["network"], entry["symbol"])
        asset = assets.get(key) or Asset(network=networks[entry["network"]], symbol=entry["symbol"])
        _save(asset, {name: entry[name] for name in ("kind", "contract_address", "decimals")})
        assets[key] = asset
    return assets


def _apply_fee_rules(document: dict) -> None:
    rules = {r.key: r for r in FeeRule.objects.prefetch_related("splits")}
    for entry in document["fee_rules"]:
        rule = rules.get(entry["key"]) or FeeRule(key=entry["key"])
        _save(
            rule,
            {
                "name": entry["name"],
                "kind": entry["kind"],
                "bps": entry["bps"],
                "amount": Decimal(entry["amount"]) if entry["amount"] is not None else None,
                "currency": entry["currency"],
                "effective_from": parse_datetime(entry["effective_from"]),
                "splits_total_bps": sum(entry["splits"].values()),
            },
        )
        existing = {s.recipient: s for s in rule.splits.all()} if rule.pk else {}
        for recipient, split in existing.items():
            if recipient not in entry["splits"]:
                split.delete()
        for recipient, bps in entry["splits"].items():
            split = existing.get(recipient) or FeeSplit(fee_rule=rule, recipient=recipient)
            _save(split, {"bps": bps})


@transaction.atomic
def config_apply(*, actor, payload: dict, change_request_id: int | None) -> ConfigVersion:
    """Make the live configuration equal to ``payload`` and append a new version.

    Only the approvals engine calls this, with an approved request's frozen payload.
    Rows missing from the payload are deleted (wallets and limits before the assets and
    networks they point at); the others are updated in place so the audit trail shows
    field changes, not churn.
    """
    document = validate_document(payload)
    previous = current_version()
    before = previous.document if previous is not None else EMPTY_DOCUMENT

    wallet_keys = {(w["network"], w["asset"], w["purpose"]) for w in document["treasury_wallets"]}
    limit_keys = {(x["network"], x["asset"]) for x in document["limits"]["per_transaction"]}
    asset_keys = {(a["network"], a["symbol"]) for a in document["assets"]}
    _delete_missing(
        TreasuryWallet.objects.select_related("network", "asset"),
        wallet_keys,
        lambda w: (w.network.key, w.asset.symbol, w.purpose),
    )
    _delete_missing(
        AssetLimit.objects.select_related("asset__network"),
        limit_keys,
        lambda x: (x.asset.network.key, x.asset.symbol),
    )
    _delete_missing(
        PhaseVolumeCap.objects.all(),
        {x["phase"] for x in document["limits"]["phase_volume"]},
        lambda c: c.phase,
    )
    _delete_missing(
        FeeRule.objects.all(), {f["key"] for f in document["fee_rules"]}, lambda r: r.key
    )
    _delete_missing(
        Asset.objects.select_related("network"), asset_keys, lambda a: (a.network.key, a.symbol)
    )
    _delete_missing(
        Network.objects.all(), {n["key"] for n in document["networks"]}, lambda n: n.key
    )

    networks = _apply_networks(document)
    assets = _apply_assets(document, networks)
    wallets = {(w.asset_id, w.purpose): w for w in TreasuryWallet.objects.all()}
    for entry in document["treasury_wallets"]:
        asset = assets[(entry["network"], entry["asset"])]
        wallet = wallets.get((asset.pk, entry["purpose"])) or TreasuryWallet(
            asset=asset, purpose=entry["purpose"], network=networks[entry["network"]]
        )
        _save(wallet, {"address": entry["address"], "label": entry["label"]})
    limits = {x.asset_id: x for x in AssetLimit.objects.all()}
    for entry in document["limits"]["per_transaction"]:
        asset = assets[(entry["network"], entry["asset"])]
        limit = limits.get(asset.pk) or AssetLimit(asset=asset)
        _save(limit, {"per_transaction_cap": Decimal(entry["cap"])})
    caps = {c.phase: c for c in PhaseVolumeCap.objects.all()}
    for entry in document["limits"]["phase_volume"]:
        cap = caps.get(entry["phase"]) or PhaseVolumeCap(phase=entry["phase"])
        _save(cap, {"bps_of_daily_target": entry["bps_of_daily_target"]})
    _apply_fee_rules(document)

    after = live_document()
    snapshot = canonical_json(after)
    version = ConfigVersion(
        number=(previous.number + 1) if previous is not None else 1,
        snapshot=snapshot,
        sha256=sha256_of(snapshot),
        diff=diff_documents(before, after),
        created_by=actor,
        change_request_id=change_request_id,
    )
    version.full_clean()
    version.save()
    record_event(
        "config.version_created",
        actor=actor,
        target=version,
        data={
            "version": version.number,
            "sha256": version.sha256,
            "change_request": change_request_id,
            "changes": len(version.diff),
        },
    )
    log.info(
        "config.version_created",
        version=version.number,
        change_request=change_request_id,
        changes=len(version.diff),
    )
    return version


# --- proposing changes ------------------------------------------------------------------


def config_change_request(
    *, actor, document: dict, reason: str, ticket: str = "", freeze_exception_reason: str = ""
):
    """File a change request whose payload is the whole desired configuration."""
    from apps.approvals.services import change_request_create

    return change_request_create(
        actor=actor,
        kind=KIND,
        payload=document,
        reason=reason,
        ticket=ticket,
        freeze_exception_reason=freeze_exception_reason,
    )


def current_document() -> dict:
    """A deep copy of the live configuration, ready to be edited into a proposal."""
    return copy.deepcopy(live_document())


def config_restore_request(
    *, actor, version_number: int, reason: str, ticket: str = "", freeze_exception_reason: str = ""
):
    """File a change request restoring version N (RPC endpoints stay as they are)."""
    version = ConfigVersion.objects.filter(number=version_number).first()
    if version is None:
        raise ValidationError({"version": [_("No version %(n)s.") % {"n": version_number}]})
    return config_change_request(
        actor=actor,
        document=version.document,
        reason=reason,
        ticket=ticket,
        freeze_exception_reason=freeze_exception_reason,
    )


def config_fee_rule_request(
    *, actor, rule: dict, reason: str, ticket: str = "", freeze_exception_reason: str = ""
):
    """File a change adding ``rule`` or replacing the fee rule with its key."""
    document = current_document()
    document["fee_rules"] = [r for r in document["fee_rules"] if r["key"] != rule.get("key")]
    document["fee_rules"].append(rule)
    return config_change_request(
        actor=actor,
        document=document,
        reason=reason,
        ticket=ticket,
        freeze_exception_reason=freeze_exception_reason,
    )


def config_wallet_request(
    *, actor, wallet: dict, reason: str, ticket: str = "", freeze_exception_reason: str = ""
):
    """File a change adding a treasury wallet (or replacing the one for its asset/purpose)."""
    document = current_document()
    identity = (wallet.get("network"), wallet.get("asset"), wallet.get("purpose"))
    document["treasury_wallets"] = [
        w
        for w in document["treasury_wallets"]
        if (w["network"], w["asset"], w["purpose"]) != identity
    ]
    document["treasury_wallets"].append(wallet)
    return config_change_request(
        actor=actor,
        document=document,
        reason=reason,
        ticket=ticket,
        freeze_exception_reason=freeze_exception_reason,
    )
