"""Helpers of the mitigation tests: people, blocking a switch for an incident, approving."""

from __future__ import annotations

from apps.approvals.services import change_request_approve
from apps.flags.models import Flag
from apps.incidents.models import EntryKind
from apps.incidents.services.mitigation import incident_block_switch
from tests.conftest import fresh_code, reset_replay


def flag(key: str) -> Flag:
    return Flag.objects.get(key=key)


def block_for(incident, actor, key="payout", *, scope_kind="network", scope_value="tron", **kw):
    kw.setdefault("reason", "Tron withdrawals stuck")
    return incident_block_switch(
        actor=actor,
        incident=incident,
        flag=key,
        scope_kind=scope_kind,
        scope_value=scope_value,
        **kw,
    ).state


def approve(change_request, approver, comment=""):
    reset_replay(approver)
    return change_request_approve(
        actor=approver,
        change_request_id=change_request.pk,
        otp_code=fresh_code(approver),
        comment=comment,
    )


def entries(incident, kind=None):
    rows = incident.timeline.order_by("occurred_at", "id")
    if kind is not None:
        rows = rows.filter(kind=kind)
    return list(rows)


def flag_entries(incident):
    return entries(incident, EntryKind.FLAG)


def change_request_entries(incident):
    return entries(incident, EntryKind.CHANGE_REQUEST)
