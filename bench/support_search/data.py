"""Data of the support search benchmark (run by the harness with its environment).

    python -m bench.support_search.data --customers 1000000 --wallets 2000000 \
        --transactions 10000000 --queries 1000

1. networks (the seed's five) and a super admin with a confirmed TOTP device (is_staff, so
   the admin peer accepts the session);
2. drops the support tables' secondary indexes and constraints (their definitions kept),
   generates the data with ``apps.support.fake`` and writes it with COPY
   (``apps.support.bulk.copy_generated``), then recreates every index, timing each, and
   ANALYZEs;
3. adds 5,000 transactions to one customer (the customer page benchmark);
4. picks the queries: ``--queries`` random existing values per identifier type.

Prints one JSON line: timings, counts, the admin's login and TOTP key, and the queries.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import sys
import time

import django

TABLES = (
    "support_customer",
    "support_wallet",
    "support_transaction",
    "support_claim",
    "support_refund",
    "support_round",
)
NETWORKS = (
    ("ethereum", "Ethereum", "evm", 1),
    ("bsc", "BNB Smart Chain", "evm", 56),
    ("polygon", "Polygon PoS", "evm", 137),
    ("solana", "Solana", "solana", None),
    ("tron", "Tron", "tron", None),
)


def log(message: str) -> None:
    print(f"[data] {message}", file=sys.stderr, flush=True)


def parse_args(argv):
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, required=True)
    parser.add_argument("--wallets", type=int, required=True)
    parser.add_argument("--transactions", type=int, required=True)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--page-transactions", type=int, default=5000)
    parser.add_argument("--reuse", action="store_true", help="keep the data; only pick queries")
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args(argv)


def secondary_indexes(cursor) -> list[tuple[str, str, str]]:
    """(table, name, definition) of every index but primary keys, and the unique
    constraints' (as ALTER TABLE … ADD CONSTRAINT)."""
    cursor.execute(
        """
        SELECT t.relname, i.relname, pg_get_indexdef(i.oid), c.conname,
               pg_get_constraintdef(c.oid)
        FROM pg_index x
        JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_class t ON t.oid = x.indrelid
        LEFT JOIN pg_constraint c ON c.conindid = i.oid
        WHERE t.relname = ANY(%s) AND NOT x.indisprimary
        """,
        [list(TABLES)],
    )
    found = []
    for table, name, indexdef, conname, condef in cursor.fetchall():
        if conname:
            found.append((table, conname, f"ALTER TABLE {table} ADD CONSTRAINT {conname} {condef}"))
        else:
            found.append((table, name, indexdef))
    return found


def drop_indexes(cursor, indexes) -> None:
    for table, name, definition in indexes:
        if definition.startswith("ALTER TABLE"):
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
        else:
            cursor.execute(f"DROP INDEX {name}")


def build_indexes(cursor, indexes) -> dict[str, float]:
    timings = {}
    cursor.execute("SET maintenance_work_mem = '512MB'")
    for _table, name, definition in indexes:
        started = time.monotonic()
        cursor.execute(definition)
        timings[name] = round(time.monotonic() - started, 2)
        log(f"index {name}: {timings[name]} s")
    return timings


def make_admin():
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from apps.accounts.models import User
    from apps.approvals.bootstrap import super_admin_bootstrap

    password = secrets.token_urlsafe(24)
    user = User.objects.filter(username="bench-support").first()
    if user is None:
        user = super_admin_bootstrap(
            username="bench-support", email="bench-support@example.com", password=password
        )
    user.set_password(password)
    user.is_staff = True
    user.save()
    device = TOTPDevice.objects.filter(user=user).first() or TOTPDevice.objects.create(
        user=user, name="bench", confirmed=True
    )
    return {"username": user.username, "password": password, "totp_key": device.key}


def load(args) -> dict:
    from django.db import connection, transaction

    from apps.seedconfig.models import Network
    from apps.support.bulk import copy_generated
    from apps.support.fake import FakePlatform

    for key, name, kind, chain_id in NETWORKS:
        Network.objects.get_or_create(
            key=key, defaults={"name": name, "kind": kind, "chain_id": chain_id}
        )
    platform = FakePlatform(
        customers=args.customers,
        wallets_per_customer=args.wallets / max(1, args.customers),
        transactions_per_customer=args.transactions / max(1, args.customers),
        seed=args.seed,
        networks={k: kind for k, _n, kind, _c in NETWORKS},
        showcase=False,
        exact_totals=True,
    )
    with connection.cursor() as cursor:
        indexes = secondary_indexes(cursor)
        drop_indexes(cursor, indexes)
    started = time.monotonic()
    with transaction.atomic():
        load_seconds = copy_generated(platform, progress=log)
    load_total = time.monotonic() - started
    started = time.monotonic()
    with connection.cursor() as cursor:
        index_seconds = build_indexes(cursor, indexes)
        for table in TABLES:
            cursor.execute(f"ANALYZE {table}")
    index_total = time.monotonic() - started
    counts = {}
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"SELECT count(*) FROM {table}")
            counts[table] = cursor.fetchone()[0]
    return {
        "load_seconds": {k: round(v, 1) for k, v in load_seconds.items()},
        "load_total_seconds": round(load_total, 1),
        "index_seconds": index_seconds,
        "index_total_seconds": round(index_total, 1),
        "counts": counts,
    }


def page_customer(count: int) -> dict:
    """One customer with ``count`` more transactions (COPY), for the customer page."""
    from django.db import connection
    from django.utils import timezone

    from apps.support.bulk import _copy
    from apps.support.models import Customer

    customer = Customer.objects.order_by("id").first()
    have = customer.transactions.count()
    if have < count:
        rng = random.Random(11)  # noqa: S311
        now = timezone.now()
        _copy(
            "support_transaction",
            "network tx_hash kind status amount asset round_ref customer_id submitted_at "
            "confirmed_at failure_reason attempts ingested_at from_address to_address".split(),
            (
                [
                    "ethereum",
                    "0x" + rng.getrandbits(256).to_bytes(32, "big").hex(),
                    "contribute",
                    "confirmed",
                    str(n + 1),
                    "USDT",
                    1 + n % 20,
                    customer.pk,
                    now - timezone.timedelta(minutes=n + 1),
                    now - timezone.timedelta(minutes=n),
                    "",
                    1,
                    now,
                    "",
                    "",
                ]
                for n in range(count - have)
            ),
        )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE support_transaction")
    return {"id": customer.pk, "transactions": customer.transactions.count()}


def pick_queries(n: int, seed: int) -> dict[str, list[str]]:
    """``n`` random existing values per identifier type (sampled by random ids)."""
    from django.db import connection

    rng = random.Random(seed)  # noqa: S311
    with connection.cursor() as cursor:

        def sample(sql_table, columns, where="TRUE", k=n):
            cursor.execute(f"SELECT min(id), max(id) FROM {sql_table}")
            low, high = cursor.fetchone()
            ids = sorted({rng.randint(low, high) for _ in range(k * 12)})
            cursor.execute(
                f"SELECT {columns} FROM {sql_table} WHERE id = ANY(%s) AND {where} LIMIT %s",
                [ids, k],
            )
            return [row for row in cursor.fetchall()]

        customers = sample("support_customer", "id, external_id, email, handle, display_name")
        evm = sample("support_wallet", "address", "network = 'ethereum'")
        sol = sample("support_wallet", "address", "network = 'solana'")
        tron = sample("support_wallet", "address", "network = 'tron'")
        evm_tx = sample("support_transaction", "tx_hash", "network = 'bsc'")
        tron_tx = sample("support_transaction", "tx_hash", "network = 'tron'")
        sol_tx = sample("support_transaction", "tx_hash", "network = 'solana'")
    queries = {
        "email": [row[2] for row in customers],
        "external_id": [row[1] for row in customers],
        "handle": ["@" + row[3] for row in customers],
        "customer_number": [str(row[0]) for row in customers],
        "evm_address_checksum": [row[0] for row in evm],
        "evm_address_lower": [row[0].lower() for row in evm],
        "solana_address": [row[0] for row in sol],
        "tron_address": [row[0] for row in tron],
        "evm_tx_hash": [row[0] for row in evm_tx],
        "tron_tx_id": [row[0] for row in tron_tx],
        "solana_signature": [row[0] for row in sol_tx],
        "partial_email": [_substring(rng, row[2].split("@")[0], 6) for row in customers],
        "partial_handle": [_substring(rng, row[3], 6) for row in customers],
        "hash_prefix": [row[0][:14] for row in evm_tx],
        "address_prefix": [row[0][:12].lower() for row in evm],
    }
    return {kind: values[:n] for kind, values in queries.items()}


def _substring(rng, text: str, size: int) -> str:
    if len(text) <= size:
        return text
    start = rng.randrange(0, len(text) - size)
    return text[start : start + size]


def main(argv=None) -> None:
    args = parse_args(argv if argv is not None else sys.argv[1:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    django.setup()
    result = {"admin": make_admin()}
    if not args.reuse:
        result.update(load(args))
    result["page_customer"] = page_customer(args.page_transactions)
    result["queries"] = pick_queries(args.queries, args.seed)
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    main()
