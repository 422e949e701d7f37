"""Bodies and answers of the incident endpoints (core part)."""

from __future__ import annotations

from rest_framework import serializers

from apps.core.api.input import JsonInput
from apps.core.api.query import text_filter
from apps.incidents.models import (
    PEOPLE_KINDS,
    STATUS_LADDER,
    EntryKind,
    IncidentRole,
    Severity,
    Status,
)
from apps.oncall.api.serializers import PersonField

STATUS_FILTERS = ["open", "all", *Status.values]


class PersonOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField()


def person_out(user) -> dict | None:
    if user is None:
        return None
    return {"id": user.pk, "username": user.username, "name": user.get_full_name()}


class SeverityOutSerializer(serializers.ModelSerializer):
    class Meta:
        model = Severity
        fields = [
            "code",
            "name",
            "description",
            "rank",
            "postmortem_required",
            "postmortem_due_hours",
            "update_interval_minutes",
            "is_active",
        ]


class RoleOutSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=IncidentRole.choices)
    person = PersonOutSerializer()
    assigned_at = serializers.DateTimeField()
    assigned_by = PersonOutSerializer(allow_null=True)
    ended_at = serializers.DateTimeField(allow_null=True)
    ended_by = PersonOutSerializer(allow_null=True)


def role_out(assignment) -> dict:
    return {
        "role": assignment.role,
        "person": person_out(assignment.person),
        "assigned_at": assignment.assigned_at,
        "assigned_by": person_out(assignment.assigned_by),
        "ended_at": assignment.ended_at,
        "ended_by": person_out(assignment.ended_by),
    }


class IncidentOutSerializer(serializers.Serializer):
    number = serializers.CharField()
    title = serializers.CharField()
    summary = serializers.CharField()
    severity = serializers.CharField(help_text="The severity's code.")
    status = serializers.ChoiceField(choices=Status.choices)
    owner = PersonOutSerializer()
    team = serializers.CharField(allow_null=True, help_text="The team's slug.")
    affected_actions = serializers.ListField(child=serializers.CharField())
    customer_impact = serializers.CharField()
    merged_into = serializers.CharField(allow_null=True)
    started_at = serializers.DateTimeField()
    detected_at = serializers.DateTimeField()
    declared_at = serializers.DateTimeField()
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    mitigated_at = serializers.DateTimeField(allow_null=True)
    resolved_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    next_update_due_at = serializers.DateTimeField(allow_null=True)


def incident_out(incident) -> dict:
    return {
        "number": incident.number,
        "title": incident.title,
        "summary": incident.summary,
        "severity": incident.severity.code,
        "status": incident.status,
        "owner": person_out(incident.owner),
        "team": incident.team.slug if incident.team_id else None,
        "affected_actions": list(incident.affected_actions),
        "customer_impact": incident.customer_impact,
        "merged_into": incident.merged_into.number if incident.merged_into_id else None,
        "started_at": incident.started_at,
        "detected_at": incident.detected_at,
        "declared_at": incident.declared_at,
        "acknowledged_at": incident.acknowledged_at,
        "mitigated_at": incident.mitigated_at,
        "resolved_at": incident.resolved_at,
        "closed_at": incident.closed_at,
        "next_update_due_at": incident.next_update_due_at,
    }


class IncidentDetailSerializer(IncidentOutSerializer):
    roles = RoleOutSerializer(many=True)
    close_blockers = serializers.ListField(
        child=serializers.CharField(),
        help_text="Why the incident may not close yet (empty: it may).",
    )


class IncidentListAnswerSerializer(serializers.Serializer):
    results = IncidentOutSerializer(many=True)
    next_cursor = serializers.CharField(
        allow_null=True, help_text="Pass back as cursor for the next (older) page."
    )


class IncidentFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=STATUS_FILTERS,
        required=False,
        help_text="open (default): investigating, identified, mitigated; all; or one status.",
    )
    severity = text_filter("A severity code, e.g. S1.", max_length=10)
    owner = text_filter("The commander's username; 'me' for yourself.", max_length=150)
    q = text_filter("Text in the number, title or summary.")
    cursor = text_filter("next_cursor of the previous page.", max_length=200)
    page_size = serializers.IntegerField(
        required=False, min_value=1, max_value=200, help_text="From 1 to 200 (default 50)."
    )


class DeclareSerializer(JsonInput):
    title = serializers.CharField(max_length=200)
    severity = serializers.CharField(max_length=10, help_text="A severity code, e.g. S2.")
    summary = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    customer_impact = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    affected_actions = serializers.ListField(
        child=serializers.CharField(max_length=100),
        required=False,
        max_length=50,
        help_text="Keys of the flags' actions, e.g. payout.",
    )
    started_at = serializers.DateTimeField(required=False, allow_null=True)
    detected_at = serializers.DateTimeField(required=False, allow_null=True)
    owner = PersonField(
        required=False,
        allow_null=True,
        help_text="The commander's id (people: default yourself; tokens: required).",
    )
    page_team = serializers.SlugField(
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text="Page this team (its slug) through its first escalation policy; people only.",
    )


class StatusSerializer(JsonInput):
    status = serializers.ChoiceField(choices=list(STATUS_LADDER))
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text="Required when going back to an earlier status.",
    )
    at = serializers.DateTimeField(required=False, allow_null=True, help_text="Default: now.")


class SeverityChangeSerializer(JsonInput):
    severity = serializers.CharField(max_length=10, help_text="A severity code, e.g. S1.")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class RoleChangeSerializer(JsonInput):
    role = serializers.ChoiceField(choices=IncidentRole.choices)
    person = PersonField(
        allow_null=True,
        help_text="Who takes the role; null ends the current holder's (not the commander).",
    )


class EntrySerializer(JsonInput):
    kind = serializers.ChoiceField(choices=[(k, EntryKind(k).label) for k in PEOPLE_KINDS])
    body = serializers.CharField(max_length=20000)
    pinned = serializers.BooleanField(required=False, default=False)
    internal_only = serializers.BooleanField(required=False, default=False)
    occurred_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="May be earlier; not in the future."
    )


class EntryOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=EntryKind.choices)
    occurred_at = serializers.DateTimeField()
    created_at = serializers.DateTimeField()
    actor = serializers.CharField(allow_null=True, help_text="Username.")
    body = serializers.CharField(allow_blank=True)
    pinned = serializers.BooleanField()
    internal_only = serializers.BooleanField()
    data = serializers.DictField()
    source_incident = serializers.CharField(allow_null=True)


class PageTeamSerializer(JsonInput):
    team = serializers.SlugField(help_text="The team's slug.")
    policy = serializers.IntegerField(
        required=False, allow_null=True, help_text="An escalation policy id of that team."
    )


class PageOutSerializer(serializers.Serializer):
    page = serializers.IntegerField()
    team = serializers.CharField()
    status = serializers.CharField()


class MergeSerializer(JsonInput):
    into = serializers.CharField(max_length=20, help_text="The number of the incident kept.")
    reason = serializers.CharField(max_length=2000)
