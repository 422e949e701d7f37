"""Snapshots of the live configuration and diffs between two of them.

A snapshot is the canonical document of ``apps.seedconfig.document`` with each network's
RPC endpoints replaced by ``{"count": n, "fingerprint": "<keyed hash>"}``: enough to see
that they changed, nothing that reveals them.
"""

from __future__ import annotations

import hashlib

from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from apps.seedconfig.document import (
    SECTIONS,
    canonical_json,
    decimal_text,
    unseal_rpc_endpoints,
    utc_text,
)
from apps.seedconfig.models import (
    Asset,
    AssetLimit,
    ConfigVersion,
    FeeRule,
    Network,
    PhaseVolumeCap,
    TreasuryWallet,
)

EMPTY_DOCUMENT: dict = {
    "networks": [],
    "assets": [],
    "treasury_wallets": [],
    "fee_rules": [],
    "limits": {"per_transaction": [], "phase_volume": []},
}


def rpc_summary(urls: list[str]) -> dict:
    if not urls:
        return {"count": 0, "fingerprint": ""}
    digest = salted_hmac(
        "seedconfig.rpc-endpoints", canonical_json(sorted(urls)), algorithm="sha256"
    )
    return {"count": len(urls), "fingerprint": digest.hexdigest()[:16]}


def network_entry(network: Network) -> dict:
    return {
        "key": network.key,
        "name": network.name,
        "kind": network.kind,
        "chain_id": network.chain_id,
        "is_testnet": network.is_testnet,
        "enabled": network.enabled,
        "rpc_endpoints": rpc_summary(network.rpc_endpoint_list),
    }


def live_document() -> dict:
    """The whole live configuration as a snapshot document (no secrets)."""
    fee_rules = []
    for rule in FeeRule.objects.prefetch_related("splits").order_by("key"):
        fee_rules.append(
            {
                "key": rule.key,
                "name": rule.name,
                "kind": rule.kind,
                "bps": rule.bps,
                "amount": decimal_text(rule.amount) if rule.amount is not None else None,
                "currency": rule.currency,
                "effective_from": utc_text(rule.effective_from),
                "splits": {
                    s.recipient: s.bps for s in sorted(rule.splits.all(), key=lambda s: s.recipient)
                },
            }
        )
    return {
        "networks": [network_entry(n) for n in Network.objects.order_by("key")],
        "assets": [
            {
                "network": a.network.key,
                "symbol": a.symbol,
                "kind": a.kind,
                "contract_address": a.contract_address,
                "decimals": a.decimals,
            }
            for a in Asset.objects.select_related("network").order_by("network__key", "symbol")
        ],
        "treasury_wallets": [
            {
                "network": w.network.key,
                "asset": w.asset.symbol,
                "purpose": w.purpose,
                "address": w.address,
                "label": w.label,
            }
            for w in TreasuryWallet.objects.select_related("network", "asset").order_by(
                "network__key", "asset__symbol", "purpose"
            )
        ],
        "fee_rules": fee_rules,
        "limits": {
            "per_transaction": [
                {
                    "network": lim.asset.network.key,
                    "asset": lim.asset.symbol,
                    "cap": decimal_text(lim.per_transaction_cap),
                }
                for lim in AssetLimit.objects.select_related("asset__network").order_by(
                    "asset__network__key", "asset__symbol"
                )
            ],
            "phase_volume": [
                {"phase": c.phase, "bps_of_daily_target": c.bps_of_daily_target}
                for c in PhaseVolumeCap.objects.order_by("phase")
            ],
        },
    }


def projected_document(payload: dict) -> dict:
    """What the snapshot will be once ``payload`` (canonical) is applied."""
    current = {n.key: n for n in Network.objects.all()}
    networks = []
    for entry in payload["networks"]:
        shown = {k: v for k, v in entry.items() if not k.startswith("rpc_endpoints")}
        if "rpc_endpoints_sealed" in entry:
            shown["rpc_endpoints"] = rpc_summary(
                unseal_rpc_endpoints(entry["rpc_endpoints_sealed"])
            )
        elif entry["key"] in current:
            shown["rpc_endpoints"] = rpc_summary(current[entry["key"]].rpc_endpoint_list)
        else:
            shown["rpc_endpoints"] = rpc_summary([])
        networks.append(shown)
    return {**payload, "networks": networks}


def sha256_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def current_version() -> ConfigVersion | None:
    return ConfigVersion.objects.latest_version()


# --- diffs --------------------------------------------------------------------------

_IDENTITY = {
    "networks": lambda x: x["key"],
    "assets": lambda x: f"{x['network']}:{x['symbol']}",
    "treasury_wallets": lambda x: f"{x['network']}:{x['asset']}:{x['purpose']}",
    "fee_rules": lambda x: x["key"],
    "limits.per_transaction": lambda x: f"{x['network']}:{x['asset']}",
    "limits.phase_volume": lambda x: x["phase"],
}


def _display(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        if set(value) == {"count", "fingerprint"}:
            return _rpc_display(value)
        return ", ".join(f"{k}={_display(v)}" for k, v in value.items())
    return str(value)


def _rpc_display(summary: dict) -> str:
    return _("%(count)d set") % {"count": summary.get("count", 0)}


def _item_display(item: dict, identity_fields: set[str]) -> str:
    return "; ".join(
        f"{name}={_display(value)}"
        for name, value in item.items()
        if name not in identity_fields and value not in (None, "")
    )


_IDENTITY_FIELDS = {
    "networks": {"key"},
    "assets": {"network", "symbol"},
    "treasury_wallets": {"network", "asset", "purpose"},
    "fee_rules": {"key"},
    "limits.per_transaction": {"network", "asset"},
    "limits.phase_volume": {"phase"},
}


def _diff_items(section: str, before: list, after: list, rows: list[dict]) -> None:
    identity = _IDENTITY[section]
    old = {identity(x): x for x in before}
    new = {identity(x): x for x in after}
    for key in sorted(set(old) | set(new)):
        field = f"{section}[{key}]"
        if key not in new:
            rows.append(
                {
                    "field": field,
                    "change": "removed",
                    "before": _item_display(old[key], _IDENTITY_FIELDS[section]),
                    "after": None,
                }
            )
        elif key not in old:
            rows.append(
                {
                    "field": field,
                    "change": "added",
                    "before": None,
                    "after": _item_display(new[key], _IDENTITY_FIELDS[section]),
                }
            )
        else:
            _diff_fields(field, old[key], new[key], rows)


def _diff_fields(prefix: str, before: dict, after: dict, rows: list[dict]) -> None:
    for name in sorted(set(before) | set(after)):
        was, now = before.get(name), after.get(name)
        if was == now:
            continue
        if name == "rpc_endpoints":
            now_text = _rpc_display(now or {})
            if (was or {}).get("count") == (now or {}).get("count"):
                now_text = _("%(count)d set (changed)") % {"count": (now or {}).get("count", 0)}
            rows.append(
                {
                    "field": f"{prefix}.rpc_endpoints",
                    "change": "changed",
                    "before": _rpc_display(was or {}),
                    "after": now_text,
                }
            )
        elif isinstance(was, dict) and isinstance(now, dict):
            for sub in sorted(set(was) | set(now)):
                if was.get(sub) != now.get(sub):
                    rows.append(
                        {
                            "field": f"{prefix}.{name}.{sub}",
                            "change": "changed",
                            "before": _display(was.get(sub)),
                            "after": _display(now.get(sub)),
                        }
                    )
        else:
            rows.append(
                {
                    "field": f"{prefix}.{name}",
                    "change": "changed",
                    "before": _display(was),
                    "after": _display(now),
                }
            )


def diff_documents(before: dict | None, after: dict) -> list[dict]:
    """Rows ``{"field", "change", "before", "after"}`` turning ``before`` into ``after``."""
    before = before or EMPTY_DOCUMENT
    rows: list[dict] = []
    for section in SECTIONS:
        if section == "limits":
            for part in ("per_transaction", "phase_volume"):
                _diff_items(
                    f"limits.{part}",
                    before.get("limits", {}).get(part, []),
                    after.get("limits", {}).get(part, []),
                    rows,
                )
        else:
            _diff_items(section, before.get(section, []), after.get(section, []), rows)
    return rows
