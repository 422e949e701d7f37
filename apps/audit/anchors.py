"""Anchors: a chain head (chain, last id, last hash) kept outside the database.

An anchor is written as one JSON line (``manage.py audit_anchor``, and the ``audit.anchor``
log event when ``LOG_JSON`` is on)::

    {"chain": "events", "last_id": 1042, "last_hash": "9f2c…", "taken_at": "2026-…"}

or inline as ``events:1042:9f2c…``. ``manage.py audit_verify --anchor`` takes either an
inline anchor or a file; in a file, each line that is a JSON anchor, an inline anchor
or a text log line of the ``audit.anchor`` event (``chain=… last_id=… last_hash=…``) is
an anchor, and other lines (the rest of a log) are skipped.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from django.db import DEFAULT_DB_ALIAS

from apps.audit.chain import CHAIN_NAMES, GENESIS
from apps.audit.models import ChainHead

_HASH = r"[0-9a-f]{64}"
_INLINE = re.compile(rf"^(?P<chain>[a-z_]+):(?P<last_id>\d+):(?P<last_hash>{_HASH})$")
_LOG_TEXT = re.compile(
    rf"\baudit\.anchor\b.*\bchain=(?P<chain>[a-z_]+)\b.*\blast_id=(?P<last_id>\d+)\b"
    rf".*\blast_hash=(?P<last_hash>{_HASH})\b"
)


class AnchorError(ValueError):
    """An anchor that cannot be read; the message says which and why."""


@dataclass(frozen=True)
class Anchor:
    chain: str
    last_id: int
    last_hash: str

    @property
    def inline(self) -> str:
        return f"{self.chain}:{self.last_id}:{self.last_hash}"

    def as_json(self, *, taken_at=None) -> str:
        data = {"chain": self.chain, "last_id": self.last_id, "last_hash": self.last_hash}
        if taken_at is not None:
            data["taken_at"] = taken_at.isoformat()
        return json.dumps(data, sort_keys=True)


def current_anchors(using: str = DEFAULT_DB_ALIAS) -> list[Anchor]:
    """The anchors of every chain's head right now (one query, no lock)."""
    heads = ChainHead.objects.using(using).filter(chain__in=CHAIN_NAMES).order_by("chain")
    found = {head.chain: Anchor(head.chain, head.last_id, head.last_hash) for head in heads}
    return [found.get(name, Anchor(name, 0, GENESIS)) for name in CHAIN_NAMES]


def _anchor(chain, last_id, last_hash, *, where: str) -> Anchor:
    if chain not in CHAIN_NAMES:
        raise AnchorError(
            f"{where}: unknown chain {chain!r} (expected one of {', '.join(CHAIN_NAMES)})."
        )
    if isinstance(last_id, str) and last_id.isascii() and last_id.isdigit():
        last_id = int(last_id)
    if isinstance(last_id, bool) or not isinstance(last_id, int) or last_id < 0:
        raise AnchorError(f"{where}: last_id must be a whole number of 0 or more.")
    if not isinstance(last_hash, str) or not re.fullmatch(_HASH, last_hash):
        raise AnchorError(f"{where}: last_hash must be 64 lowercase hex digits.")
    return Anchor(chain, last_id, last_hash)


def _parse_line(line: str, *, where: str) -> Anchor | None:
    line = line.strip()
    if not line:
        return None
    match = _INLINE.match(line)
    if match:
        return _anchor(match["chain"], int(match["last_id"]), match["last_hash"], where=where)
    if line.startswith("{"):
        try:
            data = json.loads(line)
        except ValueError:
            return None
        if not isinstance(data, dict) or not {"chain", "last_id", "last_hash"} <= data.keys():
            if isinstance(data, dict) and data.get("event") == "audit.anchor":
                raise AnchorError(f"{where}: an audit.anchor line lacks chain/last_id/last_hash.")
            return None
        return _anchor(data["chain"], data["last_id"], data["last_hash"], where=where)
    match = _LOG_TEXT.search(line)
    if match:
        return _anchor(match["chain"], int(match["last_id"]), match["last_hash"], where=where)
    return None


def parse_anchor_argument(value: str) -> list[Anchor]:
    """Anchors from ``--anchor``: an inline ``chain:id:hash`` or a file of anchor lines."""
    value = (value or "").strip()
    match = _INLINE.match(value)
    if match:
        return [_anchor(match["chain"], int(match["last_id"]), match["last_hash"], where=value)]
    path = Path(value)
    if not path.is_file():
        raise AnchorError(
            f"--anchor {value!r} is neither an anchor (chain:id:hash, with a 64-digit hex "
            "hash) nor a readable file."
        )
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise AnchorError(f"--anchor {value!r} cannot be read ({error}).") from error
    anchors = [
        anchor
        for number, line in enumerate(text.splitlines(), start=1)
        if (anchor := _parse_line(line, where=f"{value}, line {number}")) is not None
    ]
    if not anchors:
        raise AnchorError(f"--anchor {value!r} holds no anchor line.")
    return anchors
