"""Alert routes, maintenance windows and the test alert: writes by people, audited."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.policy import require
from apps.audit.writers import write_event
from apps.incidents.models import AlertDelivery, AlertRoute, MaintenanceWindow
from apps.incidents.models.alerts import matcher_text, parse_matcher

ROUTE_FIELDS = (
    "name",
    "position",
    "matchers",
    "team",
    "policy",
    "open_incident_severity",
    "incident_owner",
    "threshold_count",
    "threshold_minutes",
    "continue_matching",
    "enabled",
)


def matchers_from(value, field: str = "matchers") -> list[dict]:
    """Matchers given as text (``alertname="X"``, one per line or list item) or as dicts."""
    if value is None:
        return []
    if isinstance(value, str):
        value = [line for line in value.splitlines() if line.strip()]
    if not isinstance(value, list):
        raise ValidationError({field: [_("Give a list of matchers.")]})
    out = []
    for item in value:
        if isinstance(item, str):
            try:
                out.append(parse_matcher(item))
            except ValidationError as exc:
                raise ValidationError({field: exc.messages}) from None
        else:
            out.append(item)
    return out


@transaction.atomic
def route_save(*, actor, route: AlertRoute | None = None, **fields) -> AlertRoute:
    """Create (``route=None``) or change a route; matchers are validated at save."""
    creating = route is None
    require(actor, "incidents.add_alertroute" if creating else "incidents.change_alertroute")
    unknown = set(fields) - set(ROUTE_FIELDS)
    if unknown:
        raise ValueError(f"Unknown route fields: {sorted(unknown)}")
    if creating:
        route = AlertRoute()
        if fields.get("position") is None:
            last = AlertRoute.objects.aggregate(last=Max("position"))["last"]
            fields["position"] = (last or 0) + 10
    else:
        route = AlertRoute.objects.select_for_update().get(pk=route.pk)
    if "matchers" in fields:
        fields["matchers"] = matchers_from(fields["matchers"])
    before = {f: getattr(route, f"{f}_id", getattr(route, f, None)) for f in ROUTE_FIELDS}
    for name, value in fields.items():
        if name == "position" and value is None:
            continue
        setattr(route, name, value)
    route.full_clean()
    route.save()
    after = {f: getattr(route, f"{f}_id", getattr(route, f, None)) for f in ROUTE_FIELDS}
    write_event(
        "incident.alert_route_created" if creating else "incident.alert_route_changed",
        actor=actor,
        target=route,
        data={
            "name": route.name,
            "matchers": [matcher_text(m) for m in route.matchers],
            "changed": sorted(k for k in ROUTE_FIELDS if before[k] != after[k]),
        },
    )
    return route


@transaction.atomic
def window_create(
    *, actor, matchers, starts_at: datetime, ends_at: datetime, reason: str
) -> MaintenanceWindow:
    require(actor, "incidents.add_maintenancewindow")
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Say why alerts are silenced.")]})
    window = MaintenanceWindow(
        matchers=matchers_from(matchers),
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason.strip(),
        created_by=actor,
    )
    window.full_clean()
    window.save()
    write_event(
        "incident.maintenance_window_created",
        actor=actor,
        target=window,
        data={
            "matchers": window.matcher_texts,
            "starts_at": window.starts_at.isoformat(),
            "ends_at": window.ends_at.isoformat(),
            "reason": window.reason,
        },
    )
    return window


@transaction.atomic
def window_end(*, actor, window: MaintenanceWindow) -> MaintenanceWindow:
    """End a window now (a window not started yet ends before it starts: it never runs)."""
    require(actor, "incidents.change_maintenancewindow")
    window = MaintenanceWindow.objects.select_for_update().get(pk=window.pk)
    now = timezone.now()
    if window.ends_at <= now:
        raise ValidationError({"ends_at": [_("This window has already ended.")]})
    window.ends_at = max(now, window.starts_at + timezone.timedelta(microseconds=1))
    window.ended_by = actor
    window.save(update_fields=["ends_at", "ended_by"])
    write_event(
        "incident.maintenance_window_ended",
        actor=actor,
        target=window,
        data={"ends_at": window.ends_at.isoformat()},
    )
    return window


def _test_labels(route: AlertRoute) -> dict:
    """Labels that satisfy the route's matchers (equality ones taken as they are)."""
    labels = {"alertname": f"TestAlert-{route.name}"[:200], "opsportal_test": "true"}
    for matcher in route.matchers or []:
        if matcher["op"] == "=":
            labels[matcher["name"]] = matcher["value"]
    return labels


@transaction.atomic
def route_test(*, actor, route: AlertRoute) -> AlertDelivery:
    """A test alert for ``route``: a delivery marked test, processed like any other; the
    page it sends is marked test and it opens no incident. Fails if the route's matchers
    cannot be satisfied by equality labels (the labels are shown in the error)."""
    from apps.incidents.models.alerts import matchers_match
    from apps.incidents.services.alerts_intake import delivery_store, fingerprint_of

    require(actor, "incidents.change_alertroute")
    labels = _test_labels(route)
    if not matchers_match(route.matchers or [], labels):
        raise ValidationError(
            {
                "matchers": [
                    _(
                        "A test alert cannot satisfy these matchers with plain labels "
                        "(%(labels)s); add equality matchers to test this route."
                    )
                    % {"labels": labels}
                ]
            }
        )
    now = timezone.now()
    labels["test_id"] = now.strftime("%Y%m%d%H%M%S%f")  # a fresh group each time
    stamp = now.isoformat().replace("+00:00", "Z")
    payload = {
        "alerts": [
            {
                "status": "firing",
                "labels": labels,
                "annotations": {
                    "summary": _("Test alert for route %(route)s") % {"route": route.name}
                },
                "startsAt": stamp,
                "endsAt": "",
                "generatorURL": "",
                "fingerprint": fingerprint_of(labels),
            }
        ]
    }
    delivery = delivery_store(
        sender=actor, source=AlertDelivery.Source.TEST, payload=payload, is_test=True
    )
    write_event(
        "incident.alert_route_tested",
        actor=actor,
        target=route,
        data={"delivery": delivery.pk, "labels": labels},
    )
    return delivery
