"""Start the post-mortem when an incident is resolved.

The status service records every status change on the timeline (kind ``status``, ``data``
naming the new status under ``to``); a change to ``resolved`` creates the post-mortem its
severity requires, in the same transaction (``postmortem_ensure`` is idempotent, so
resolving again after reopening changes nothing). Listening to the timeline keeps the
status service free of post-mortem code: this is the one place the link is made.
"""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver

from apps.incidents.models import EntryKind, Status, TimelineEntry


def _new_status(data: dict) -> str | None:
    for key in ("to", "status", "new"):
        if isinstance(data.get(key), str):
            return data[key]
    return None


@receiver(post_save, sender=TimelineEntry, dispatch_uid="incidents.postmortem_on_resolve")
def postmortem_on_resolve(sender, instance: TimelineEntry, created: bool, **kwargs) -> None:
    if not created or instance.kind != EntryKind.STATUS or instance.source_incident_id:
        return
    if _new_status(instance.data or {}) != Status.RESOLVED:
        return
    from apps.incidents.services.postmortems import postmortem_ensure

    postmortem_ensure(
        incident=instance.incident, actor=instance.actor, resolved_at=instance.occurred_at
    )
