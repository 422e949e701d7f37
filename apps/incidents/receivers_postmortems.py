"""Start the post-mortem when an incident is resolved.

The status service (``lifecycle.incident_set_status``) sends ``incident_status_changed``
inside its transaction, after saving the incident. A move to ``resolved`` creates the
post-mortem its severity requires, from the template (``postmortem_ensure``; idempotent,
so resolving again after a reopening keeps the one there is and moves its due time).
This is the one place the status change and post-mortems meet.
"""

from __future__ import annotations

from django.dispatch import receiver

from apps.incidents.models import Status
from apps.incidents.signals import incident_status_changed


@receiver(incident_status_changed, dispatch_uid="incidents.postmortem_on_resolve")
def postmortem_on_resolve(sender, incident, previous=None, actor=None, **kwargs) -> None:
    if incident.status != Status.RESOLVED:
        return
    from apps.incidents.services.postmortems import postmortem_ensure

    postmortem_ensure(incident=incident, actor=actor)
