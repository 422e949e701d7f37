"""Valid addresses, hashes and read-model rows for the support tests.

Rows are written through the ingestion service (the door the platform uses), so every
test's data went through the same checks and normalisation as real data.
"""

from __future__ import annotations

import hashlib
import itertools
from datetime import timedelta

import base58
from django.utils import timezone

from apps.seedconfig.addresses import (
    evm_address_from_bytes,
    solana_address_from_bytes,
    tron_address_from_bytes,
)
from apps.seedconfig.models import Network
from apps.support.services.ingestion import ingest_batch

_counter = itertools.count(1)

NETWORKS = (
    ("ethereum", "Ethereum", "evm", 1),
    ("bsc", "BNB Smart Chain", "evm", 56),
    ("solana", "Solana", "solana", None),
    ("tron", "Tron", "tron", None),
)


def ensure_networks() -> None:
    for key, name, kind, chain_id in NETWORKS:
        Network.objects.get_or_create(
            key=key, defaults={"name": name, "kind": kind, "chain_id": chain_id}
        )


def _digest(label: str, size: int) -> bytes:
    out = b""
    counter = 0
    while len(out) < size:
        out += hashlib.sha256(f"{label}:{counter}".encode()).digest()
        counter += 1
    return out[:size]


def evm_address(label: str | None = None) -> str:
    return evm_address_from_bytes(_digest(label or f"evm{next(_counter)}", 20))


def solana_address(label: str | None = None) -> str:
    return solana_address_from_bytes(_digest(label or f"sol{next(_counter)}", 32))


def tron_address(label: str | None = None) -> str:
    return tron_address_from_bytes(_digest(label or f"tron{next(_counter)}", 20))


def hex_hash(label: str | None = None) -> str:
    return _digest(label or f"hash{next(_counter)}", 32).hex()


def evm_hash(label: str | None = None) -> str:
    return "0x" + hex_hash(label)


def solana_signature(label: str | None = None) -> str:
    return base58.b58encode(_digest(label or f"sig{next(_counter)}", 64)).decode()


def ago(**kwargs) -> str:
    return (timezone.now() - timedelta(**kwargs)).isoformat()


def ahead(**kwargs) -> str:
    return (timezone.now() + timedelta(**kwargs)).isoformat()


def ingest(entity: str, *records: dict, actor=None):
    return ingest_batch(actor=actor, entity=entity, records=list(records), source="test")


def customer(external_id: str | None = None, **fields) -> dict:
    external_id = external_id or f"cust-{next(_counter)}"
    record = {
        "external_id": external_id,
        "email": f"{external_id}@mail.example",
        "handle": external_id.replace("-", "_"),
        "display_name": f"Customer {external_id}",
        "language": "en",
        "created_at": ago(days=30),
        **fields,
    }
    ingest("customers", record)
    from apps.support.models import Customer

    return Customer.objects.get(external_id=external_id)


def wallet(customer_obj, network="ethereum", address=None, primary=True, **fields) -> dict:
    if address is None:
        address = {"solana": solana_address, "tron": tron_address}.get(network, evm_address)()
    record = {
        "customer": customer_obj.external_id,
        "network": network,
        "address": address,
        "primary": primary,
        "linked_at": ago(days=10),
        **fields,
    }
    ingest("wallets", record)
    return record


def transaction(customer_obj=None, network="ethereum", **fields) -> dict:
    tx_hash = fields.pop("hash", None)
    if tx_hash is None:
        tx_hash = {"solana": solana_signature, "tron": hex_hash}.get(network, evm_hash)()
    record = {
        "network": network,
        "hash": tx_hash,
        "kind": "contribute",
        "status": "confirmed",
        "amount": "1000000",
        "asset": "USDT",
        "submitted_at": ago(hours=2),
        "confirmed_at": ago(hours=2),
        **fields,
    }
    if customer_obj is not None:
        record.setdefault("customer", customer_obj.external_id)
    if record["status"] != "confirmed" and "confirmed_at" not in fields:
        record["confirmed_at"] = None
    ingest("transactions", record)
    return record


def round_(round_id: int, network="ethereum", **fields) -> dict:
    record = {
        "round_id": round_id,
        "project_id": f"p-{round_id}",
        "project_name": f"Project {round_id}",
        "network": network,
        "asset": "USDT",
        "status": "finalized",
        "result": "success",
        **fields,
    }
    ingest("rounds", record)
    return record


def claim(customer_obj, claim_type="vesting", **fields) -> dict:
    record = {
        "claim_id": fields.pop("claim_id", f"claim-{next(_counter)}"),
        "customer": customer_obj.external_id,
        "claim_type": claim_type,
        "status": "claimable",
        "amount": "5000000",
        "asset": "USDT",
        "network": "ethereum",
        "created_at": ago(days=1),
        **fields,
    }
    ingest("claims", record)
    return record


def refund(customer_obj, round_id: int, **fields) -> dict:
    record = {
        "refund_id": fields.pop("refund_id", f"refund-{next(_counter)}"),
        "customer": customer_obj.external_id,
        "round": round_id,
        "status": "owed",
        "amount": "2500000",
        "asset": "USDT",
        "network": "ethereum",
        "created_at": ago(days=1),
        **fields,
    }
    ingest("refunds", record)
    return record
