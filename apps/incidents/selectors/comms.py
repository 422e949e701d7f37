"""Reads of status updates and their templates, narrowed to what the caller may see."""

from __future__ import annotations

from django.db.models import QuerySet

from apps.accounts.policy import restrict
from apps.incidents.models import Incident, StatusTemplate, StatusUpdate
from apps.notify.models import Channel

VIEW_INCIDENT = "incidents.view_incident"
VIEW_UPDATE = "incidents.view_statusupdate"
VIEW_TEMPLATE = "incidents.view_statustemplate"
# A token reads updates and templates with the incidents' read scope.
READ_SCOPE = "incidents:read"


def incident_get(*, user, number: str) -> Incident | None:
    """The incident numbered ``number`` if ``user`` (a person or a token) may see it."""
    return (
        restrict(Incident.objects.all(), user, VIEW_INCIDENT, scope=READ_SCOPE)
        .select_related("severity", "owner")
        .filter(number=number)
        .first()
    )


def status_update_list(*, user, incident: Incident) -> QuerySet[StatusUpdate]:
    """The updates sent for ``incident``, newest first."""
    return (
        restrict(
            StatusUpdate.objects.filter(incident=incident), user, VIEW_UPDATE, scope=READ_SCOPE
        )
        .select_related("sent_by", "template")
        .order_by("-sent_at", "-id")
    )


def status_template_list(
    *,
    user,
    key: str | None = None,
    audience: str | None = None,
    language: str | None = None,
    active: bool | None = None,
) -> QuerySet[StatusTemplate]:
    queryset = restrict(
        StatusTemplate.objects.all(), user, VIEW_TEMPLATE, scope=READ_SCOPE
    ).select_related("updated_by")
    if key:
        queryset = queryset.filter(key=key)
    if audience:
        queryset = queryset.filter(audience=audience)
    if language:
        queryset = queryset.filter(language=language)
    if active is not None:
        queryset = queryset.filter(is_active=active)
    return queryset.order_by("key", "audience", "language")


def status_template_get(*, user, pk: int) -> StatusTemplate | None:
    return status_template_list(user=user).filter(pk=pk).first()


def update_channel_names() -> list[str]:
    """The enabled notify channels an update may go to (names only: who may send decides
    by the incident, not by the right to manage channels)."""
    return list(
        Channel.objects.filter(enabled=True).order_by("name").values_list("name", flat=True)
    )
