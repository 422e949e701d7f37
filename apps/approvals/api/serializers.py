"""Approvals API serializers (input shapes and the change-request answer)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.approvals import behind, registry, rules
from apps.approvals.models import ChangeRequest
from apps.core.api.input import JsonInput
from apps.core.api.query import text_filter, yes_no_filter

SHA256_HEX = r"^[0-9a-fA-F]{64}$"


class PersonBehindSerializer(serializers.Serializer):
    username = serializers.CharField()
    # A plain string, not an enum: "reason" is a common field name across the API.
    reason = serializers.CharField(
        help_text=_(
            '"token_creator", "account_creator", "scope_changer" (of the token the request '
            'was filed with) or "named" (by the change itself).'
        )
    )
    detail = serializers.CharField(help_text=_("The token, account or change concerned."))
    text = serializers.CharField(help_text=_('For people, e.g. "token created by admin".'))


class ChangeRequestSerializer(serializers.ModelSerializer):
    requester = serializers.CharField(source="requester.username", read_only=True)
    decided_by = serializers.CharField(
        source="decided_by.username", read_only=True, default=None, allow_null=True
    )
    payload = serializers.SerializerMethodField()
    # Rows {"field", "before", "after"} (handlers may add keys such as "change").
    diff = serializers.ListField(child=serializers.DictField(), read_only=True)
    can_decide = serializers.SerializerMethodField()
    filed_by = serializers.SerializerMethodField(
        help_text=_(
            "Who filed it: a username, or for a service account its name and the people "
            'behind its token, e.g. "robot (token created by admin)".'
        )
    )
    people_behind = serializers.SerializerMethodField(
        help_text=_("Everyone besides the requester who may not decide this request, and why.")
    )

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
            "filed_by",
            "people_behind",
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

    def _rows(self, obj: ChangeRequest) -> list:
        """Who is behind ``obj``: computed now for a pending request's detail answer, the
        recorded rows (prefetched) in lists."""
        cache = self.context.setdefault("_behind_rows", {})
        if obj.pk not in cache:
            if self.context.get("behind_now") and obj.is_pending:
                cache[obj.pk] = behind.people_behind_now(obj)
            else:
                cache[obj.pk] = [
                    behind.Behind(row.person_id, row.reason, row.detail)
                    for row in obj.people_behind.all()
                ]
        return cache[obj.pk]

    def _behind(self, obj: ChangeRequest) -> dict:
        cache = self.context.setdefault("_behind", {})
        if obj.pk not in cache:
            now = self.context.get("behind_now") and obj.is_pending
            # Lists describe the recorded rows with their prefetched people.
            cache[obj.pk] = behind.describe(obj, self._rows(obj) if now else None)
        return cache[obj.pk]

    def get_filed_by(self, obj: ChangeRequest) -> str:
        return self._behind(obj)["filed_by"]

    @extend_schema_field(PersonBehindSerializer(many=True))
    def get_people_behind(self, obj: ChangeRequest) -> list[dict]:
        return self._behind(obj)["people"]

    def get_can_decide(self, obj: ChangeRequest) -> bool:
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if not obj.is_pending or user is None:
            return False
        return rules.decision_blocker(user, obj, self._rows(obj)) is None


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
    payload_sha256 = serializers.RegexField(
        SHA256_HEX,
        required=False,
        help_text=_(
            "The `payload_sha256` of the request as the approver was shown it. When it is "
            "not the request's, nothing is applied (409 `payload_changed`). Optional for "
            "now; required when the server sets APPROVAL_REQUIRE_PAYLOAD_SHA256, and it "
            "will become required: send it."
        ),
    )
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class RejectSerializer(JsonInput):
    comment = serializers.CharField(max_length=2000)
