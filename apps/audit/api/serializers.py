from __future__ import annotations

from rest_framework import serializers

from apps.audit.filters import CHANGE_ACTIONS
from apps.audit.models import AccessLogEntry, AuditEvent, LogEntry

ACTION_NAMES = {value: name for name, value in CHANGE_ACTIONS.items()}

_CHAIN_FIELDS = ["request_id", "remote_addr", "prev_hash", "row_hash"]


class ChangeRecordSerializer(serializers.ModelSerializer):
    """One model change recorded by django-auditlog."""

    actor = serializers.SlugRelatedField(
        slug_field="username",
        read_only=True,
        allow_null=True,
        help_text="Username of the actor, or null.",
    )
    action = serializers.SerializerMethodField(help_text="create, update, delete or access.")
    object_type = serializers.SerializerMethodField(help_text="app_label.model")
    object_id = serializers.CharField(source="object_pk", read_only=True)
    changes = serializers.JSONField(
        source="changes_dict",
        read_only=True,
        help_text='Per field: [old, new]; m2m: {"type": "m2m", "operation", "objects"}.',
    )

    class Meta:
        model = LogEntry
        fields = [
            "id",
            "timestamp",
            "actor",
            "actor_id",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "changes",
            "cid",
            *_CHAIN_FIELDS,
        ]
        read_only_fields = fields

    def get_action(self, obj: LogEntry) -> str:
        return ACTION_NAMES.get(obj.action, str(obj.action))

    def get_object_type(self, obj: LogEntry) -> str:
        return f"{obj.content_type.app_label}.{obj.content_type.model}"


class AuditEventSerializer(serializers.ModelSerializer):
    """One domain event written by a service."""

    actor = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "timestamp",
            "actor",
            "actor_id",
            "actor_repr",
            "name",
            "target_type",
            "target_id",
            "target_repr",
            "data",
            *_CHAIN_FIELDS,
        ]
        read_only_fields = fields


class AccessRecordSerializer(serializers.ModelSerializer):
    """One sensitive read: who looked at what, why, under which ticket."""

    actor = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = AccessLogEntry
        fields = [
            "id",
            "timestamp",
            "actor",
            "actor_id",
            "actor_repr",
            "what",
            "subject_type",
            "subject_id",
            "subject_repr",
            "reason",
            "ticket",
            *_CHAIN_FIELDS,
        ]
        read_only_fields = fields
