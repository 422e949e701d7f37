"""Timeline entries for kill switches and change requests that name an incident.

- ``flag_state_changed`` (apps.flags): a state inserted with ``incident_ref`` equal to an
  incident's number appends a ``flag`` entry (flag, scope, blocked/unblocked, reason, who,
  the state's id).
- ``change_request_changed`` (apps.approvals): a change request whose payload names the
  incident (``incident_ref``, as a flag state request carries it) or whose ticket is the
  incident's number appends a ``change_request`` entry when it is filed, approved,
  rejected, cancelled, expires or ends in a conflict.

Both run after the change committed. They are idempotent (a second delivery of the same
state or the same request action appends nothing) and never raise: a failure is logged.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from apps.core.logging import get_logger
from apps.incidents.models import EntryKind, Incident, TimelineEntry
from apps.incidents.services.timeline import timeline_append

log = get_logger(__name__)

FLAG_UID = "incidents.mitigation.flag_state_changed"
CHANGE_REQUEST_UID = "incidents.mitigation.change_request_changed"

_FLAG_VERBS = {
    "blocked": "blocked",
    "allowed": "unblocked",
    "closed": "closed",
    "open": "opened",
}


def _incident(number: str) -> Incident | None:
    number = (number or "").strip()
    if not number:
        return None
    return Incident.objects.filter(number=number).first()


def _username(person) -> str | None:
    return person.get_username() if getattr(person, "pk", None) else None


def flag_entry_body(*, flag_key: str, scope: str, action: str, reason: str) -> str:
    words = {
        "blocked": _("%(flag)s blocked (%(scope)s): %(reason)s"),
        "unblocked": _("%(flag)s unblocked (%(scope)s): %(reason)s"),
        "closed": _("%(flag)s closed (%(scope)s): %(reason)s"),
        "opened": _("%(flag)s opened (%(scope)s): %(reason)s"),
    }
    return words.get(action, words["blocked"]) % {
        "flag": flag_key,
        "scope": scope,
        "reason": reason,
    }


def record_flag_state(state, previous=None, actor=None) -> bool:
    """Append the ``flag`` entry of ``state`` to the incident it names (once); returns
    whether an entry was written."""
    incident = _incident(state.incident_ref)
    if incident is None:
        return False
    with transaction.atomic():
        if TimelineEntry.objects.filter(
            incident=incident, kind=EntryKind.FLAG, data__state_id=state.pk
        ).exists():
            return False
        action = _FLAG_VERBS.get(state.state, state.state)
        flag = state.flag
        timeline_append(
            incident,
            EntryKind.FLAG,
            body=flag_entry_body(
                flag_key=flag.key, scope=state.scope_label, action=action, reason=state.reason
            ),
            data={
                "state_id": state.pk,
                "flag": flag.key,
                "fund_related": flag.fund_related,
                "scope_kind": state.scope_kind,
                "scope_value": state.scope_value,
                "scope": state.scope_label,
                "state": state.state,
                "action": action,
                "previous_state": previous.state if previous is not None else flag.default_state,
                "reason": state.reason,
                "source": state.source,
                "change_request": state.change_request_id,
                "set_by": _username(state.actor),
                "actor": _username(actor),
            },
            actor=actor if getattr(actor, "pk", None) else state.actor,
            occurred_at=state.effective_from,
        )
    return True


def on_flag_state_changed(sender, state=None, previous=None, actor=None, **kwargs) -> None:
    if state is None or not getattr(state, "incident_ref", ""):
        return
    try:
        if record_flag_state(state, previous, actor):
            log.info("incident.flag_recorded", incident=state.incident_ref, state_id=state.pk)
    except Exception:  # noqa: BLE001  (the flag change is committed; never fail it)
        log.exception("incident.flag_record_failed", incident=state.incident_ref, state_id=state.pk)


# --- change requests --------------------------------------------------------------------


def incident_ref_of(change_request) -> str:
    """The incident a change request names: its payload's ``incident_ref``, else its
    ticket when that is an incident number."""
    payload = change_request.payload if isinstance(change_request.payload, dict) else {}
    ref = payload.get("incident_ref")
    if isinstance(ref, str) and ref.strip():
        return ref.strip()
    ticket = (change_request.ticket or "").strip()
    return ticket if ticket.startswith("INC-") else ""


def change_request_entry_body(change_request, action: str) -> str:
    words = {
        "created": _("Change request #%(id)s filed: %(summary)s"),
        "applied": _("Change request #%(id)s approved and applied: %(summary)s"),
        "rejected": _("Change request #%(id)s rejected: %(summary)s"),
        "cancelled": _("Change request #%(id)s cancelled: %(summary)s"),
        "expired": _("Change request #%(id)s expired undecided: %(summary)s"),
        "conflict": _("Change request #%(id)s not applied (its target changed): %(summary)s"),
        "tampered": _("Change request #%(id)s not applied (payload mismatch): %(summary)s"),
    }
    text = words.get(action, words["created"]) % {
        "id": change_request.pk,
        "summary": change_request.summary,
    }
    if action == "rejected" and change_request.decision_comment:
        text += " — " + change_request.decision_comment
    return text


def record_change_request(change_request, action: str, actor=None) -> bool:
    """Append the ``change_request`` entry for ``action`` (once per request and action)."""
    incident = _incident(incident_ref_of(change_request))
    if incident is None:
        return False
    with transaction.atomic():
        if TimelineEntry.objects.filter(
            incident=incident,
            kind=EntryKind.CHANGE_REQUEST,
            data__change_request=change_request.pk,
            data__action=action,
        ).exists():
            return False
        payload = change_request.payload if isinstance(change_request.payload, dict) else {}
        when = (
            change_request.created_at
            if action == "created"
            else change_request.decided_at or change_request.created_at
        )
        timeline_append(
            incident,
            EntryKind.CHANGE_REQUEST,
            body=change_request_entry_body(change_request, action),
            data={
                "change_request": change_request.pk,
                "action": action,
                "kind": change_request.kind,
                "status": change_request.status,
                "target": change_request.target,
                "summary": change_request.summary,
                "flag": payload.get("flag"),
                "reason": change_request.reason,
                "requester": _username(change_request.requester),
                "decided_by": _username(change_request.decided_by)
                if change_request.decided_by_id
                else None,
                "comment": change_request.decision_comment,
            },
            actor=actor,
            occurred_at=when,
        )
    return True


def on_change_request_changed(sender, change_request=None, action="", actor=None, **kwargs) -> None:
    if change_request is None:
        return
    try:
        if record_change_request(change_request, action, actor):
            log.info(
                "incident.change_request_recorded",
                change_request=change_request.pk,
                action=action,
            )
    except Exception:  # noqa: BLE001  (the request is committed; never fail it)
        log.exception(
            "incident.change_request_record_failed",
            change_request=getattr(change_request, "pk", None),
            action=action,
        )


def connect() -> None:
    """Called from ``IncidentsConfig.ready``."""
    from apps.approvals.signals import change_request_changed
    from apps.flags.signals import flag_state_changed

    flag_state_changed.connect(on_flag_state_changed, dispatch_uid=FLAG_UID)
    change_request_changed.connect(on_change_request_changed, dispatch_uid=CHANGE_REQUEST_UID)
