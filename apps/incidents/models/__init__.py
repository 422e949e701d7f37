"""Incident models, one module per concept."""

from apps.incidents.models.alerts import (
    Alert,
    AlertDecision,
    AlertDelivery,
    AlertGroup,
    AlertPage,
    AlertRoute,
    MaintenanceWindow,
)
from apps.incidents.models.incidents import (
    OPEN_STATUSES,
    STATUS_LADDER,
    Incident,
    IncidentRole,
    RoleAssignment,
    Severity,
    Status,
)
from apps.incidents.models.timeline import (
    PEOPLE_KINDS,
    EntryKind,
    TimelineEntry,
    TimelineImmutable,
)

__all__ = [
    "Alert",
    "AlertDecision",
    "AlertDelivery",
    "AlertGroup",
    "AlertPage",
    "AlertRoute",
    "MaintenanceWindow",
    "OPEN_STATUSES",
    "PEOPLE_KINDS",
    "STATUS_LADDER",
    "EntryKind",
    "Incident",
    "IncidentRole",
    "RoleAssignment",
    "Severity",
    "Status",
    "TimelineEntry",
    "TimelineImmutable",
]
