"""Streaming CSV and JSON exports of the audit trail (constant memory)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from datetime import UTC
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet

from apps.audit.models import AccessLogEntry, AuditEvent, LogEntry

_ACTION_NAMES = {value: str(label) for value, label in LogEntry.Action.choices}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _time(value) -> str:
    return value.astimezone(UTC).isoformat() if value else ""


def _actor(row) -> str:
    if row.actor_id is None:
        return ""
    return row.actor.get_username()


def change_row(row: LogEntry) -> dict[str, Any]:
    return {
        "id": row.pk,
        "timestamp": _time(row.timestamp),
        "actor": _actor(row),
        "actor_id": row.actor_id,
        "action": _ACTION_NAMES.get(row.action, str(row.action)),
        "object_type": f"{row.content_type.app_label}.{row.content_type.model}",
        "object_id": row.object_pk,
        "object_repr": row.object_repr,
        "changes": row.changes or {},
        "request_id": row.request_id,
        "remote_addr": row.remote_addr,
        "prev_hash": row.prev_hash,
        "row_hash": row.row_hash,
    }


def event_row(row: AuditEvent) -> dict[str, Any]:
    return {
        "id": row.pk,
        "timestamp": _time(row.timestamp),
        "actor": _actor(row) or row.actor_repr,
        "actor_id": row.actor_id,
        "name": row.name,
        "target_type": row.target_type,
        "target_id": row.target_id,
        "target_repr": row.target_repr,
        "data": row.data,
        "request_id": row.request_id,
        "remote_addr": row.remote_addr,
        "prev_hash": row.prev_hash,
        "row_hash": row.row_hash,
    }


def access_row(row: AccessLogEntry) -> dict[str, Any]:
    return {
        "id": row.pk,
        "timestamp": _time(row.timestamp),
        "actor": _actor(row) or row.actor_repr,
        "actor_id": row.actor_id,
        "what": row.what,
        "subject_type": row.subject_type,
        "subject_id": row.subject_id,
        "subject_repr": row.subject_repr,
        "reason": row.reason,
        "ticket": row.ticket,
        "request_id": row.request_id,
        "remote_addr": row.remote_addr,
        "prev_hash": row.prev_hash,
        "row_hash": row.row_hash,
    }


ROW_BUILDERS = {"changes": change_row, "events": event_row, "access": access_row}
_COMMON_TAIL = ["request_id", "remote_addr", "prev_hash", "row_hash"]
COLUMNS = {
    "changes": ["id", "timestamp", "actor", "actor_id", "action", "object_type", "object_id"]
    + ["object_repr", "changes", *_COMMON_TAIL],
    "events": ["id", "timestamp", "actor", "actor_id", "name", "target_type", "target_id"]
    + ["target_repr", "data", *_COMMON_TAIL],
    "access": ["id", "timestamp", "actor", "actor_id", "what", "subject_type", "subject_id"]
    + ["subject_repr", "reason", "ticket", *_COMMON_TAIL],
}


def _rows(queryset: QuerySet, kind: str) -> Iterator[dict[str, Any]]:
    build = ROW_BUILDERS[kind]
    for row in queryset.iterator(chunk_size=500):
        yield build(row)


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_cell(value: Any) -> Any:
    if isinstance(value, dict | list):
        value = json.dumps(value, cls=DjangoJSONEncoder, sort_keys=True, ensure_ascii=False)
    if value is None:
        return ""
    # A spreadsheet would run a cell starting with these as a formula.
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def stream_csv(queryset: QuerySet, kind: str) -> Iterable[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(COLUMNS[kind])
    for row in _rows(queryset, kind):
        yield writer.writerow([_csv_cell(row[column]) for column in COLUMNS[kind]])


def stream_json(queryset: QuerySet, kind: str) -> Iterable[str]:
    yield "["
    first = True
    for row in _rows(queryset, kind):
        yield (
            ("" if first else ",")
            + "\n"
            + json.dumps(row, cls=DjangoJSONEncoder, ensure_ascii=False)
        )
        first = False
    yield "\n]\n"
