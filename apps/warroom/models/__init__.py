"""War-room models, one module per concept (checklists and the launch plan join later)."""

from apps.warroom.models.checklists import (
    EVIDENCE_CONTENT_TYPES,
    EVIDENCE_MAX_BYTES,
    ChecklistItemMark,
    ChecklistRun,
    ChecklistRunItem,
    ChecklistTemplate,
    ChecklistTemplateItem,
)
from apps.warroom.models.escalation import (
    MAX_REPEATS,
    MAX_WAIT_MINUTES,
    MIN_WAIT_MINUTES,
    EscalationPolicy,
    EscalationStep,
    Page,
    PageEvent,
    PageStepRun,
)
from apps.warroom.models.feeds import CalendarFeed, FeedEmittedShift
from apps.warroom.models.launch import (
    LaunchLogEntry,
    LaunchLogImmutable,
    LaunchPhase,
    LaunchPlan,
    LaunchTask,
    RollbackCriterion,
)
from apps.warroom.models.schedules import (
    LayerParticipant,
    LayerVersion,
    Override,
    RotationLayer,
    Schedule,
    validate_iana_timezone,
)
from apps.warroom.models.teams import Membership, Team

__all__ = [
    "EVIDENCE_CONTENT_TYPES",
    "EVIDENCE_MAX_BYTES",
    "ChecklistItemMark",
    "ChecklistRun",
    "ChecklistRunItem",
    "ChecklistTemplate",
    "ChecklistTemplateItem",
    "MAX_REPEATS",
    "MAX_WAIT_MINUTES",
    "MIN_WAIT_MINUTES",
    "CalendarFeed",
    "EscalationPolicy",
    "EscalationStep",
    "FeedEmittedShift",
    "LaunchLogEntry",
    "LaunchLogImmutable",
    "LaunchPhase",
    "LaunchPlan",
    "LaunchTask",
    "LayerParticipant",
    "LayerVersion",
    "Membership",
    "Override",
    "Page",
    "PageEvent",
    "PageStepRun",
    "RollbackCriterion",
    "RotationLayer",
    "Schedule",
    "Team",
    "validate_iana_timezone",
]
