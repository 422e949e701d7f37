"""Read-only audit trail API: change records, domain events and access records.

People with ``audit.view_audit_trail`` (MFA-verified session) may read; service tokens
may not. Nothing here writes: the trail is append-only.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets

from apps.accounts.api.permissions import Rule
from apps.audit import selectors
from apps.audit.api.serializers import (
    AccessRecordSerializer,
    AuditEventSerializer,
    ChangeRecordSerializer,
)
from apps.audit.filters import CHANGE_ACTIONS, AccessFilterSet, ChangeFilterSet, EventFilterSet
from apps.core.api.schema import error_responses

TAGS = ["audit"]
VIEW_TRAIL = Rule(perm=selectors.VIEW_PERMISSION, scope=None)
_FILTERS_HELP = (
    " Filters: `actor` (username), `object_type` (app_label.model), `object_id`, "
    "`action`, `since` and `until` (ISO 8601; inclusive). Newest first, paginated "
    "(`page`, `page_size` up to 200)."
)


class _TrailViewSet(viewsets.ReadOnlyModelViewSet):
    action_rules = {"list": VIEW_TRAIL, "retrieve": VIEW_TRAIL}
    kind = ""

    def get_queryset(self):
        return selectors.trail_records(user=self.request.user, kind=self.kind)


# The portal's filter form sends a blank bound when none is typed, so blank means "no
# bound": the parameters are documented as text, not as date-times.
_TIME_PARAMETERS = [
    OpenApiParameter(
        name,
        str,
        description=f"ISO 8601 date and time, {word} (inclusive); blank: no bound.",
    )
    for name, word in (("since", "from"), ("until", "to"))
]


def _schema(summary: str, description: str, serializer, *extra_parameters):
    return extend_schema_view(
        list=extend_schema(
            tags=TAGS,
            summary=f"List {summary}",
            description=description + _FILTERS_HELP,
            parameters=[*_TIME_PARAMETERS, *extra_parameters],
            responses={200: serializer(many=True), **error_responses(400, 401, 403)},
        ),
        retrieve=extend_schema(
            tags=TAGS,
            summary=f"One of the {summary}",
            description=description,
            responses={200: serializer, **error_responses(401, 403, 404)},
        ),
    )


@_schema(
    "change records",
    "Model changes recorded by django-auditlog. `action` is create, update, delete or "
    "access; `changes` maps each field to [old, new].",
    ChangeRecordSerializer,
    OpenApiParameter(
        "action", str, enum=["", *CHANGE_ACTIONS], description="The kind of change; blank: any."
    ),
)
class ChangeRecordViewSet(_TrailViewSet):
    kind = "changes"
    serializer_class = ChangeRecordSerializer
    filterset_class = ChangeFilterSet


@_schema(
    "audit events",
    "Domain events written by services (e.g. `account.role_granted`). `action` filters "
    "by event name or its beginning (`account.`).",
    AuditEventSerializer,
)
class AuditEventViewSet(_TrailViewSet):
    kind = "events"
    serializer_class = AuditEventSerializer
    filterset_class = EventFilterSet


@_schema(
    "access records",
    "Sensitive reads: who looked at or exported what, why, under which ticket. "
    "`action` filters by the kind of access (view, reveal, export).",
    AccessRecordSerializer,
)
class AccessRecordViewSet(_TrailViewSet):
    kind = "access"
    serializer_class = AccessRecordSerializer
    filterset_class = AccessFilterSet
