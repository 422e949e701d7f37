"""API serializers. Secrets are write-only: answers say whether one is set, never what."""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from apps.core.api.input import JsonInput
from apps.notify.models import ALL_CONFIG_KEYS, Channel, Kind, OutboxMessage


def as_api_errors(error: DjangoValidationError) -> serializers.ValidationError:
    """A service's ValidationError as DRF field errors; channel settings nest under
    ``config`` (e.g. ``{"config": {"url": [...]}}``)."""
    if not hasattr(error, "error_dict"):
        return serializers.ValidationError({"non_field_errors": error.messages})
    fields: dict = {}
    for field, messages in error.message_dict.items():
        if field in ALL_CONFIG_KEYS:
            fields.setdefault("config", {})[field] = messages
        elif field == NON_FIELD_ERRORS:
            fields["non_field_errors"] = messages
        elif field == "config":
            fields.setdefault("config", {})["non_field_errors"] = messages
        else:
            fields[field] = messages
    return serializers.ValidationError(fields)


class ChannelSerializer(serializers.ModelSerializer):
    secret_set = serializers.BooleanField(source="has_secret", read_only=True)
    created_by = serializers.CharField(
        source="created_by.username", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = Channel
        fields = [
            "id",
            "name",
            "kind",
            "config",
            "secret_set",
            "enabled",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ChannelCreateSerializer(JsonInput):
    name = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(choices=Kind.choices)
    config = serializers.JSONField(
        required=False,
        help_text=_(
            'email: {"recipients": [...]}; webhook: {"url": ...}; telegram: {"chat_id": ...}; '
            "slack: {}"
        ),
    )
    secret = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        trim_whitespace=True,
        style={"input_type": "password"},
        help_text=_("Webhook signing secret, Slack incoming-webhook URL or Telegram bot token."),
    )
    enabled = serializers.BooleanField(required=False, default=True)

    def validate_config(self, value):
        if not isinstance(value, dict):
            raise serializers.ValidationError(_("The configuration must be a JSON object."))
        return value


class ChannelUpdateSerializer(JsonInput):
    name = serializers.CharField(max_length=100, required=False)
    config = serializers.JSONField(required=False)
    secret = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        trim_whitespace=True,
        style={"input_type": "password"},
        help_text=_("A new value replaces the stored secret; leave out to keep it."),
    )
    enabled = serializers.BooleanField(required=False)

    validate_config = ChannelCreateSerializer.validate_config


class OutboxMessageSerializer(serializers.ModelSerializer):
    destination = serializers.CharField(source="destination_label", read_only=True)

    class Meta:
        model = OutboxMessage
        fields = [
            "id",
            "channel",
            "contact_method",
            "destination",
            "subject",
            "body",
            "event",
            "payload",
            "status",
            "attempts",
            "next_attempt_at",
            "last_error",
            "delivered_at",
            "created_at",
        ]
        read_only_fields = fields
