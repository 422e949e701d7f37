"""Role-matrix entries of incident status updates (see tests/matrix.py).

Every staff role sees the updates sent and the templates. Sending (page and API) is for
the people running the incident — incident commanders and super admins globally, role
holders on their incident — so a person of another role gets 403. Templates are edited by
incident commanders and super admins. Tokens read updates and templates with
``incidents:read`` and never send.
"""

from __future__ import annotations

from apps.accounts.roles import INCIDENT_COMMANDER, SUPER_ADMIN
from tests.matrix import EVERY_ROLE, Entry

RUNNERS = {INCIDENT_COMMANDER, SUPER_ADMIN}
EDITORS = {INCIDENT_COMMANDER, SUPER_ADMIN}


def _incident(ctx):
    def make():
        from tests.incidents.comms_helpers import declared

        return declared()

    return ctx.get("incident", make)


def _template(ctx):
    def make():
        from apps.incidents.models import StatusTemplate

        return StatusTemplate.objects.get(key="update", audience="internal", language="en")

    return ctx.get("template", make)


def _update_form(ctx):
    return {"audience": "internal", "language": "en", "subject": "Matrix", "body": "{title}"}


def _template_form(ctx):
    template = _template(ctx)
    return {
        "name": template.name,
        "subject": template.subject,
        "body": template.body,
        "is_active": "on",
    }


ENTRIES = [
    # --- pages -------------------------------------------------------------------------
    Entry(
        "incidents.comms.updates",
        "GET",
        lambda ctx: f"/incidents/{_incident(ctx).number}/updates/",
        roles=EVERY_ROLE,
    ),
    Entry(
        "incidents.comms.update_new",
        "GET",
        lambda ctx: f"/incidents/{_incident(ctx).number}/updates/new/",
        roles=RUNNERS,
    ),
    Entry(
        "incidents.comms.update_new.post",
        "POST",
        lambda ctx: f"/incidents/{_incident(ctx).number}/updates/new/",
        roles=RUNNERS,
        data=_update_form,
    ),
    Entry(
        "incidents.comms.update_preview",
        "POST",
        lambda ctx: f"/incidents/{_incident(ctx).number}/updates/preview/",
        roles=RUNNERS,
        data=_update_form,
    ),
    Entry("incidents.comms.templates", "GET", "/incidents/templates/", roles=EVERY_ROLE),
    Entry("incidents.comms.template_new", "GET", "/incidents/templates/new/", roles=EDITORS),
    Entry(
        "incidents.comms.template_new.post",
        "POST",
        "/incidents/templates/new/",
        roles=EDITORS,
        data=lambda ctx: {
            "key": ctx.unique("matrix"),
            "name": "Matrix",
            "audience": "internal",
            "language": "en",
            "subject": "{title}",
            "body": "{status}",
            "is_active": "on",
        },
    ),
    Entry(
        "incidents.comms.template_edit",
        "GET",
        lambda ctx: f"/incidents/templates/{_template(ctx).pk}/",
        roles=EVERY_ROLE,
    ),
    Entry(
        "incidents.comms.template_edit.post",
        "POST",
        lambda ctx: f"/incidents/templates/{_template(ctx).pk}/",
        roles=EDITORS,
        data=_template_form,
    ),
    # --- /v1/ --------------------------------------------------------------------------
    Entry(
        "incidents.api.updates",
        "GET",
        lambda ctx: f"/v1/incidents/{_incident(ctx).number}/updates",
        roles=EVERY_ROLE,
        scopes={"incidents:read"},
    ),
    Entry(
        "incidents.api.updates.create",
        "POST",
        lambda ctx: f"/v1/incidents/{_incident(ctx).number}/updates",
        roles=RUNNERS,
        data=_update_form,
    ),
    Entry(
        "incidents.api.status_templates",
        "GET",
        "/v1/incidents/status-templates",
        roles=EVERY_ROLE,
        scopes={"incidents:read"},
    ),
]
