"""Bulk loads of the read models: a JSONL file (``support_import``) and generated data
(``support_fake``).

``import_file`` holds the ingestion API's rule, with the whole file as the batch: every
line is checked first (line numbers in the errors) and, if any is bad, nothing is
written. Then, on PostgreSQL, each entity's records are streamed with ``COPY`` into a
temporary table and upserted by natural key in one statement (``INSERT … ON CONFLICT DO
UPDATE … WHERE (columns) IS DISTINCT FROM …``: a replayed file changes nothing); other
databases take the ingestion service's path in chunks. All in one transaction.

``copy_generated`` is the benchmark's loader: generated data (valid by construction) is
written straight into the tables with ``COPY``, ids assigned here, for an empty read
model at millions of rows.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from apps.core.events import record_event
from apps.support.identifiers import normalise_email, normalise_handle, normalise_name
from apps.support.models import Customer
from apps.support.records import (
    ENTITIES,
    LOAD_ORDER,
    WALLET,
    Context,
    Entity,
    RecordInvalid,
    clean_record,
    links_customer,
    natural_key,
)
from apps.support.services.ingestion import IngestResult, _write, network_kinds

MAX_REPORTED_ERRORS = 50


@dataclass
class ImportReport:
    lines: int = 0
    errors: list[tuple[int, str, str]] = field(default_factory=list)
    results: dict[str, IngestResult] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.errors


def iter_jsonl(path: Path) -> Iterator[tuple[int, object]]:
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError as error:
                yield number, error


def import_file(
    path: Path,
    *,
    actor=None,
    entity: str | None = None,
    progress: Callable[[str], None] = print,
    every: int = 100_000,
) -> ImportReport:
    """Check every line, then load them all (see the module doc)."""
    started = time.monotonic()
    report = ImportReport()
    networks = network_kinds()
    file_customers: set[str] = set()
    cleaned: dict[str, list[dict]] = {name: [] for name in ENTITIES}
    seen: dict[str, set] = {name: set() for name in ENTITIES}
    referenced: set[str] = set()
    for number, record in iter_jsonl(path):
        report.lines += 1
        if isinstance(record, json.JSONDecodeError):
            report.errors.append((number, "line", f"not JSON: {record.msg}"))
            continue
        name = entity
        if name is None:
            name = record.pop("entity", None) if isinstance(record, dict) else None
        spec = ENTITIES.get(name or "")
        if spec is None:
            report.errors.append((number, "entity", f"unknown entity {name!r}"))
            continue
        ctx = Context(networks=networks, customer_exists=lambda ref: True)
        try:
            row = clean_record(spec, record, ctx)
        except RecordInvalid as error:
            report.errors.extend((number, k, v) for k, v in error.errors.items())
            continue
        key = natural_key(spec, row)
        if key in seen[spec.name]:
            report.errors.append(
                (number, spec.fields[0].name, "the same object as an earlier line")
            )
            continue
        seen[spec.name].add(key)
        if spec.name == "customers":
            file_customers.add(row["external_id"])
        elif links_customer(spec) and row.get("customer_external_id"):
            referenced.add(row["customer_external_id"])
            row["_line"] = number
        cleaned[spec.name].append(row)
        if report.lines % every == 0:
            progress(f"checked {report.lines:,} lines")
    missing = referenced - file_customers
    if missing:
        known = _existing_external_ids(missing)
        for name in LOAD_ORDER:
            for row in cleaned[name]:
                ref = row.get("customer_external_id")
                if ref and ref in missing and ref not in known:
                    report.errors.append(
                        (row["_line"], "customer", f"no customer with external id {ref!r}")
                    )
    if report.errors:
        report.errors.sort()
        report.seconds = time.monotonic() - started
        return report
    progress(f"checked {report.lines:,} lines; loading")
    with transaction.atomic():
        for name in LOAD_ORDER:
            rows = cleaned[name]
            if not rows:
                continue
            for row in rows:
                row.pop("_line", None)
            spec = ENTITIES[name]
            if connection.vendor == "postgresql":
                result = pg_upsert(spec, rows)
            else:
                result = IngestResult(entity=name, received=len(rows))
                for start in range(0, len(rows), 1000):
                    _write(spec, rows[start : start + 1000], result)
            report.results[name] = result
            progress(
                f"{name}: {result.created:,} created, {result.updated:,} updated, "
                f"{result.unchanged:,} unchanged"
            )
        changed = {n: r.as_dict() for n, r in report.results.items() if r.changed}
        if changed:
            record_event(
                "support.ingested",
                actor=actor,
                data={"source": "import", "file": path.name, "entities": changed},
            )
    report.seconds = time.monotonic() - started
    return report


def _existing_external_ids(external_ids: set[str]) -> set[str]:
    found: set[str] = set()
    wanted = sorted(external_ids)
    for start in range(0, len(wanted), 5000):
        found.update(
            Customer.objects.filter(external_id__in=wanted[start : start + 5000]).values_list(
                "external_id", flat=True
            )
        )
    return found


# --- PostgreSQL: COPY into a staging table, then one upsert ------------------------------


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True)
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def pg_upsert(spec: Entity, rows: list[dict]) -> IngestResult:
    model = spec.model
    table = model._meta.db_table
    columns = list(rows[0].keys())
    fields = {f.attname: f for f in model._meta.concrete_fields}
    stage = f"{table}_stage"
    quoted = ", ".join(f'"{c}" text' for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMP TABLE {stage} ({quoted}) ON COMMIT DROP")
        with cursor.copy(
            f"COPY {stage} ({', '.join(chr(34) + c + chr(34) for c in columns)}) FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row([_text(row[c]) for c in columns])
        targets, selects = [], []
        join = ""
        for column in columns:
            if column == "customer_external_id" and links_customer(spec):
                targets.append('"customer_id"')
                selects.append("c.id")
                join = f"LEFT JOIN support_customer c ON c.external_id = s.{column}"
                continue
            db_type = fields[column].db_type(connection)
            targets.append(f'"{column}"')
            selects.append(f's."{column}"::{db_type}')
        targets.append('"ingested_at"')
        selects.append("now()")
        if spec is WALLET:
            cursor.execute(
                f"UPDATE support_wallet w SET is_primary = false, ingested_at = now() "  # noqa: S608 (table and column names from model metadata)
                f"FROM {stage} s JOIN support_customer c ON c.external_id = s.customer_external_id "
                f"WHERE s.is_primary::boolean AND w.customer_id = c.id AND w.network = s.network "
                f"AND w.address_norm <> s.address_norm AND w.is_primary"
            )
        keys = ", ".join(f'"{k}"' for k in spec.key)
        updated = [t for t in targets if t.strip('"') not in spec.key and t != '"ingested_at"']
        assignments = ", ".join(f"{t} = EXCLUDED.{t}" for t in [*updated, '"ingested_at"'])
        compare = ", ".join(f"t.{t}" for t in updated)
        excluded = ", ".join(f"EXCLUDED.{t}" for t in updated)
        cursor.execute(
            f"WITH written AS ("  # noqa: S608 (table and column names from model metadata)
            f"INSERT INTO {table} AS t ({', '.join(targets)}) "
            f"SELECT {', '.join(selects)} FROM {stage} s {join} "
            f"ON CONFLICT ({keys}) DO UPDATE SET {assignments} "
            f"WHERE ({compare}) IS DISTINCT FROM ({excluded}) "
            f"RETURNING (xmax = 0) AS created) "
            f"SELECT count(*) FILTER (WHERE created), count(*) FILTER (WHERE NOT created) "
            f"FROM written"
        )
        created, updated_count = cursor.fetchone()
        cursor.execute(f"DROP TABLE {stage}")
    return IngestResult(
        entity=spec.name,
        received=len(rows),
        created=created,
        updated=updated_count,
        unchanged=len(rows) - created - updated_count,
    )


# --- generated data straight into the tables (benchmarks) ---------------------------------


def _copy(table: str, columns: list[str], rows: Iterable[list]) -> int:
    count = 0
    with connection.cursor() as cursor:
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
    return count


def _next_id(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")  # noqa: S608 (table and column names from model metadata)
        return cursor.fetchone()[0]


def _reset_sequence(table: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 (table and column names from model metadata)
            f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
        )


def copy_generated(platform, *, progress: Callable[[str], None] = print) -> dict[str, float]:
    """Write ``platform``'s records with COPY (PostgreSQL, keys not yet present).

    Returns seconds per entity. Rows are normalised here as ingestion would; the
    generator's data is valid by construction, so nothing is re-checked.
    """
    if connection.vendor != "postgresql":
        raise RuntimeError("copy_generated needs PostgreSQL.")
    timings: dict[str, float] = {}
    now = timezone.now()
    kinds = network_kinds()

    def timed(name, func):
        started = time.monotonic()
        count = func()
        timings[name] = time.monotonic() - started
        progress(f"{name}: {count:,} rows in {timings[name]:.1f} s")

    timed(
        "rounds",
        lambda: _copy(
            "support_round",
            "round_id project_ref project_name network asset status result soft_cap hard_cap "
            "total_raised contributor_count starts_at ends_at ingested_at".split(),
            (
                [
                    r["round_id"],
                    r["project_id"],
                    r["project_name"],
                    r["network"],
                    r["asset"],
                    r["status"],
                    r["result"],
                    r["soft_cap"],
                    r["hard_cap"],
                    r["total_raised"],
                    r["contributor_count"],
                    r["starts_at"],
                    r["ends_at"],
                    now,
                ]
                for r in platform.rounds()
            ),
        ),
    )
    first_customer = _next_id("support_customer")
    ids: dict[str, int] = {}

    def customers():
        for offset, r in enumerate(platform.customer_records()):
            ids[r["external_id"]] = first_customer + offset
            yield [
                first_customer + offset,
                r["external_id"],
                r["email"],
                normalise_email(r["email"]),
                r["handle"],
                normalise_handle(r["handle"]),
                r["display_name"],
                normalise_name(r["display_name"]),
                r["language"],
                r["created_at"],
                r["kyc_status"],
                r["kyc_rejection_reason"],
                r["bluecheck_status"],
                r["bluecheck_expires_at"],
                r["referrer"],
                r["active_referral_count"],
                r["banned"],
                now,
            ]

    timed(
        "customers",
        lambda: _copy(
            "support_customer",
            "id external_id email email_norm handle handle_norm display_name name_norm language "
            "platform_created_at kyc_status kyc_rejection_reason bluecheck_status "
            "bluecheck_expires_at referrer_external_id active_referral_count banned "
            "ingested_at".split(),
            customers(),
        ),
    )
    _reset_sequence("support_customer")
    timed(
        "wallets",
        lambda: _copy(
            "support_wallet",
            "customer_id network address address_norm is_primary linked_at ingested_at".split(),
            (
                [
                    ids[r["customer"]],
                    r["network"],
                    r["address"],
                    r["address"].lower() if kinds.get(r["network"]) == "evm" else r["address"],
                    r["primary"],
                    r["linked_at"],
                    now,
                ]
                for r in platform.wallet_records()
            ),
        ),
    )
    history: dict = {}
    timed(
        "transactions",
        lambda: _copy(
            "support_transaction",
            "network tx_hash kind status amount asset from_address to_address round_ref "
            "customer_id submitted_at confirmed_at failure_reason attempts ingested_at".split(),
            (
                [
                    r["network"],
                    r["hash"],
                    r["kind"],
                    r["status"],
                    r["amount"],
                    r["asset"],
                    "",
                    "",
                    r["round"],
                    ids[r["customer"]],
                    r["submitted_at"],
                    r["confirmed_at"],
                    r["failure_reason"],
                    r["attempts"],
                    now,
                ]
                for r in platform.transaction_records(history=history)
            ),
        ),
    )
    claims, refunds = platform.claim_and_refund_records(history)
    timed(
        "claims",
        lambda: _copy(
            "support_claim",
            "claim_id customer_id claim_type round_ref network amount asset status "
            "failure_reason tx_hash created_at ingested_at".split(),
            (
                [
                    r["claim_id"],
                    ids[r["customer"]],
                    r["claim_type"],
                    r["round"],
                    r["network"],
                    r["amount"],
                    r["asset"],
                    r["status"],
                    r.get("failure_reason", ""),
                    r.get("hash", ""),
                    r["created_at"],
                    now,
                ]
                for r in claims
            ),
        ),
    )
    timed(
        "refunds",
        lambda: _copy(
            "support_refund",
            "refund_id customer_id round_ref network amount asset status failure_reason "
            "tx_hash created_at ingested_at".split(),
            (
                [
                    r["refund_id"],
                    ids[r["customer"]],
                    r["round"],
                    r["network"],
                    r["amount"],
                    r["asset"],
                    r["status"],
                    r.get("failure_reason", ""),
                    r.get("hash", ""),
                    r["created_at"],
                    now,
                ]
                for r in refunds
            ),
        ),
    )
    for table in (
        "support_round",
        "support_wallet",
        "support_transaction",
        "support_claim",
        "support_refund",
    ):
        _reset_sequence(table)
    return timings
