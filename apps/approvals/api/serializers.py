"""Approvals API serializers (input shapes and the change-request answer)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.approvals import registry, services
from apps.approvals.models import ChangeRequest
from apps.core.api.input import JsonInput
from apps.core.api.query import text_filter, yes_no_filter


class ChangeRequestSerializer(serializers.ModelSerializer):
    requester = serializers.CharField(source="requester.username", read_only=True)
    decided_by = serializers.CharField(
        source="decided_by.username", read_only=True, default=None, allow_null=True
    )
    payload = serializers.SerializerMethodField()
    # Rows {"field", "before", "after"} (handlers may add keys such as "change").
    diff = serializers.ListField(child=serializers.DictField(), read_only=True)
    can_decide = serializers.SerializerMethodField()

    class Meta:
        model = ChangeRequest
        fields = [
            "id",
            "kind",
            "target",
            "summary",
            "status",
            "payload",
            "payload_sha256",
            "base_version",
            "diff",
            "reason",
            "ticket",
            "requester",
            "created_at",
            "expires_at",
            "decided_by",
            "decided_at",
            "decision_comment",
            "apply_result",
            "freeze_exception",
            "freeze_exception_reason",
            "bootstrap",
            "can_decide",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DictField())
    def get_payload(self, obj: ChangeRequest) -> dict:
        try:
            return registry.get_handler(obj.kind).public_payload(obj.payload)
        except KeyError:
            return {}

    def get_can_decide(self, obj: ChangeRequest) -> bool:
        request = self.context.get("request")
        user = getattr(request, "user", None)
        return bool(obj.is_pending and user is not None and services.can_decide(user, obj))


class ChangeRequestFilterSerializer(serializers.Serializer):
    """Query parameters of the change-request list."""

    status = serializers.ChoiceField(choices=ChangeRequest.Status.choices, required=False)
    kind = text_filter(_("A kind of change, e.g. flags.state."))
    mine = yes_no_filter(_("Only requests I filed."))
    waiting_for_me = yes_no_filter(_("Only those I may decide."))


class ChangeRequestCreateSerializer(JsonInput):
    kind = serializers.CharField(max_length=100)
    payload = serializers.JSONField()
    reason = serializers.CharField(max_length=2000)
    ticket = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    freeze_exception_reason = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Required while a freeze window covers this kind of change."),
    )

    def validate_payload(self, value):
        if not isinstance(value, dict):
            raise serializers.ValidationError(_("The payload must be a JSON object."))
        return value


class ApproveSerializer(JsonInput):
    otp_code = serializers.CharField(
        max_length=12, help_text=_("A fresh code from the approver's authenticator app.")
    )
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class RejectSerializer(JsonInput):
    comment = serializers.CharField(max_length=2000)
