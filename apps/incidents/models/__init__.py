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
from apps.incidents.models.comms import (
    EXTERNAL_AUDIENCES,
    Audience,
    StatusTemplate,
    StatusUpdate,
    StatusUpdateImmutable,
    UpdateLanguage,
    UpdateReminder,
)
from apps.incidents.models.evidence import Evidence, EvidenceImmutable, EvidenceKind
from apps.incidents.models.incidents import (
    OPEN_STATUSES,
    STATUS_LADDER,
    Incident,
    IncidentRole,
    RoleAssignment,
    Severity,
    Status,
)
from apps.incidents.models.postmortems import (
    ACTION_ITEM_OPEN_STATUSES,
    POSTMORTEM_SECTIONS,
    SECTION_FIELDS,
    ActionItem,
    ActionItemStatus,
    PostMortem,
    PostMortemState,
)
from apps.incidents.models.timeline import (
    PEOPLE_KINDS,
    EntryKind,
    TimelineEntry,
    TimelineImmutable,
)

__all__ = [
    "EXTERNAL_AUDIENCES",
    "Audience",
    "StatusTemplate",
    "StatusUpdate",
    "StatusUpdateImmutable",
    "UpdateLanguage",
    "UpdateReminder",
    "ACTION_ITEM_OPEN_STATUSES",
    "POSTMORTEM_SECTIONS",
    "SECTION_FIELDS",
    "ActionItem",
    "ActionItemStatus",
    "PostMortem",
    "PostMortemState",
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
    "Evidence",
    "EvidenceImmutable",
    "EvidenceKind",
    "Incident",
    "IncidentRole",
    "RoleAssignment",
    "Severity",
    "Status",
    "TimelineEntry",
    "TimelineImmutable",
]
