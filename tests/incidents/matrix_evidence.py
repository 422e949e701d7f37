"""Role-matrix entries of incident evidence (pages and /v1/)."""

from __future__ import annotations

import secrets

from apps.accounts.roles import INCIDENT_COMMANDER, SUPER_ADMIN
from tests.matrix import EVERY_ROLE, Entry

# Attaching needs the right to run the incident: held globally by incident commanders and
# super admins (the matrix's callers hold no role in the incident).
RUNNERS = {INCIDENT_COMMANDER, SUPER_ADMIN}


def _incident(ctx):
    from tests.incidents.factories import declare

    return ctx.get("evidence_incident", declare)


def _evidence(ctx):
    """A row without bytes behind it: a download answers 409 for whoever may read it
    (the matrix checks who gets past the door, and writes nothing to the storage)."""

    def make():
        from apps.incidents.models import Evidence, EvidenceKind

        return Evidence.objects.create(
            incident=_incident(ctx),
            kind=EvidenceKind.FILE,
            title="matrix",
            storage_key=f"matrix/{secrets.token_hex(16)}",
            content_type="text/plain",
            size=1,
            sha256="0" * 64,
        )

    return ctx.get("evidence", make)


def _number(ctx) -> str:
    return _incident(ctx).number


ENTRIES = [
    Entry(
        "incidents.evidence.page",
        "GET",
        lambda ctx: f"/incidents/{_number(ctx)}/evidence/",
        roles=EVERY_ROLE,
    ),
    Entry(
        "incidents.evidence.page.upload",
        "POST",
        lambda ctx: f"/incidents/{_number(ctx)}/evidence/",
        roles=RUNNERS,
        data={"title": "matrix"},
        notes="no file: the form answers 400 for those let in",
    ),
    Entry(
        "incidents.evidence.download",
        "GET",
        lambda ctx: f"/incidents/{_number(ctx)}/evidence/{_evidence(ctx).pk}/download",
        roles=EVERY_ROLE,
    ),
    Entry(
        "incidents.api.evidence.list",
        "GET",
        lambda ctx: f"/v1/incidents/{_number(ctx)}/evidence",
        roles=EVERY_ROLE,
    ),
    Entry(
        "incidents.api.evidence.upload",
        "POST",
        lambda ctx: f"/v1/incidents/{_number(ctx)}/evidence",
        roles=RUNNERS,
        data={"title": "matrix"},
        notes="no file: 400 naming 'file' for those let in",
    ),
    Entry(
        "incidents.api.evidence.detail",
        "GET",
        lambda ctx: f"/v1/incidents/{_number(ctx)}/evidence/{_evidence(ctx).pk}",
        roles=EVERY_ROLE,
    ),
    Entry(
        "incidents.api.evidence.download",
        "GET",
        lambda ctx: f"/v1/incidents/{_number(ctx)}/evidence/{_evidence(ctx).pk}/download",
        roles=EVERY_ROLE,
    ),
]
