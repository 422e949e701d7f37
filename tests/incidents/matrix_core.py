"""Role-matrix entries of the incidents core (see tests/matrix.py): the list, declaring,
the incident page and its actions, exports, severity levels, and /v1/incidents/.

Everyone verified sees incidents and severities (tokens with ``incidents:read``). Ops,
finance, support, incident commanders and super admins declare. Running an incident is
its commander's and role holders' (a per-incident grant) and, for any incident, incident
commanders' and super admins': the matrix's incident is commanded by someone else, so
only those two roles may run it. Tokens with ``incidents:write`` declare (naming the
commander), change status and severity and add notes; roles, pages and merges are for
people. Super admins edit the severity levels.
"""

from __future__ import annotations

from apps.accounts.roles import FINANCE, INCIDENT_COMMANDER, OPS, SUPER_ADMIN, SUPPORT
from tests.matrix import EVERY_ROLE, Entry

READ = {"incidents:read"}
WRITE = {"incidents:write"}
DECLARERS = {OPS, FINANCE, SUPPORT, INCIDENT_COMMANDER, SUPER_ADMIN}
RUNNERS = {INCIDENT_COMMANDER, SUPER_ADMIN}


def _incident(ctx, name: str = "incident"):
    from tests.incidents.factories import declare

    return ctx.get(name, lambda: declare(title=f"Matrix {name}"))


def _number(ctx) -> str:
    return _incident(ctx).number


def _severity_pk(ctx) -> int:
    from apps.incidents.models import Severity

    return Severity.objects.get(code="S3").pk


def _page(path: str):
    return lambda ctx: f"/incidents/{_number(ctx)}/{path}"


def _api(path: str = ""):
    return lambda ctx: f"/v1/incidents/{_number(ctx)}{path}"


ENTRIES = [
    # --- pages -------------------------------------------------------------------------
    Entry("incidents.list", "GET", "/incidents/", roles=EVERY_ROLE),
    Entry("incidents.declare", "GET", "/incidents/declare", roles=DECLARERS),
    Entry(
        "incidents.declare.post",
        "POST",
        "/incidents/declare",
        roles=DECLARERS,
        data={"title": "Matrix declared", "severity": "S3"},
    ),
    Entry("incidents.severities", "GET", "/incidents/severities/", roles=EVERY_ROLE),
    Entry("incidents.severity_new", "GET", "/incidents/severities/new", roles={SUPER_ADMIN}),
    Entry(
        "incidents.severity_new.post",
        "POST",
        "/incidents/severities/new",
        roles={SUPER_ADMIN},
        data=lambda ctx: {"code": ctx.unique("S")[:10], "name": "Matrix", "rank": 9},
    ),
    Entry(
        "incidents.severity_edit",
        "GET",
        lambda ctx: f"/incidents/severities/{_severity_pk(ctx)}/edit",
        roles={SUPER_ADMIN},
    ),
    Entry(
        "incidents.severity_edit.post",
        "POST",
        lambda ctx: f"/incidents/severities/{_severity_pk(ctx)}/edit",
        roles={SUPER_ADMIN},
        data={"code": "S3", "name": "Minor", "rank": 0},
    ),
    Entry("incidents.detail", "GET", _page(""), roles=EVERY_ROLE),
    Entry("incidents.timeline_md", "GET", _page("timeline.md"), roles=EVERY_ROLE),
    Entry("incidents.timeline_json", "GET", _page("timeline.json"), roles=EVERY_ROLE),
    Entry(
        "incidents.status.post",
        "POST",
        _page("status"),
        roles=RUNNERS,
        data={"status-status": "identified"},
    ),
    Entry(
        "incidents.severity.post",
        "POST",
        _page("severity"),
        roles=RUNNERS,
        data={"severity-severity": "S1"},
    ),
    Entry("incidents.edit.post", "POST", _page("edit"), roles=RUNNERS, data={"title": ""}),
    Entry(
        "incidents.role.post",
        "POST",
        _page("roles"),
        roles=RUNNERS,
        data={"role-role": "scribe"},
    ),
    Entry(
        "incidents.role_end.post",
        "POST",
        _page("roles/end"),
        roles=RUNNERS,
        data={"endrole-role": "scribe"},
    ),
    Entry(
        "incidents.entry.post",
        "POST",
        _page("entries"),
        roles=RUNNERS,
        data={"entry-kind": "note", "entry-body": "Matrix note"},
    ),
    Entry("incidents.page.post", "POST", _page("page"), roles=RUNNERS, data={"page-team": ""}),
    Entry(
        "incidents.merge.post",
        "POST",
        _page("merge"),
        roles=RUNNERS,
        data={"merge-into": "INC-1999-0001", "merge-reason": "matrix"},
    ),
    # --- /v1/incidents -------------------------------------------------------------------
    Entry("incidents.api.list", "GET", "/v1/incidents/", roles=EVERY_ROLE, scopes=READ),
    Entry(
        "incidents.api.declare",
        "POST",
        "/v1/incidents/",
        roles=DECLARERS,
        scopes=WRITE,
        data={"title": "Matrix declared", "severity": "S3"},
    ),
    Entry(
        "incidents.api.severities",
        "GET",
        "/v1/incidents/severities",
        roles=EVERY_ROLE,
        scopes=READ,
    ),
    Entry("incidents.api.detail", "GET", _api(), roles=EVERY_ROLE, scopes=READ),
    Entry("incidents.api.timeline", "GET", _api("/timeline"), roles=EVERY_ROLE, scopes=READ),
    Entry("incidents.api.timeline_md", "GET", _api("/timeline.md"), roles=EVERY_ROLE, scopes=READ),
    Entry(
        "incidents.api.status",
        "POST",
        _api("/status"),
        roles=RUNNERS,
        scopes=WRITE,
        data={"status": "identified"},
    ),
    Entry(
        "incidents.api.severity",
        "POST",
        _api("/severity"),
        roles=RUNNERS,
        scopes=WRITE,
        data={"severity": "S1"},
    ),
    Entry(
        "incidents.api.entries",
        "POST",
        _api("/entries"),
        roles=RUNNERS,
        scopes=WRITE,
        data={"kind": "note", "body": "Matrix note"},
    ),
    Entry(
        "incidents.api.roles",
        "POST",
        _api("/roles"),
        roles=RUNNERS,
        data={"role": "scribe", "person": None},
    ),
    Entry(
        "incidents.api.page",
        "POST",
        _api("/page"),
        roles=RUNNERS,
        data={"team": "no-such-team"},
    ),
    Entry(
        "incidents.api.merge",
        "POST",
        _api("/merge"),
        roles=RUNNERS,
        data={"into": "INC-1999-0001", "reason": "matrix"},
    ),
]
