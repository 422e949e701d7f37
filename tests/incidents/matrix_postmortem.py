"""Role-matrix entries of post-mortems (see tests/matrix.py): the editor, action items,
the metrics page and the /v1/ post-mortem routes.

Everyone verified reads post-mortems, action items and the metrics; tokens read with
``incidents:read``. Writing is the incident's: its role holders (not matrix callers here),
incident commanders and super admins (``incidents.change_incident`` on every incident);
an action item's owner may also move its status. Writes are people-only.
"""

from __future__ import annotations

from datetime import date, timedelta

from apps.accounts.roles import INCIDENT_COMMANDER, SUPER_ADMIN
from tests.matrix import EVERY_ROLE, Entry

READ = {"incidents:read"}
RUNNERS = {INCIDENT_COMMANDER, SUPER_ADMIN}


def _incident(ctx):
    def make():
        from tests.incidents.postmortem_helpers import resolved

        return resolved(severity="S1")

    return ctx.get("pm_incident", make)


def _number(ctx) -> str:
    return _incident(ctx).number


def _item(ctx):
    def make():
        from apps.incidents.services import postmortems

        incident = _incident(ctx)
        return postmortems.action_item_create(
            actor=incident.owner,
            postmortem=incident.postmortem,
            title="Matrix follow-up",
            owner=incident.owner,
            due_date=date.today() + timedelta(days=3),
        )

    return ctx.get("pm_item", make)


def _item_form(ctx):
    item = _item(ctx)
    return {
        "title": item.title,
        "owner": item.owner_id,
        "due_date": item.due_date.isoformat(),
        "status": "in_progress",
        "link": "",
    }


ENTRIES = [
    # --- pages
    Entry(
        "incidents.postmortem.editor",
        "GET",
        lambda ctx: f"/incidents/{_number(ctx)}/postmortem",
        roles=EVERY_ROLE,
    ),
    Entry(
        "incidents.postmortem.save",
        "POST",
        lambda ctx: f"/incidents/{_number(ctx)}/postmortem",
        roles=RUNNERS,
        data=lambda ctx: {"owner": _incident(ctx).owner_id, "summary": "matrix"},
    ),
    Entry(
        "incidents.postmortem.state",
        "POST",
        lambda ctx: f"/incidents/{_number(ctx)}/postmortem/state",
        roles=RUNNERS,
        data={"action": "submit"},
    ),
    Entry(
        "incidents.postmortem.action_item_add",
        "POST",
        lambda ctx: f"/incidents/{_number(ctx)}/postmortem/action-items",
        roles=RUNNERS,
        data=lambda ctx: {
            "title": "Matrix",
            "owner": _incident(ctx).owner_id,
            "due_date": date.today().isoformat(),
            "status": "open",
        },
    ),
    Entry(
        "incidents.action_items",
        "GET",
        "/incidents/action-items/?mine=on&overdue=on",
        roles=EVERY_ROLE,
    ),
    Entry(
        "incidents.action_item.view",
        "GET",
        lambda ctx: f"/incidents/action-items/{_item(ctx).pk}/",
        roles=EVERY_ROLE,
    ),
    Entry(
        "incidents.action_item.edit",
        "POST",
        lambda ctx: f"/incidents/action-items/{_item(ctx).pk}/",
        roles=RUNNERS,
        data=_item_form,
    ),
    Entry("incidents.metrics", "GET", "/incidents/metrics/", roles=EVERY_ROLE),
    # --- API
    Entry(
        "incidents.api.postmortem",
        "GET",
        lambda ctx: f"/v1/incidents/{_number(ctx)}/postmortem",
        roles=EVERY_ROLE,
        scopes=READ,
    ),
    Entry(
        "incidents.api.postmortem_write",
        "PUT",
        lambda ctx: f"/v1/incidents/{_number(ctx)}/postmortem",
        roles=RUNNERS,
        data={"summary": "matrix"},
    ),
    Entry(
        "incidents.api.postmortem_submit",
        "POST",
        lambda ctx: f"/v1/incidents/{_number(ctx)}/postmortem/submit",
        roles=RUNNERS,
    ),
    Entry(
        "incidents.api.postmortem_publish",
        "POST",
        lambda ctx: f"/v1/incidents/{_number(ctx)}/postmortem/publish",
        roles=RUNNERS,
    ),
    Entry(
        "incidents.api.postmortem_return",
        "POST",
        lambda ctx: f"/v1/incidents/{_number(ctx)}/postmortem/return",
        roles=RUNNERS,
        data={"reason": "matrix"},
    ),
    Entry(
        "incidents.api.action_items",
        "GET",
        lambda ctx: f"/v1/incidents/{_number(ctx)}/postmortem/action-items",
        roles=EVERY_ROLE,
        scopes=READ,
    ),
    Entry(
        "incidents.api.action_item_add",
        "POST",
        lambda ctx: f"/v1/incidents/{_number(ctx)}/postmortem/action-items",
        roles=RUNNERS,
        data=lambda ctx: {
            "title": "Matrix",
            "owner": _incident(ctx).owner_id,
            "due_date": date.today().isoformat(),
        },
    ),
    Entry(
        "incidents.api.action_item_change",
        "PATCH",
        lambda ctx: f"/v1/incidents/action-items/{_item(ctx).pk}",
        roles=RUNNERS,
        data={"status": "in_progress"},
    ),
]
