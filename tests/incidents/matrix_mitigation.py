"""Role-matrix entries of the mitigation part (see tests/matrix.py).

Everyone sees the switches an incident holds. Blocking one for an incident is the flags'
own rule (``flags.block_flag``: ops, incident commanders, super admins). The resolution
screen and ``POST …/resolve`` are for whoever runs the incident (``change_incident``:
incident commanders and super admins globally). Tokens read the switches with
``incidents:read``; the writes are for people only.
"""

from __future__ import annotations

from apps.accounts.roles import INCIDENT_COMMANDER, OPS, SUPER_ADMIN
from tests.matrix import EVERY_ROLE, Entry

BLOCKERS = {OPS, INCIDENT_COMMANDER, SUPER_ADMIN}
RUNNERS = {INCIDENT_COMMANDER, SUPER_ADMIN}


def _incident(ctx):
    def make():
        from tests.incidents.factories import declare

        return declare(title="Matrix mitigation")

    return ctx.get("mitigation_incident", make).number


def _block_body(ctx):
    return {"flag": "feed.post", "scope_kind": "global", "reason": "matrix"}


ENTRIES = [
    # --- pages ---------------------------------------------------------------------------
    Entry(
        "incidents.mitigation.switches",
        "GET",
        lambda ctx: f"/incidents/{_incident(ctx)}/switches/",
        roles=EVERY_ROLE,
    ),
    Entry(
        "incidents.mitigation.block",
        "POST",
        lambda ctx: f"/incidents/{_incident(ctx)}/switches/block",
        roles=BLOCKERS,
        data=lambda ctx: {f"block-{k}": v for k, v in _block_body(ctx).items()},
    ),
    Entry(
        "incidents.mitigation.resolve_page",
        "GET",
        lambda ctx: f"/incidents/{_incident(ctx)}/resolve",
        roles=RUNNERS,
    ),
    Entry(
        "incidents.mitigation.resolve",
        "POST",
        lambda ctx: f"/incidents/{_incident(ctx)}/resolve",
        roles=RUNNERS,
        data={"note": "matrix"},
    ),
    # --- /v1/ ----------------------------------------------------------------------------
    Entry(
        "incidents.api.switches",
        "GET",
        lambda ctx: f"/v1/incidents/{_incident(ctx)}/switches",
        roles=EVERY_ROLE,
        scopes={"incidents:read"},
    ),
    Entry(
        "incidents.api.switches_block",
        "POST",
        lambda ctx: f"/v1/incidents/{_incident(ctx)}/switches/block",
        roles=BLOCKERS,
        data={"flag": "feed.post", "reason": "matrix"},
    ),
    Entry(
        "incidents.api.resolve",
        "POST",
        lambda ctx: f"/v1/incidents/{_incident(ctx)}/resolve",
        roles=RUNNERS,
        data={"decisions": [], "note": "matrix"},
    ),
]
