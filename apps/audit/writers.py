"""The writers behind ``apps.core.events.record_event`` and ``record_access``.

Registered in ``AuditConfig.ready``. They write in the caller's transaction, so an event
exists exactly when the change it describes was committed. Actor, request id and remote
address default to the current request's or task's (``apps.core.context``).
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext as _

from apps.audit.models import AccessLogEntry, AuditEvent
from apps.core import context

# Columns the writer fills itself or the chain computes; not checked by full_clean.
_NOT_VALIDATED = ["actor", "prev_hash", "key_id", "row_hash"]


def describe(obj: Any) -> tuple[str, str, str]:
    """(type, id, text) of a model instance, or of a ``(type, id, text)`` triple."""
    if isinstance(obj, models.Model):
        return obj._meta.label_lower, str(obj.pk), str(obj)
    if isinstance(obj, tuple | list) and len(obj) == 3:
        return str(obj[0]), str(obj[1]), str(obj[2])
    raise TypeError("Pass a model instance or a (type, id, text) triple.")


def _actor(actor):
    return actor if actor is not None else context.get_actor()


def _json_safe(data: dict[str, Any]) -> dict[str, Any]:
    # Services pass Decimals, UUIDs and datetimes; store them as their JSON text.
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def write_event(name: str, *, actor=None, target=None, data: dict | None = None) -> AuditEvent:
    actor = _actor(actor)
    target_type = target_id = target_repr = ""
    if target is not None:
        target_type, target_id, target_repr = describe(target)
    event = AuditEvent(
        name=name,
        actor_id=actor.pk if actor is not None else None,
        actor_repr=str(actor)[:150] if actor is not None else "",
        target_type=target_type[:100],
        target_id=target_id[:64],
        target_repr=target_repr[:300],
        data=_json_safe(data or {}),
        request_id=context.get_request_id() or "",
        remote_addr=context.get_remote_addr(),
    )
    event.full_clean(exclude=_NOT_VALIDATED)
    event.save()
    return event


def write_access(
    *, subject, reason: str, ticket: str = "", actor=None, what: str = "view"
) -> AccessLogEntry:
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Say why you need this.")]})
    actor = _actor(actor)
    subject_type, subject_id, subject_repr = describe(subject)
    entry = AccessLogEntry(
        actor_id=actor.pk if actor is not None else None,
        actor_repr=str(actor)[:150] if actor is not None else "",
        what=what,
        subject_type=subject_type[:100],
        subject_id=subject_id[:64],
        subject_repr=subject_repr[:300],
        reason=reason.strip(),
        ticket=(ticket or "").strip(),
        request_id=context.get_request_id() or "",
        remote_addr=context.get_remote_addr(),
    )
    entry.full_clean(exclude=_NOT_VALIDATED)
    entry.save()
    return entry
