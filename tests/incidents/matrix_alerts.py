"""Role-matrix entries of the alert intake (see tests/matrix.py).

Only tokens with ``alerts:write`` post alerts (people never do); all staff read alert
groups, deliveries, routes and windows; ops and super admins edit routes, send test
alerts and run maintenance windows.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from apps.accounts.roles import OPS, SUPER_ADMIN
from tests.factories import UserFactory
from tests.matrix import EVERY_ROLE, Entry

MANAGERS = {OPS, SUPER_ADMIN}
WRITE = {"alerts:write"}

_ALERT = {
    "status": "firing",
    "labels": {"alertname": "MatrixAlert", "service": "matrix"},
    "annotations": {"summary": "matrix"},
    "startsAt": "2026-12-01T10:00:00Z",
    "endsAt": "0001-01-01T00:00:00Z",
    "generatorURL": "",
    "fingerprint": "0123456789abcdef",
}
_PAYLOAD = {
    "version": "4",
    "groupKey": '{}:{alertname="MatrixAlert"}',
    "truncatedAlerts": 0,
    "status": "firing",
    "receiver": "opsportal",
    "groupLabels": {},
    "commonLabels": {},
    "commonAnnotations": {},
    "externalURL": "http://alertmanager.test",
    "alerts": [_ALERT],
}


def _ops(ctx):
    return ctx.get("alerts_ops", lambda: UserFactory(roles=[OPS]))


def _team(ctx):
    def make():
        from apps.oncall import services

        team = services.team_create(
            actor=_ops(ctx), name=ctx.unique("Alert team"), slug=ctx.unique("alert-team")
        )
        services.policy_create(
            actor=_ops(ctx),
            team=team,
            name="L1",
            steps=[{"kind": "notify_team_lead", "label": "L1"}],
        )
        return team

    return ctx.get("alerts_team", make)


def _route(ctx):
    from apps.incidents.services import alerts_config

    return ctx.get(
        "alerts_route",
        lambda: alerts_config.route_save(
            actor=_ops(ctx),
            name=ctx.unique("route"),
            matchers=['service="matrix"'],
            team=_team(ctx),
        ),
    )


def _delivery(ctx):
    from apps.incidents.services.alerts_intake import delivery_store

    return ctx.get(
        "alerts_delivery",
        lambda: delivery_store(sender=None, source="alertmanager", payload=dict(_PAYLOAD)),
    )


def _group(ctx):
    def make():
        from apps.incidents.models import AlertGroup
        from apps.incidents.services.alerts import delivery_process

        delivery_process(_delivery(ctx).pk)
        return AlertGroup.objects.get(fingerprint=_ALERT["fingerprint"])

    return ctx.get("alerts_group", make)


def _window(ctx):
    from apps.incidents.services import alerts_config

    now = timezone.now()
    return ctx.get(
        "alerts_window",
        lambda: alerts_config.window_create(
            actor=_ops(ctx),
            matchers=['service="matrix"'],
            starts_at=now - timedelta(minutes=1),
            ends_at=now + timedelta(hours=1),
            reason="matrix",
        ),
    )


def _window_body(ctx):
    now = timezone.now()
    return {
        "matchers": ['service="matrix"'],
        "starts_at": now.isoformat(),
        "ends_at": (now + timedelta(hours=1)).isoformat(),
        "reason": "matrix",
    }


def _window_form(ctx):
    now = timezone.now()
    return {
        "matchers": 'service="matrix"',
        "starts_at": now.strftime("%Y-%m-%d %H:%M"),
        "ends_at": (now + timedelta(hours=1)).strftime("%Y-%m-%d %H:%M"),
        "reason": "matrix",
    }


ENTRIES = [
    # --- API: intake ---
    Entry(
        "incidents.api.alerts.alertmanager",
        "POST",
        "/v1/alerts/alertmanager",
        scopes=WRITE,
        data=_PAYLOAD,
    ),
    Entry(
        "incidents.api.alerts.plain",
        "POST",
        "/v1/alerts",
        scopes=WRITE,
        data={"alerts": [{"labels": {"alertname": "MatrixAlert"}}]},
    ),
    # --- API: reads ---
    Entry("incidents.api.alerts.groups", "GET", "/v1/alerts/groups", roles=EVERY_ROLE),
    Entry(
        "incidents.api.alerts.group",
        "GET",
        lambda ctx: f"/v1/alerts/groups/{_group(ctx).pk}",
        roles=EVERY_ROLE,
    ),
    Entry(
        "incidents.api.alerts.delivery",
        "GET",
        lambda ctx: f"/v1/alerts/deliveries/{_delivery(ctx).pk}",
        roles=EVERY_ROLE,
    ),
    Entry("incidents.api.alerts.routes", "GET", "/v1/alerts/routes", roles=EVERY_ROLE),
    Entry(
        "incidents.api.alerts.route",
        "GET",
        lambda ctx: f"/v1/alerts/routes/{_route(ctx).pk}",
        roles=EVERY_ROLE,
    ),
    Entry(
        "incidents.api.alerts.windows", "GET", "/v1/alerts/maintenance-windows", roles=EVERY_ROLE
    ),
    # --- API: writes ---
    Entry(
        "incidents.api.alerts.route_create",
        "POST",
        "/v1/alerts/routes",
        roles=MANAGERS,
        data=lambda ctx: {
            "name": ctx.unique("route"),
            "matchers": ['service="x"'],
            "team": _team(ctx).slug,
        },
    ),
    Entry(
        "incidents.api.alerts.route_update",
        "PATCH",
        lambda ctx: f"/v1/alerts/routes/{_route(ctx).pk}",
        roles=MANAGERS,
        data={"enabled": False},
    ),
    Entry(
        "incidents.api.alerts.route_test",
        "POST",
        lambda ctx: f"/v1/alerts/routes/{_route(ctx).pk}/test",
        roles=MANAGERS,
    ),
    Entry(
        "incidents.api.alerts.window_create",
        "POST",
        "/v1/alerts/maintenance-windows",
        roles=MANAGERS,
        data=_window_body,
    ),
    Entry(
        "incidents.api.alerts.window_end",
        "POST",
        lambda ctx: f"/v1/alerts/maintenance-windows/{_window(ctx).pk}/end",
        roles=MANAGERS,
    ),
    # --- pages ---
    Entry("incidents.alerts.groups", "GET", "/incidents/alerts/", roles=EVERY_ROLE),
    Entry(
        "incidents.alerts.group",
        "GET",
        lambda ctx: f"/incidents/alerts/groups/{_group(ctx).pk}/",
        roles=EVERY_ROLE,
    ),
    Entry("incidents.alerts.deliveries", "GET", "/incidents/alerts/deliveries/", roles=EVERY_ROLE),
    Entry(
        "incidents.alerts.delivery",
        "GET",
        lambda ctx: f"/incidents/alerts/deliveries/{_delivery(ctx).pk}/",
        roles=EVERY_ROLE,
    ),
    Entry("incidents.alerts.routes", "GET", "/incidents/alerts/routes/", roles=EVERY_ROLE),
    Entry("incidents.alerts.route_create", "GET", "/incidents/alerts/routes/new", roles=MANAGERS),
    Entry(
        "incidents.alerts.route_create.post",
        "POST",
        "/incidents/alerts/routes/new",
        roles=MANAGERS,
        data=lambda ctx: {
            "name": ctx.unique("route"),
            "matchers": 'service="x"',
            "team": _team(ctx).pk,
            "threshold_count": 1,
            "threshold_minutes": 0,
            "enabled": "on",
        },
    ),
    Entry(
        "incidents.alerts.route_edit",
        "GET",
        lambda ctx: f"/incidents/alerts/routes/{_route(ctx).pk}/edit",
        roles=MANAGERS,
    ),
    Entry(
        "incidents.alerts.route_edit.post",
        "POST",
        lambda ctx: f"/incidents/alerts/routes/{_route(ctx).pk}/edit",
        roles=MANAGERS,
        data=lambda ctx: {
            "name": _route(ctx).name,
            "matchers": 'service="y"',
            "team": _team(ctx).pk,
            "threshold_count": 1,
            "threshold_minutes": 0,
        },
    ),
    Entry(
        "incidents.alerts.route_test",
        "POST",
        lambda ctx: f"/incidents/alerts/routes/{_route(ctx).pk}/test",
        roles=MANAGERS,
    ),
    Entry("incidents.alerts.windows", "GET", "/incidents/alerts/windows/", roles=EVERY_ROLE),
    Entry(
        "incidents.alerts.windows.post",
        "POST",
        "/incidents/alerts/windows/",
        roles=MANAGERS,
        data=_window_form,
    ),
    Entry(
        "incidents.alerts.window_end",
        "POST",
        lambda ctx: f"/incidents/alerts/windows/{_window(ctx).pk}/end",
        roles=MANAGERS,
    ),
    Entry("incidents.alerts.metrics", "GET", "/incidents/alerts/metrics/", roles=EVERY_ROLE),
]
