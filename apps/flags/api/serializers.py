"""Input and output shapes of the flags API. Inputs only check shapes; services check rules.

Answers are built from plain dicts where speed matters (the evaluation answers are the
evaluation's own ``Decision.as_dict()``); the serializers of decisions below exist for the
OpenAPI document only.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.core.api.input import JsonInput
from apps.core.api.query import text_filter, yes_no_filter
from apps.flags.models import FlagKind, ScheduledStatus, StateValue
from apps.flags.scopes import CONTEXT_KEYS, ScopeKind

MAX_BATCH_CHECKS = 200


# --- shared pieces -----------------------------------------------------------------------


def actor_name(user) -> str | None:
    return user.username if user is not None else None


def change_request_ref(change_request) -> dict | None:
    """How a change request is pointed at: its id and status, the API and page links."""
    if change_request is None:
        return None
    return {
        "id": change_request.pk,
        "status": change_request.status,
        "summary": change_request.summary,
        "url": reverse("api:approval", args=[change_request.pk]),
        "page_url": reverse("approvals:detail", args=[change_request.pk]),
    }


class ChangeRequestRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField(help_text=gettext_lazy("pending, applied, rejected, …"))
    summary = serializers.CharField()
    url = serializers.CharField(help_text=gettext_lazy("The request in the API."))
    page_url = serializers.CharField(help_text=gettext_lazy("The request's portal page."))


def parse_scope(value) -> tuple[str, str]:
    """``scope`` of a request body -> (scope_kind, raw scope_value).

    Accepted: absent/null/"global"/{} (global); ``{"kind": "round", "value": "42"}``;
    the context style ``{"round": "42"}`` (exactly one key). ``ValueError`` otherwise.
    """
    if value in (None, "", {}, ScopeKind.GLOBAL):
        return ScopeKind.GLOBAL, ""
    if not isinstance(value, dict):
        raise ValueError(
            _('Give the scope as {"kind": "round", "value": "42"} or {"round": "42"}.')
        )
    if "kind" in value:
        unknown = set(value) - {"kind", "value"}
        if unknown:
            raise ValueError(
                _("Unexpected keys in scope: %(keys)s.") % {"keys": ", ".join(sorted(unknown))}
            )
        kind = value.get("kind")
        raw = value.get("value")
        if kind not in ScopeKind.values:
            raise ValueError(
                _("Unknown scope kind '%(kind)s'; one of: %(kinds)s.")
                % {"kind": kind, "kinds": ", ".join(ScopeKind.values)}
            )
        if isinstance(raw, dict | list | bool):
            raise ValueError(_("The scope value is a string or a number."))
        return kind, "" if raw is None else str(raw)
    if len(value) != 1:
        raise ValueError(_("A state has one scope: give exactly one context key."))
    ((kind, raw),) = value.items()
    if kind not in CONTEXT_KEYS:
        raise ValueError(
            _("Unknown scope '%(kind)s'; one of: %(kinds)s.")
            % {"kind": kind, "kinds": ", ".join(CONTEXT_KEYS)}
        )
    if isinstance(raw, dict | list | bool) or raw is None:
        raise ValueError(_("The scope value is a string or a number."))
    return kind, str(raw)


class ScopeField(serializers.JSONField):
    """A state's scope; validated into ``(scope_kind, scope_value)``."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault(
            "help_text",
            gettext_lazy(
                'Omitted or null: global. {"kind": "round", "value": "42"} or the context '
                'style {"round": "42"}. Kinds: global, round, claim_type, network, user, '
                "project (the flag must accept the kind)."
            ),
        )
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        data = super().to_internal_value(data)
        try:
            return parse_scope(data)
        except ValueError as error:
            raise serializers.ValidationError(str(error)) from None


# --- flags and their states ----------------------------------------------------------------


class FlagStateSerializer(serializers.Serializer):
    """One state row, as stored (never changed)."""

    id = serializers.IntegerField()
    flag = serializers.CharField(source="flag.key")
    scope_kind = serializers.ChoiceField(choices=ScopeKind.choices)
    scope_value = serializers.CharField()
    state = serializers.ChoiceField(choices=StateValue.choices)
    reason = serializers.CharField()
    incident_ref = serializers.CharField()
    actor = serializers.SerializerMethodField()
    source = serializers.CharField()
    change_request_id = serializers.IntegerField(allow_null=True)
    effective_from = serializers.DateTimeField()
    until = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()

    def get_actor(self, state) -> str | None:
        return actor_name(state.actor)


class FlagSerializer(serializers.Serializer):
    """A flag with the states in force now (blocked/closed first)."""

    key = serializers.CharField()
    description = serializers.CharField()
    kind = serializers.ChoiceField(choices=FlagKind.choices)
    fund_related = serializers.BooleanField()
    scopes = serializers.ListField(
        source="accepted_scopes",
        child=serializers.ChoiceField(choices=ScopeKind.choices),
        help_text=gettext_lazy("Scope kinds a state may name; global always."),
    )
    default_state = serializers.ChoiceField(choices=StateValue.choices)
    blocked = serializers.SerializerMethodField(
        help_text=gettext_lazy("A blocked (kill switch) or closed (gate) state is in force.")
    )
    states = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    def _states(self, flag) -> list:
        return self.context.get("states", {}).get(flag.pk, [])

    def get_blocked(self, flag) -> bool:
        return any(state.state == flag.safe_state for state in self._states(flag))

    @extend_schema_field(FlagStateSerializer(many=True))
    def get_states(self, flag) -> list[dict]:
        return FlagStateSerializer(self._states(flag), many=True).data


class FlagCreateSerializer(JsonInput):
    key = serializers.CharField(max_length=100)
    description = serializers.CharField()
    kind = serializers.ChoiceField(choices=FlagKind.choices)
    fund_related = serializers.BooleanField(default=False)
    scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=ScopeKind.choices), required=False, default=list
    )


class StateSetSerializer(JsonInput):
    """``POST /v1/admin/system-flags/set``."""

    flag = serializers.CharField(max_length=100, help_text=gettext_lazy("The flag's key."))
    state = serializers.ChoiceField(
        choices=StateValue.choices,
        help_text=gettext_lazy("blocked/allowed for kill switches, closed/open for gates."),
    )
    reason = serializers.CharField(help_text=gettext_lazy("Required; why, for the history."))
    scope = ScopeField()
    incident = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        default="",
        help_text=gettext_lazy("Optional incident reference, e.g. INC-42."),
    )
    until = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text=gettext_lazy("Optional end of a temporary state (ISO 8601)."),
    )


class StateChangeSerializer(serializers.Serializer):
    """What setting a state did: applied at once (201) or filed for approval (202)."""

    applied = serializers.BooleanField()
    flag = serializers.CharField()
    state = FlagStateSerializer(allow_null=True)
    change_request = ChangeRequestRefSerializer(allow_null=True)
    message = serializers.CharField()


class FlagFilterSerializer(serializers.Serializer):
    """Query parameters of the flag list."""

    kind = serializers.ChoiceField(choices=FlagKind.choices, required=False)
    blocked = yes_no_filter(gettext_lazy("Only flags blocked/closed somewhere."))


# --- scheduled changes ---------------------------------------------------------------------


class ScheduledChangeFilterSerializer(serializers.Serializer):
    """Query parameters of the scheduled-change list."""

    status = serializers.ChoiceField(choices=ScheduledStatus.choices, required=False)
    flag = text_filter(gettext_lazy("A flag key."), max_length=100)


class ScheduledChangeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    flag = serializers.CharField(source="flag.key")
    scope_kind = serializers.ChoiceField(choices=ScopeKind.choices)
    scope_value = serializers.CharField()
    state = serializers.ChoiceField(choices=StateValue.choices)
    reason = serializers.CharField()
    incident_ref = serializers.CharField()
    run_at = serializers.DateTimeField()
    until = serializers.DateTimeField(allow_null=True)
    status = serializers.ChoiceField(choices=ScheduledStatus.choices)
    requested_by = serializers.SerializerMethodField()
    change_request = serializers.SerializerMethodField()
    applied_state_id = serializers.IntegerField(allow_null=True)
    cancelled_by = serializers.SerializerMethodField()
    cancel_reason = serializers.CharField()
    created_at = serializers.DateTimeField()

    def get_requested_by(self, change) -> str | None:
        return actor_name(change.requested_by)

    def get_cancelled_by(self, change) -> str | None:
        return actor_name(change.cancelled_by)

    @extend_schema_field(ChangeRequestRefSerializer(allow_null=True))
    def get_change_request(self, change) -> dict | None:
        return change_request_ref(change.change_request)


class ScheduledChangeCreateSerializer(JsonInput):
    flag = serializers.CharField(max_length=100, help_text=gettext_lazy("The flag's key."))
    state = serializers.ChoiceField(choices=StateValue.choices)
    run_at = serializers.DateTimeField(help_text=gettext_lazy("When to apply (ISO 8601)."))
    reason = serializers.CharField()
    scope = ScopeField()
    until = serializers.DateTimeField(required=False, allow_null=True, default=None)
    incident = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")


class ScheduledChangeCancelSerializer(JsonInput):
    reason = serializers.CharField(help_text=gettext_lazy("Required; why it should not run."))


# --- evaluation (documentation shapes; answers are plain dicts) ----------------------------


class StateInfoSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    scope_kind = serializers.ChoiceField(choices=ScopeKind.choices)
    scope_value = serializers.CharField()
    state = serializers.ChoiceField(choices=StateValue.choices)
    reason = serializers.CharField()
    incident_ref = serializers.CharField()
    since = serializers.DateTimeField()
    until = serializers.DateTimeField(allow_null=True)


class DecisionSerializer(serializers.Serializer):
    flag = serializers.CharField()
    allowed = serializers.BooleanField()
    reason = serializers.CharField(
        help_text=gettext_lazy("DEFAULT, BLOCKED_GLOBAL, BLOCKED_SCOPE, GATE_OPEN, GATE_CLOSED, …")
    )
    state = StateInfoSerializer(
        allow_null=True, help_text=gettext_lazy("The deciding state; null by default.")
    )
    version = serializers.CharField(help_text=gettext_lazy("The flags version decided on."))


@extend_schema_field({"oneOf": [{"type": "string"}, {"type": "integer"}]})
class ContextValueField(serializers.CharField):
    """A context value: text, or a whole number (a round id) taken as its digits."""

    json_types = (str, int)

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_blank", True)
        super().__init__(**kwargs)


class CheckSerializer(JsonInput):
    flag = serializers.CharField(max_length=100)
    context = serializers.DictField(
        child=ContextValueField(),
        required=False,
        default=dict,
        help_text=gettext_lazy("Context keys: round, user, claim_type, network, project."),
    )


class BatchEvaluateSerializer(JsonInput):
    checks = serializers.ListField(
        child=CheckSerializer(), min_length=1, max_length=MAX_BATCH_CHECKS
    )


class BatchDecisionSerializer(serializers.Serializer):
    version = serializers.CharField()
    results = DecisionSerializer(many=True)


class SnapshotStateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    scope_kind = serializers.ChoiceField(choices=ScopeKind.choices)
    scope_value = serializers.CharField()
    state = serializers.ChoiceField(choices=StateValue.choices)
    effective_from = serializers.DateTimeField()
    until = serializers.DateTimeField(allow_null=True)


class SnapshotFlagSerializer(serializers.Serializer):
    key = serializers.CharField()
    kind = serializers.ChoiceField(choices=FlagKind.choices)
    fund_related = serializers.BooleanField()
    scopes = serializers.ListField(child=serializers.CharField())
    states = SnapshotStateSerializer(many=True)


class SnapshotSerializer(serializers.Serializer):
    version = serializers.CharField()
    generated_at = serializers.DateTimeField()
    flags = SnapshotFlagSerializer(many=True)
