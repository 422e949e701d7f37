"""Alert intake: check a delivery's shape cheaply and store it as received.

Nothing here decides anything about the alerts: ``delivery_store`` writes one row and
queues ``incidents.process_alert_delivery`` after commit. A malformed delivery is refused
with the field path and the reason of every problem found; nothing is written then.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.incidents.models import AlertDelivery

MAX_ALERTS = 5000
MAX_LABELS = 100
MAX_TEXT = 10_000
# Go's zero time: Alertmanager's endsAt of an alert with no end yet.
ZERO_TIME_YEAR = 1

_RFC3339 = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?"
    r"([Zz]|[+-]\d{2}:\d{2})$"
)
_LABEL_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")


class DeliveryRefused(Exception):
    """The delivery is malformed: ``errors`` maps a field path to its reasons."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {', '.join(v)}" for k, v in errors.items()))
        self.errors = errors


def parse_time(value) -> datetime | None:
    """An RFC 3339 time (nanoseconds cut to microseconds), or None if it is not one."""
    if not isinstance(value, str):
        return None
    found = _RFC3339.match(value)
    if not found:
        return None
    year, month, day, hour, minute, second, fraction, zone = found.groups()
    try:
        micro = int((fraction or "0")[:6].ljust(6, "0"))
        if zone in ("Z", "z"):
            tz = UTC
        else:
            sign = 1 if zone[0] == "+" else -1
            tz = timezone.get_fixed_timezone(sign * (int(zone[1:3]) * 60 + int(zone[4:6])))
        moment = datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second), micro, tz
        )
    except ValueError:
        return None
    return moment.astimezone(UTC)


def is_zero_time(moment: datetime | None) -> bool:
    return moment is None or moment.year <= ZERO_TIME_YEAR


def fingerprint_of(labels: dict) -> str:
    """Derived from the sorted labels when a sender gives none (16 hex digits)."""
    text = json.dumps(sorted(labels.items()), separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class _Checker:
    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, path: str, reason: str) -> None:
        self.errors.setdefault(path, []).append(reason)

    def string_map(self, value, path: str, *, required: bool) -> None:
        if value is None and not required:
            return
        if not isinstance(value, dict):
            self.add(path, _("an object of names to strings is expected."))
            return
        if required and not value:
            self.add(path, _("at least one label is required."))
        if len(value) > MAX_LABELS:
            self.add(path, _("at most %(n)s entries.") % {"n": MAX_LABELS})
            return
        for name, item in value.items():
            if not _LABEL_NAME.match(name):
                self.add(f"{path}.{name}", _("not a label name."))
            elif not isinstance(item, str):
                self.add(f"{path}.{name}", _("a string is expected."))
            elif len(item) > MAX_TEXT or "\x00" in item:
                self.add(f"{path}.{name}", _("too long or contains NUL."))

    def text(self, body: dict, key: str, path: str, *, required: bool = False, limit=1000):
        value = body.get(key)
        if value is None:
            if required:
                self.add(path, _("This field is required."))
            return
        if not isinstance(value, str):
            self.add(path, _("a string is expected."))
        elif len(value) > limit or "\x00" in value:
            self.add(path, _("at most %(n)s characters, no NUL.") % {"n": limit})

    def time(self, value, path: str, *, required: bool) -> datetime | None:
        if value is None or value == "":
            if required:
                self.add(path, _("This field is required."))
            return None
        moment = parse_time(value)
        if moment is None:
            self.add(path, _("not an RFC 3339 time."))
        return moment


def _check_alerts(check: _Checker, alerts, *, plain: bool) -> None:
    if not isinstance(alerts, list):
        check.add("alerts", _("a list of alerts is expected."))
        return
    if not alerts:
        check.add("alerts", _("at least one alert is required."))
    if len(alerts) > MAX_ALERTS:
        check.add("alerts", _("at most %(n)s alerts per delivery.") % {"n": MAX_ALERTS})
        return
    for index, alert in enumerate(alerts):
        path = f"alerts[{index}]"
        if not isinstance(alert, dict):
            check.add(path, _("an object is expected."))
            continue
        status = alert.get("status")
        if plain and status is None:
            status = "firing"
        if status not in ("firing", "resolved"):
            check.add(f"{path}.status", _('"firing" or "resolved" is expected.'))
        check.string_map(alert.get("labels"), f"{path}.labels", required=True)
        check.string_map(alert.get("annotations"), f"{path}.annotations", required=False)
        starts = check.time(alert.get("startsAt"), f"{path}.startsAt", required=not plain)
        ends = check.time(alert.get("endsAt"), f"{path}.endsAt", required=False)
        if starts and ends and not is_zero_time(ends) and ends < starts:
            check.add(f"{path}.endsAt", _("before startsAt."))
        check.text(alert, "generatorURL", f"{path}.generatorURL")
        fingerprint = alert.get("fingerprint")
        if fingerprint is not None and (
            not isinstance(fingerprint, str)
            or not re.fullmatch(r"[0-9A-Za-z_-]{1,64}", fingerprint)
        ):
            check.add(f"{path}.fingerprint", _("1 to 64 letters, digits, - or _."))


def check_alertmanager(body) -> None:
    """Alertmanager's webhook payload, version 4."""
    check = _Checker()
    if not isinstance(body, dict):
        raise DeliveryRefused({"body": [_("a JSON object is expected.")]})
    version = body.get("version")
    if version != "4":
        check.add(
            "version", _('payload version "4" is expected, got %(v)s.') % {"v": json.dumps(version)}
        )
    check.text(body, "groupKey", "groupKey", required=True)
    check.text(body, "receiver", "receiver", limit=200)
    check.text(body, "externalURL", "externalURL")
    if body.get("status") not in ("firing", "resolved"):
        check.add("status", _('"firing" or "resolved" is expected.'))
    truncated = body.get("truncatedAlerts", 0)
    if not isinstance(truncated, int) or isinstance(truncated, bool) or truncated < 0:
        check.add("truncatedAlerts", _("a whole number of at least 0 is expected."))
    for key in ("groupLabels", "commonLabels", "commonAnnotations"):
        check.string_map(body.get(key), key, required=False)
    _check_alerts(check, body.get("alerts"), plain=False)
    if check.errors:
        raise DeliveryRefused(check.errors)


def check_plain(body) -> None:
    """The plain form: ``{"alerts": [{"labels", "annotations", "status", "startsAt", ...}]}``."""
    check = _Checker()
    if not isinstance(body, dict):
        raise DeliveryRefused({"body": [_("a JSON object is expected.")]})
    unknown = set(body) - {"alerts"}
    for key in sorted(unknown):
        check.add(key, _("unknown field."))
    _check_alerts(check, body.get("alerts"), plain=True)
    if check.errors:
        raise DeliveryRefused(check.errors)


def normalise_plain(body: dict, now: datetime) -> dict:
    """The plain form in the Alertmanager shape the processing reads (defaults filled)."""
    alerts = []
    for alert in body["alerts"]:
        labels = dict(alert["labels"])
        status = alert.get("status") or "firing"
        ends = alert.get("endsAt") or ""
        if status == "resolved" and not ends:
            ends = now.isoformat().replace("+00:00", "Z")
        alerts.append(
            {
                "status": status,
                "labels": labels,
                "annotations": dict(alert.get("annotations") or {}),
                "startsAt": alert.get("startsAt") or now.isoformat().replace("+00:00", "Z"),
                "endsAt": ends,
                "generatorURL": alert.get("generatorURL") or "",
                "fingerprint": alert.get("fingerprint") or fingerprint_of(labels),
            }
        )
    return {
        "version": "plain",
        "status": "resolved" if all(a["status"] == "resolved" for a in alerts) else "firing",
        "truncatedAlerts": 0,
        "alerts": alerts,
    }


def delivery_store(*, sender, source: str, payload: dict, is_test: bool = False) -> AlertDelivery:
    """Write the delivery (one row) and queue its processing after commit."""
    from apps.incidents.tasks_alerts import process_alert_delivery

    now = timezone.now()
    if source in (AlertDelivery.Source.PLAIN, AlertDelivery.Source.TEST):
        payload = normalise_plain(payload, now)
    with transaction.atomic():
        delivery = AlertDelivery.objects.create(
            source=source,
            received_at=now,
            sender=sender if getattr(sender, "pk", None) else None,
            payload=payload,
            group_key=str(payload.get("groupKey") or "")[:1000],
            receiver=str(payload.get("receiver") or "")[:200],
            status=str(payload.get("status") or "")[:20],
            alert_count=len(payload.get("alerts") or []),
            truncated_alerts=int(payload.get("truncatedAlerts") or 0),
            is_test=is_test,
        )
        transaction.on_commit(lambda: process_alert_delivery.delay(delivery.pk))
    return delivery


# A delivery left unprocessed this long (a crashed worker, a lost message) is swept up.
SWEEP_AFTER = timedelta(seconds=60)
