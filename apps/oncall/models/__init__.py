"""On-call models, one module per concept.

The tables keep the names they had when on call was part of the war room (``warroom_*``):
moving the app moved model state only (see migrations 0001 here and warroom 0008).
"""

from apps.oncall.models.escalation import (
    MAX_REPEATS,
    MAX_WAIT_MINUTES,
    MIN_WAIT_MINUTES,
    EscalationPolicy,
    EscalationStep,
    Page,
    PageEvent,
    PageStepRun,
)
from apps.oncall.models.feeds import CalendarFeed, FeedEmittedShift
from apps.oncall.models.schedules import (
    LayerParticipant,
    LayerVersion,
    Override,
    RotationLayer,
    Schedule,
    validate_iana_timezone,
)
from apps.oncall.models.teams import Membership, Team

__all__ = [
    "MAX_REPEATS",
    "MAX_WAIT_MINUTES",
    "MIN_WAIT_MINUTES",
    "CalendarFeed",
    "EscalationPolicy",
    "EscalationStep",
    "FeedEmittedShift",
    "LayerParticipant",
    "LayerVersion",
    "Membership",
    "Override",
    "Page",
    "PageEvent",
    "PageStepRun",
    "RotationLayer",
    "Schedule",
    "Team",
    "validate_iana_timezone",
]
