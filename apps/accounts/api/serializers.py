"""Input and output shapes of the accounts API. Inputs only validate; services write."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from apps.accounts.models import ApiToken, User
from apps.accounts.scopes import SCOPES
from apps.core.api.input import JsonInput

# --- who am I ------------------------------------------------------------------------


class MeTokenSerializer(serializers.Serializer):
    name = serializers.CharField()
    prefix = serializers.CharField()
    scopes = serializers.ListField(child=serializers.CharField())
    expires_at = serializers.DateTimeField()


class MeSerializer(serializers.Serializer):
    # A plain string, not an enum: "kind" is a common field name across the API and
    # enum components of one name would collide in the schema.
    kind = serializers.CharField(help_text=_('"person" or "service_account".'))
    username = serializers.CharField(help_text=_("The person, or the service account."))
    roles = serializers.ListField(child=serializers.CharField(), help_text=_("People only."))
    language = serializers.CharField(allow_null=True, help_text=_("People only."))
    timezone = serializers.CharField(allow_null=True, help_text=_("People only."))
    token = MeTokenSerializer(allow_null=True, help_text=_("Token callers only."))


# --- service accounts ---------------------------------------------------------------------


class ServiceAccountSerializer(serializers.ModelSerializer):
    created_at = serializers.DateTimeField(source="date_joined", read_only=True)
    active_token_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = User
        fields = ["id", "username", "description", "is_active", "created_at", "active_token_count"]
        read_only_fields = fields


class ServiceAccountCreateSerializer(JsonInput):
    # Uniqueness and the character rules are checked by the service (model validation).
    username = serializers.CharField(max_length=150)
    description = serializers.CharField(max_length=300, required=False, allow_blank=True)


# --- tokens ------------------------------------------------------------------------------


class TokenSerializer(serializers.ModelSerializer):
    """A token as anyone may see it later: never the secret, never its hash."""

    service_account = serializers.CharField(source="service_account.username", read_only=True)
    service_account_id = serializers.IntegerField(read_only=True)
    created_by = serializers.CharField(
        source="created_by.username", read_only=True, allow_null=True, default=None
    )
    revoked_by = serializers.CharField(
        source="revoked_by.username", read_only=True, allow_null=True, default=None
    )
    scopes = serializers.ListField(child=serializers.CharField(), read_only=True)
    allowed_ips = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "name",
            "prefix",
            "service_account",
            "service_account_id",
            "scopes",
            "allowed_ips",
            "expires_at",
            "created_at",
            "created_by",
            "last_used_at",
            "last_used_ip",
            "revoked_at",
            "revoked_by",
        ]
        read_only_fields = fields


class TokenCreatedSerializer(TokenSerializer):
    token = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text=_(
            "The token itself, shown in this answer only: store it now. Null when an "
            "Idempotency-Key replay answers (the secret is never stored)."
        ),
    )

    class Meta(TokenSerializer.Meta):
        fields = [*TokenSerializer.Meta.fields, "token"]
        read_only_fields = fields


class TokenCreateSerializer(JsonInput):
    name = serializers.CharField(max_length=100)
    scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=list(SCOPES)),
        allow_empty=False,
        help_text=_("At least one scope."),
    )
    expires_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text=_("Default: 90 days from now. At most one year from now."),
    )
    allowed_ips = serializers.ListField(
        child=serializers.CharField(max_length=64),
        required=False,
        default=list,
        help_text=_("Addresses or CIDR networks; empty: any address."),
    )


class TokenRevokeSerializer(JsonInput):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class TokenScopesSerializer(serializers.Serializer):
    scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=list(SCOPES)),
        allow_empty=False,
        help_text=_("The token's scopes from now on (at least one)."),
    )
    reason = serializers.CharField(max_length=500, help_text=_("Why the scopes change."))


class LockoutSerializer(serializers.Serializer):
    """An account locked at one client address now."""

    username = serializers.CharField()
    ip_address = serializers.IPAddressField(allow_null=True)
    failures = serializers.IntegerField(help_text=_("Failed attempts counted at this address."))
    since = serializers.DateTimeField(help_text=_("When the lock began."))
    until = serializers.DateTimeField(help_text=_("When it ends unless lifted before."))


class LockoutLiftSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    ip_address = serializers.IPAddressField(allow_null=True, required=False, default=None)
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class LockoutLiftedSerializer(serializers.Serializer):
    username = serializers.CharField()
    ip_address = serializers.IPAddressField(allow_null=True)
    locked_at = serializers.DateTimeField()
    lifted_at = serializers.DateTimeField()
    lifted_by = serializers.CharField(source="lifted_by.username")
    lift_reason = serializers.CharField()
