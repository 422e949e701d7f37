"""``manage.py support_fake --customers N``: realistic generated platform data.

By default the records go through the ingestion service in batches of 1,000 (checked and
upserted like the platform's own; run it twice and nothing changes). ``--out FILE``
writes them as JSONL for ``support_import`` instead. ``--copy`` (PostgreSQL, an empty
read model) writes them with COPY for benchmarks at millions of rows. See
``apps.support.fake`` for what is generated.
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils.dateparse import parse_datetime

from apps.support.bulk import copy_generated
from apps.support.fake import FakePlatform
from apps.support.services.ingestion import IngestRefused, ingest_batch, network_kinds


def generated(platform: FakePlatform):
    """(entity, records) in load order."""
    yield "rounds", platform.rounds()
    yield "customers", platform.customer_records()
    yield "wallets", platform.wallet_records()
    history: dict = {}
    yield "transactions", platform.transaction_records(history=history)
    claims, refunds = platform.claim_and_refund_records(history)
    yield "claims", iter(claims)
    yield "refunds", iter(refunds)
    yield "fee_events", platform.fee_event_records()


def ingest_generated(platform: FakePlatform, *, actor=None, say=print) -> dict[str, int]:
    counts: dict[str, int] = {}
    for entity, records in generated(platform):
        batch: list[dict] = []
        total = 0
        for record in records:
            batch.append(record)
            if len(batch) == 1000:
                total += _send(entity, batch, actor)
                batch = []
        if batch:
            total += _send(entity, batch, actor)
        counts[entity] = total
        say(f"{entity}: {total:,}")
    return counts


def _send(entity, batch, actor) -> int:
    try:
        ingest_batch(actor=actor, entity=entity, records=batch, source="fake")
    except IngestRefused as refused:
        first = refused.errors[0] if refused.errors else None
        detail = f" (record {first.index}: {first.field}: {first.reason})" if first else ""
        raise CommandError(f"{entity}: {refused.message}{detail}") from None
    return len(batch)


def _moment(value: str) -> datetime:
    moment = parse_datetime(value)
    if moment is None or moment.tzinfo is None:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not an ISO 8601 date and time with a zone (2026-12-01T00:00:00Z)."
        )
    return moment


class Command(BaseCommand):
    help = "Generate realistic customers, wallets, transactions, claims and refunds."

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, required=True)
        parser.add_argument("--wallets-per-customer", type=float, default=2.0)
        parser.add_argument("--transactions-per-customer", type=float, default=10.0)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--first-number", type=int, default=1000, help="External ids start at cust-<this>."
        )
        parser.add_argument(
            "--now",
            type=_moment,
            help="The moment the data is generated around (ISO 8601 with a zone; default: now). "
            "The same seed and moment give the same records, so a replay changes nothing.",
        )
        parser.add_argument("--out", help="Write JSONL here instead of loading.")
        parser.add_argument(
            "--copy", action="store_true", help="PostgreSQL: write with COPY (an empty read model)."
        )

    def handle(self, *args, **options):
        if options["customers"] < 0:
            raise CommandError("--customers must be 0 or more.")
        networks = network_kinds()
        if not networks:
            raise CommandError(
                "No networks are configured; load the seed configuration first "
                "(manage.py seed_config load seeds/config-v1.json …)."
            )
        try:
            platform = FakePlatform(
                customers=options["customers"],
                wallets_per_customer=options["wallets_per_customer"],
                transactions_per_customer=options["transactions_per_customer"],
                seed=options["seed"],
                networks=networks,
                first_number=options["first_number"],
                now=options["now"],
            )
        except ValueError as error:
            raise CommandError(str(error)) from None
        started = time.monotonic()
        if options["out"]:
            path = Path(options["out"])
            with path.open("w", encoding="utf-8") as out:
                for entity, records in generated(platform):
                    for record in records:
                        out.write(json.dumps({"entity": entity, **record}) + "\n")
            self.stdout.write(f"Wrote {path} in {time.monotonic() - started:.1f} s.")
            return
        if options["copy"]:
            if connection.vendor != "postgresql":
                raise CommandError("--copy needs PostgreSQL.")
            timings = copy_generated(platform, progress=self.stdout.write)
            self.stdout.write(json.dumps({"load_seconds": timings}))
            return
        ingest_generated(platform, say=self.stdout.write)
        self.stdout.write(
            self.style.SUCCESS(f"Generated and ingested in {time.monotonic() - started:.1f} s.")
        )
