"""Canonical JSON for frozen payloads: sorted keys, no floats, Decimals as strings.

The same payload always gives the same text and the same SHA-256, so the digest stored
with a change request proves what was approved.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import uuid
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def _normalise(value: Any, path: str) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, str | int):
        return value
    if isinstance(value, float):
        raise ValidationError(
            {
                "payload": [
                    _(
                        "%(path)s is a floating-point number; send amounts and fractions "
                        "as decimal strings."
                    )
                    % {"path": path or "payload"}
                ]
            }
        )
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValidationError(
                {"payload": [_("%(path)s is not a finite number.") % {"path": path}]}
            )
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValidationError(
                    {"payload": [_("%(path)s has a key that is not text.") % {"path": path}]}
                )
            out[key] = _normalise(item, f"{path}.{key}" if path else key)
        return out
    if isinstance(value, list | tuple):
        return [_normalise(item, f"{path}[{index}]") for index, item in enumerate(value)]
    raise ValidationError(
        {
            "payload": [
                _("%(path)s holds a value of an unsupported type.") % {"path": path or "payload"}
            ]
        }
    )


def canonical_payload(payload: Any) -> dict:
    """The payload as plain JSON values (Decimals and dates become strings)."""
    if not isinstance(payload, dict):
        raise ValidationError({"payload": [_("The payload must be a JSON object.")]})
    return _normalise(payload, "")


def canonical_json(payload: Any) -> str:
    """Canonical text of a payload: sorted keys, compact separators, UTF-8 kept."""
    return json.dumps(
        canonical_payload(payload), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )


def payload_digest(payload: Any) -> str:
    return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()
