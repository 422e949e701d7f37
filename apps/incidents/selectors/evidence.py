"""Reads of incident evidence, restricted to what the caller may see."""

from __future__ import annotations

from django.db.models import QuerySet

from apps.accounts.policy import restrict
from apps.incidents.models import Evidence, Incident

VIEW_INCIDENT = "incidents.view_incident"
VIEW_EVIDENCE = "incidents.view_evidence"


def evidence_incidents(*, user) -> QuerySet[Incident]:
    """The incidents ``user`` (a person or a token) may see, for the evidence pages."""
    return restrict(Incident.objects.select_related("severity"), user, VIEW_INCIDENT)


def evidence_list(*, user, incident: Incident) -> QuerySet[Evidence]:
    """The evidence of ``incident`` that ``user`` may see, newest first, with who added it."""
    return restrict(
        Evidence.objects.filter(incident=incident).select_related("added_by", "incident"),
        user,
        VIEW_EVIDENCE,
    ).order_by("-added_at", "-id")
