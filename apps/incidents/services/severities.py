"""Editing the severity levels (super admins)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from apps.accounts.policy import require
from apps.audit.writers import write_event
from apps.incidents.models import Severity

SEVERITY_FIELDS = (
    "code",
    "name",
    "description",
    "rank",
    "postmortem_required",
    "postmortem_due_hours",
    "update_interval_minutes",
    "is_active",
)


def _check(severity: Severity) -> None:
    errors: dict[str, list[str]] = {}
    if not (severity.code or "").strip():
        errors.setdefault("code", []).append(_("Give the level a code, e.g. S1."))
    if not (severity.name or "").strip():
        errors.setdefault("name", []).append(_("Give the level a name."))
    if not 1 <= (severity.update_interval_minutes or 0) <= 24 * 60:
        errors.setdefault("update_interval_minutes", []).append(
            _("Status updates are due every 1 minute to 24 hours.")
        )
    if not 1 <= (severity.postmortem_due_hours or 0) <= 24 * 30:
        errors.setdefault("postmortem_due_hours", []).append(
            _("A post-mortem is due 1 hour to 30 days after resolution.")
        )
    if not 1 <= (severity.rank or 0) <= 100:
        errors.setdefault("rank", []).append(_("Give a rank from 1 (most severe) to 100."))
    if errors:
        raise ValidationError(errors)
    severity.code = severity.code.strip()
    severity.full_clean()


@transaction.atomic
def severity_save(*, actor, severity: Severity | None = None, **values) -> Severity:
    """Create a level (``severity`` None) or change one; only ``SEVERITY_FIELDS``."""
    unknown = set(values) - set(SEVERITY_FIELDS)
    if unknown:
        raise ValueError(f"Unknown severity fields: {sorted(unknown)}")
    creating = severity is None
    require(actor, "incidents.add_severity" if creating else "incidents.change_severity")
    if creating:
        severity = Severity()
    else:
        severity = Severity.objects.select_for_update().get(pk=severity.pk)
    before = {name: getattr(severity, name) for name in SEVERITY_FIELDS}
    for name, value in values.items():
        setattr(severity, name, value)
    _check(severity)
    severity.save()
    changed = {
        name: {"from": before[name], "to": getattr(severity, name)}
        for name in SEVERITY_FIELDS
        if creating or before[name] != getattr(severity, name)
    }
    write_event(
        "incident.severity_level_created" if creating else "incident.severity_level_changed",
        actor=actor,
        target=severity,
        data={"changed": changed},
    )
    return severity
