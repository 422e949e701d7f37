"""The configuration document: its validation and canonical form.

A change request's payload is the whole desired configuration::

    {"networks": [...], "assets": [...], "treasury_wallets": [...],
     "fee_rules": [...], "limits": {"per_transaction": [...], "phase_volume": [...]}}

Applying it makes the live tables equal to it. A version's snapshot has the same shape,
so restoring version N files a request whose payload is that snapshot.

RPC endpoints: a network may carry ``rpc_endpoints`` as a list of URLs (a seed file kept
outside the repository), which validation seals (encrypts) into ``rpc_endpoints_sealed``
so the stored request never holds a URL. Without either, a network keeps the endpoints
it has; the ``{"count", "fingerprint"}`` object found in snapshots means the same.

Every error names its place: ``{"treasury_wallets[2].address": ["..."]}``.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from decimal import Decimal
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from apps.core import crypto
from apps.core.bounds import DATE_OUT_OF_RANGE, EARLIEST_YEAR, LATEST_YEAR, date_in_range
from apps.seedconfig.addresses import AddressError, normalise_address
from apps.seedconfig.checks import (
    Errors,
    boolean_field,
    check_fields,
    decimal_field,
    integer_field,
    list_of,
    text_field,
)
from apps.seedconfig.models import BPS_TOTAL, PhaseVolumeCap

SECTIONS = ("networks", "assets", "treasury_wallets", "fee_rules", "limits")
NETWORK_KINDS = ("evm", "solana", "tron")
ASSET_KINDS = ("native", "contract")
PURPOSES = ("treasury", "fee", "payout", "hot", "canary")
FEE_KINDS = ("percent_bps", "flat")
PHASES = tuple(PhaseVolumeCap.PHASE_MAXIMUM_BPS)
MAX_RPC_ENDPOINTS = 10

_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,49}$")
_SYMBOL = re.compile(r"^[A-Za-z0-9.]{1,20}$")
_CURRENCY = re.compile(r"^[A-Z0-9]{2,10}$")
_RPC_SCHEMES = {"http", "https", "ws", "wss"}


def canonical_json(value) -> str:
    """Sorted keys, no spaces, UTF-8 text: equal documents give equal bytes."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def decimal_text(value: Decimal) -> str:
    """A Decimal as plain text without exponent or trailing zeros ("10", "0.5")."""
    text = format(value.normalize(), "f")
    return "0" if text in {"-0", ""} else text


def utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def seal_rpc_endpoints(urls: list[str]) -> str:
    return crypto.encrypt(canonical_json(list(urls)))


def unseal_rpc_endpoints(sealed: str) -> list[str]:
    urls = json.loads(crypto.decrypt(sealed))
    if not isinstance(urls, list) or not all(isinstance(url, str) for url in urls):
        raise ValueError("sealed RPC endpoints are not a list of URLs")
    return urls


def _rpc(item, path, errors) -> dict:
    """The sealed-endpoint fields of a canonical network entry ({} keeps what is there)."""
    if "rpc_endpoints_sealed" in item:
        sealed = item["rpc_endpoints_sealed"]
        try:
            urls = unseal_rpc_endpoints(sealed if isinstance(sealed, str) else "")
        except (crypto.DecryptionError, ValueError):
            errors.add(f"{path}.rpc_endpoints_sealed", _("Cannot be unsealed with this key."))
            return {}
        return {"rpc_endpoints_sealed": sealed, "rpc_endpoints_count": len(urls)}
    value = item.get("rpc_endpoints")
    if value is None or isinstance(value, dict):
        return {}  # absent, or a snapshot's count/fingerprint: keep the current endpoints
    if not isinstance(value, list) or len(value) > MAX_RPC_ENDPOINTS:
        errors.add(
            f"{path}.rpc_endpoints",
            _("Expected a list of at most %(n)d URLs.") % {"n": MAX_RPC_ENDPOINTS},
        )
        return {}
    urls = []
    for index, url in enumerate(value):
        # Messages never repeat the URL: it may hold an API key.
        where = f"{path}.rpc_endpoints[{index}]"
        if not isinstance(url, str) or len(url) > 2000:
            errors.add(where, _("Expected a URL."))
            continue
        parts = urlsplit(url.strip())
        if parts.scheme not in _RPC_SCHEMES or not parts.hostname:
            errors.add(where, _("Not a URL with an http(s) or ws(s) scheme and a host."))
            continue
        urls.append(url.strip())
    if len(set(urls)) != len(urls):
        errors.add(f"{path}.rpc_endpoints", _("The same URL is listed twice."))
    return {"rpc_endpoints_sealed": seal_rpc_endpoints(urls), "rpc_endpoints_count": len(urls)}


def _networks(document, errors) -> list[dict]:
    allowed = {"key", "name", "kind", "chain_id", "is_testnet", "enabled", "rpc_endpoints"}
    allowed |= {"rpc_endpoints_sealed", "rpc_endpoints_count"}
    result, keys, chain_ids = [], set(), {}
    for index, item in enumerate(list_of(document, "networks", errors)):
        path = f"networks[{index}]"
        if not check_fields(item, path, allowed, errors):
            continue
        key = text_field(item, "key", path, errors, pattern=_KEY, max_length=50)
        name = text_field(item, "name", path, errors, max_length=100)
        kind = text_field(item, "kind", path, errors)
        if kind and kind not in NETWORK_KINDS:
            errors.add(f"{path}.kind", _("Choose one of: %(c)s.") % {"c": ", ".join(NETWORK_KINDS)})
        if key in keys:
            errors.add(f"{path}.key", _("Network '%(key)s' is listed twice.") % {"key": key})
        keys.add(key)
        chain_id = None
        if kind == "evm":
            chain_id = integer_field(item, "chain_id", path, errors, minimum=1, maximum=2**53)
            if chain_id is not None and chain_id in chain_ids:
                errors.add(
                    f"{path}.chain_id",
                    _("Chain id %(id)d is already used by network %(other)s.")
                    % {"id": chain_id, "other": chain_ids[chain_id]},
                )
            elif chain_id is not None:
                chain_ids[chain_id] = key
        elif item.get("chain_id") is not None:
            errors.add(f"{path}.chain_id", _("Only EVM networks have a chain id."))
        entry = {
            "key": key,
            "name": name,
            "kind": kind,
            "chain_id": chain_id,
            "is_testnet": boolean_field(item, "is_testnet", path, errors, False),
            "enabled": boolean_field(item, "enabled", path, errors, True),
        }
        entry.update(_rpc(item, path, errors))
        result.append(entry)
    return sorted(result, key=lambda n: n["key"])


def _address(kind: str, network_key: str, value: str, where: str, errors: Errors) -> str:
    try:
        return normalise_address(kind, value)
    except AddressError as exc:
        errors.add(
            where,
            _("Not a valid %(kind)s address for network %(network)s: %(reason)s.")
            % {
                "kind": dict(evm="EVM", solana="Solana", tron="Tron")[kind],
                "network": network_key,
                "reason": exc,
            },
        )
        return value


def _network_of(item, path, networks, errors) -> dict | None:
    key = text_field(item, "network", path, errors, max_length=50)
    if key and key not in networks:
        errors.add(f"{path}.network", _("Unknown network '%(key)s'.") % {"key": key})
        return None
    return networks.get(key)


def _assets(document, networks, errors) -> list[dict]:
    allowed = {"network", "symbol", "kind", "contract_address", "decimals"}
    result, seen, natives = [], set(), set()
    for index, item in enumerate(list_of(document, "assets", errors)):
        path = f"assets[{index}]"
        if not check_fields(item, path, allowed, errors):
            continue
        network = _network_of(item, path, networks, errors)
        symbol = text_field(item, "symbol", path, errors, pattern=_SYMBOL, max_length=20)
        kind = text_field(item, "kind", path, errors)
        address = text_field(item, "contract_address", path, errors, required=False, max_length=100)
        decimals = integer_field(item, "decimals", path, errors, minimum=0, maximum=36)
        network_key = item.get("network")
        if (network_key, symbol) in seen:
            errors.add(
                f"{path}.symbol",
                _("Asset '%(s)s' is listed twice on this network.") % {"s": symbol},
            )
        seen.add((network_key, symbol))
        if kind == "native":
            if address:
                errors.add(f"{path}.contract_address", _("A native asset has no contract address."))
            if network_key in natives:
                errors.add(f"{path}.kind", _("A network has one native asset."))
            natives.add(network_key)
        elif kind == "contract":
            if not address:
                errors.add(f"{path}.contract_address", _("A contract asset needs its address."))
            elif network is not None and network["kind"] in NETWORK_KINDS:
                address = _address(
                    network["kind"], network["key"], address, f"{path}.contract_address", errors
                )
        elif kind:
            errors.add(f"{path}.kind", _("Choose one of: %(c)s.") % {"c": ", ".join(ASSET_KINDS)})
        result.append(
            {
                "network": network_key,
                "symbol": symbol,
                "kind": kind,
                "contract_address": address,
                "decimals": decimals,
            }
        )
    return sorted(result, key=lambda a: (a["network"] or "", a["symbol"]))


def _asset_of(item, path, networks, assets, errors) -> tuple[dict | None, str]:
    network = _network_of(item, path, networks, errors)
    symbol = text_field(item, "asset", path, errors, max_length=20)
    if network is not None and symbol and (network["key"], symbol) not in assets:
        errors.add(
            f"{path}.asset",
            _("Unknown asset '%(symbol)s' on network %(network)s.")
            % {"symbol": symbol, "network": network["key"]},
        )
    return network, symbol


def _wallets(document, networks, assets, errors) -> list[dict]:
    allowed = {"network", "asset", "purpose", "address", "label"}
    result, seen = [], set()
    for index, item in enumerate(list_of(document, "treasury_wallets", errors)):
        path = f"treasury_wallets[{index}]"
        if not check_fields(item, path, allowed, errors):
            continue
        network, symbol = _asset_of(item, path, networks, assets, errors)
        purpose = text_field(item, "purpose", path, errors)
        if purpose and purpose not in PURPOSES:
            errors.add(f"{path}.purpose", _("Choose one of: %(c)s.") % {"c": ", ".join(PURPOSES)})
        address = text_field(item, "address", path, errors, max_length=100)
        if address and network is not None and network["kind"] in NETWORK_KINDS:
            address = _address(network["kind"], network["key"], address, f"{path}.address", errors)
        identity = (item.get("network"), symbol, purpose)
        if identity in seen:
            errors.add(f"{path}.purpose", _("This asset already has a wallet for this purpose."))
        seen.add(identity)
        result.append(
            {
                "network": item.get("network"),
                "asset": symbol,
                "purpose": purpose,
                "address": address,
                "label": text_field(item, "label", path, errors, required=False, max_length=100),
            }
        )
    return sorted(result, key=lambda w: (w["network"] or "", w["asset"], w["purpose"]))


def _splits(item, path, errors) -> dict:
    splits = item.get("splits")
    if not isinstance(splits, dict) or not splits:
        errors.add(f"{path}.splits", _("Give at least one recipient with its share in bps."))
        return {}
    result, total = {}, 0
    for recipient, share in splits.items():
        where = f"{path}.splits.{recipient}"
        if not isinstance(recipient, str) or not _KEY.match(recipient):
            errors.add(where, _("A recipient is a lower-case key, e.g. treasury."))
            continue
        if isinstance(share, bool) or not isinstance(share, int):
            errors.add(where, _("Expected a whole number of basis points."))
            continue
        if share < 1:
            errors.add(where, _("A share must be at least 1 bps (no negative or empty shares)."))
            continue
        result[recipient] = share
        total += share
    if result and len(result) == len(splits) and total != BPS_TOTAL:
        errors.add(
            f"{path}.splits",
            _("Splits sum to %(total)d bps; they must sum to exactly 10000.") % {"total": total},
        )
    return dict(sorted(result.items()))


def _fee_rules(document, errors) -> list[dict]:
    allowed = {"key", "name", "kind", "bps", "amount", "currency", "effective_from", "splits"}
    result, keys = [], set()
    for index, item in enumerate(list_of(document, "fee_rules", errors)):
        path = f"fee_rules[{index}]"
        if not check_fields(item, path, allowed, errors):
            continue
        key = text_field(item, "key", path, errors, pattern=_KEY, max_length=80)
        if key in keys:
            errors.add(f"{path}.key", _("Fee rule '%(key)s' is listed twice.") % {"key": key})
        keys.add(key)
        kind = text_field(item, "kind", path, errors)
        bps, amount, currency = None, None, ""
        if kind == "percent_bps":
            raw = item.get("bps")
            if isinstance(raw, int) and not isinstance(raw, bool) and raw < 0:
                errors.add(f"{path}.bps", _("A fee cannot be negative."))
            else:
                bps = integer_field(item, "bps", path, errors, minimum=0, maximum=BPS_TOTAL)
            for name in ("amount", "currency"):
                if item.get(name) not in (None, ""):
                    errors.add(f"{path}.{name}", _("A percentage fee has no %(f)s.") % {"f": name})
        elif kind == "flat":
            value = decimal_field(item, "amount", path, errors)
            if value is not None and value < 0:
                errors.add(f"{path}.amount", _("A fee cannot be negative."))
            elif value is not None:
                amount = decimal_text(value)
            currency = text_field(item, "currency", path, errors, pattern=_CURRENCY, max_length=10)
            if item.get("bps") is not None:
                errors.add(f"{path}.bps", _("A flat fee has no basis points."))
        elif kind:
            errors.add(f"{path}.kind", _("Choose one of: %(c)s.") % {"c": ", ".join(FEE_KINDS)})
        else:
            errors.add(f"{path}.kind", _("This field is required."))
        effective = text_field(item, "effective_from", path, errors, max_length=40)
        try:
            moment = parse_datetime(effective) if effective else None
        except ValueError:  # well formed but no such date (a 13th month)
            moment = None
        if effective and (moment is None or moment.tzinfo is None):
            errors.add(
                f"{path}.effective_from",
                _("Give a date and time with its zone, e.g. 2026-12-01T00:00:00Z."),
            )
        elif moment is not None and not date_in_range(moment):
            errors.add(
                f"{path}.effective_from",
                DATE_OUT_OF_RANGE % {"earliest": EARLIEST_YEAR, "latest": LATEST_YEAR},
            )
        result.append(
            {
                "key": key,
                "name": text_field(item, "name", path, errors),
                "kind": kind,
                "bps": bps,
                "amount": amount,
                "currency": currency,
                "effective_from": utc_text(moment) if moment and moment.tzinfo else effective,
                "splits": _splits(item, path, errors),
            }
        )
    return sorted(result, key=lambda f: f["key"])


def _limits(document, networks, assets, errors) -> dict:
    limits = document.get("limits", {})
    if not isinstance(limits, dict):
        errors.add("limits", _("Expected an object."))
        return {"per_transaction": [], "phase_volume": []}
    check_fields(limits, "limits", {"per_transaction", "phase_volume"}, errors)
    per_transaction, seen = [], set()
    for index, item in enumerate(list_of(limits, "per_transaction", errors)):
        path = f"limits.per_transaction[{index}]"
        if not check_fields(item, path, {"network", "asset", "cap"}, errors):
            continue
        _network, symbol = _asset_of(item, path, networks, assets, errors)
        cap = decimal_field(item, "cap", path, errors)
        if cap is not None and cap <= 0:
            errors.add(f"{path}.cap", _("A per-transaction cap must be above zero."))
        if (item.get("network"), symbol) in seen:
            errors.add(f"{path}.asset", _("This asset already has a cap."))
        seen.add((item.get("network"), symbol))
        per_transaction.append(
            {
                "network": item.get("network"),
                "asset": symbol,
                "cap": decimal_text(cap) if cap is not None else None,
            }
        )
    phase_volume, phases = [], set()
    for index, item in enumerate(list_of(limits, "phase_volume", errors)):
        path = f"limits.phase_volume[{index}]"
        if not check_fields(item, path, {"phase", "bps_of_daily_target"}, errors):
            continue
        phase = text_field(item, "phase", path, errors)
        if phase and phase not in PHASES:
            errors.add(f"{path}.phase", _("Choose one of: %(c)s.") % {"c": ", ".join(PHASES)})
        if phase in phases:
            errors.add(f"{path}.phase", _("Phase '%(p)s' is listed twice.") % {"p": phase})
        phases.add(phase)
        maximum = PhaseVolumeCap.PHASE_MAXIMUM_BPS.get(phase, BPS_TOTAL)
        share = integer_field(item, "bps_of_daily_target", path, errors, minimum=0)
        if share is not None and share > maximum:
            errors.add(
                f"{path}.bps_of_daily_target",
                _("The %(phase)s phase is capped at %(max)d bps of the daily target.")
                % {"phase": phase, "max": maximum},
            )
        phase_volume.append({"phase": phase, "bps_of_daily_target": share})
    return {
        "per_transaction": sorted(per_transaction, key=lambda x: (x["network"] or "", x["asset"])),
        "phase_volume": sorted(phase_volume, key=lambda x: x["phase"]),
    }


def validate_document(document) -> dict:
    """Check a desired configuration; return its canonical form or raise ValidationError."""
    errors = Errors()
    if not isinstance(document, dict):
        raise ValidationError({"non_field_errors": [_("The configuration must be an object.")]})
    for name in sorted(set(document) - set(SECTIONS)):
        errors.add(name, _("Unknown section."))
    networks = _networks(document, errors)
    by_key = {n["key"]: n for n in networks if n["key"]}
    assets = _assets(document, by_key, errors)
    asset_keys = {(a["network"], a["symbol"]) for a in assets}
    canonical = {
        "networks": networks,
        "assets": assets,
        "treasury_wallets": _wallets(document, by_key, asset_keys, errors),
        "fee_rules": _fee_rules(document, errors),
        "limits": _limits(document, by_key, asset_keys, errors),
    }
    if errors:
        raise ValidationError(errors.by_path)
    return canonical


def unwrap_seed(data) -> dict:
    """A seed or export file holds the document under "config" (with notes beside it)."""
    if isinstance(data, dict) and isinstance(data.get("config"), dict):
        return data["config"]
    return data
