"""War-room models, one module per concept: checklists and the launch plan."""

from apps.warroom.models.checklists import (
    EVIDENCE_CONTENT_TYPES,
    EVIDENCE_MAX_BYTES,
    ChecklistItemMark,
    ChecklistRun,
    ChecklistRunItem,
    ChecklistTemplate,
    ChecklistTemplateItem,
)
from apps.warroom.models.launch import (
    LaunchLogEntry,
    LaunchLogImmutable,
    LaunchPhase,
    LaunchPlan,
    LaunchTask,
    RollbackCriterion,
)

__all__ = [
    "EVIDENCE_CONTENT_TYPES",
    "EVIDENCE_MAX_BYTES",
    "ChecklistItemMark",
    "ChecklistRun",
    "ChecklistRunItem",
    "ChecklistTemplate",
    "ChecklistTemplateItem",
    "LaunchLogEntry",
    "LaunchLogImmutable",
    "LaunchPhase",
    "LaunchPlan",
    "LaunchTask",
    "RollbackCriterion",
]
