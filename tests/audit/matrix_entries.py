"""Role-matrix entries of the audit trail (API and pages). See tests/matrix.py."""

from __future__ import annotations

from apps.accounts.roles import INCIDENT_COMMANDER, OPS, REVIEWER, SUPER_ADMIN
from apps.audit.models import LogEntry
from apps.core.events import record_access, record_event
from tests.factories import UserFactory
from tests.matrix import Entry

VIEWERS = {SUPER_ADMIN, OPS, REVIEWER, INCIDENT_COMMANDER}
EXPORTERS = {SUPER_ADMIN}


def _person(ctx):
    return ctx.get("audited_person", UserFactory)


def _change(ctx):
    return ctx.get(
        "change", lambda: LogEntry.objects.filter(object_pk=str(_person(ctx).pk)).first()
    )


def _event(ctx):
    return ctx.get("event", lambda: record_event("matrix.happened", target=_person(ctx)))


def _access(ctx):
    return ctx.get("access", lambda: record_access(subject=_person(ctx), reason="matrix"))


ENTRIES = [
    Entry("audit.api.changes.list", "GET", "/v1/audit/changes/", roles=VIEWERS),
    Entry(
        "audit.api.changes.retrieve",
        "GET",
        lambda ctx: f"/v1/audit/changes/{_change(ctx).pk}/",
        roles=VIEWERS,
    ),
    Entry("audit.api.events.list", "GET", "/v1/audit/events/", roles=VIEWERS),
    Entry(
        "audit.api.events.retrieve",
        "GET",
        lambda ctx: f"/v1/audit/events/{_event(ctx).pk}/",
        roles=VIEWERS,
    ),
    Entry("audit.api.access.list", "GET", "/v1/audit/access/", roles=VIEWERS),
    Entry(
        "audit.api.access.retrieve",
        "GET",
        lambda ctx: f"/v1/audit/access/{_access(ctx).pk}/",
        roles=VIEWERS,
    ),
    Entry("audit.page.trail", "GET", "/audit/", roles=VIEWERS),
    Entry("audit.page.export_form", "GET", "/audit/export/?kind=events", roles=EXPORTERS),
    Entry(
        "audit.page.export",
        "POST",
        "/audit/export/?kind=events",
        roles=EXPORTERS,
        data={"export_format": "json", "reason": "matrix"},
    ),
]
