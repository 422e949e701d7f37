"""Incidents resolved through the status service, post-mortems written as people do."""

from __future__ import annotations

from apps.incidents.models import Status
from apps.incidents.services import postmortems as services
from apps.incidents.services.lifecycle import incident_set_status
from tests.incidents.factories import commander, declare


def resolved(*, severity: str = "S1", actor=None, **kwargs):
    """An incident declared and resolved by ``actor`` (a new commander by default)."""
    actor = actor or commander()
    incident = declare(actor=actor, severity=severity, **kwargs)
    incident_set_status(actor=actor, incident=incident, status=Status.RESOLVED)
    incident.refresh_from_db()
    return incident


SECTIONS = {
    "summary": "Withdrawals failed for 40 minutes.",
    "impact": "312 withdrawals delayed; none lost.",
    "root_cause": "An expired RPC credential.",
    "prevention": "Alert 14 days before credentials expire.",
}


def published(incident, *, actor=None):
    """Write, submit and publish ``incident``'s post-mortem; returns it."""
    actor = actor or incident.owner
    postmortem = incident.postmortem
    postmortem = services.postmortem_update(actor=actor, postmortem=postmortem, **SECTIONS)
    postmortem = services.postmortem_submit(actor=actor, postmortem=postmortem)
    return services.postmortem_publish(actor=actor, postmortem=postmortem)
