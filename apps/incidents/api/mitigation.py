"""Mitigation under /v1/incidents/<number>/: switches held, blocking one, resolving.

- ``GET /v1/incidents/{number}/switches``: the kill switches the incident holds (states in
  force now, blocked, naming the incident), each with the pending unblock request if any.
- ``POST /v1/incidents/{number}/switches/block``: block a kill switch with the incident
  linked (the flags' rule: ``flags.block_flag``); 201 with the state.
- ``POST /v1/incidents/{number}/resolve``: a decision per held switch (keep with a reason,
  or unblock: at once for a non-fund switch, a change request for a fund-related one),
  then the incident is resolved; all or nothing (400 naming the switch, nothing written).

Reading takes a token with ``incidents:read``; the writes are for people only (the session
and its MFA) and are idempotent with Idempotency-Key.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.api.permissions import Rule
from apps.accounts.policy import caller_of
from apps.core.api.errors import ApiError
from apps.core.api.idempotency import idempotent
from apps.core.api.input import JsonInput
from apps.core.api.schema import error_responses, people_write_schema
from apps.flags.api.serializers import (
    ChangeRequestRefSerializer,
    FlagStateSerializer,
    ScopeField,
    change_request_ref,
)
from apps.flags.models import StateSource
from apps.incidents.models import Incident
from apps.incidents.selectors.mitigation import incident_by_number, switches_held
from apps.incidents.services import mitigation as services

TAGS = ["incidents"]
VIEW = "incidents.view_incident"
READ = Rule(perm=VIEW, scope="incidents:read")
# The flags' own rule for blocking; the service checks it again, and that the person
# may see the incident.
BLOCK = Rule(perm=services.BLOCK_PERMISSION, scope=None)
# Running the incident is per object (a role holder's grant): the service checks it.
RESOLVE = Rule(perm=VIEW, scope=None)


# --- shapes --------------------------------------------------------------------------------


class HeldSwitchSerializer(serializers.Serializer):
    switch = serializers.IntegerField(
        source="pk", help_text=gettext_lazy("The state's id: name it in a resolve decision.")
    )
    label = serializers.CharField(help_text=gettext_lazy("e.g. payout (network=tron)"))
    fund_related = serializers.BooleanField(source="flag.fund_related")
    state = FlagStateSerializer(source="*")
    pending_request = ChangeRequestRefSerializer(allow_null=True)


class SwitchListSerializer(serializers.Serializer):
    incident = serializers.CharField()
    switches = HeldSwitchSerializer(many=True)


class BlockSwitchSerializer(JsonInput):
    flag = serializers.CharField(max_length=100, help_text=gettext_lazy("The flag's key."))
    scope = ScopeField()
    reason = serializers.CharField(
        max_length=2000, help_text=gettext_lazy("Required; why, for the flag's history.")
    )
    until = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text=gettext_lazy("Optional end of a temporary block (ISO 8601)."),
    )


class BlockResultSerializer(serializers.Serializer):
    incident = serializers.CharField()
    state = FlagStateSerializer()
    message = serializers.CharField()


class DecisionSerializer(JsonInput):
    switch = serializers.IntegerField(
        min_value=1, help_text=gettext_lazy("The held switch's id (GET …/switches).")
    )
    action = serializers.ChoiceField(
        choices=[(services.KEEP, "keep"), (services.UNBLOCK, "unblock")],
        help_text=gettext_lazy("keep: stays blocked (reason required); unblock: request it."),
    )
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ResolveSerializer(JsonInput):
    decisions = serializers.ListField(
        child=DecisionSerializer(),
        required=False,
        default=list,
        max_length=200,
        help_text=gettext_lazy(
            "One per switch the incident still holds (a switch whose unblock is already "
            "requested needs none)."
        ),
    )
    note = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        help_text=gettext_lazy("Resolution note for the status change."),
    )


class ResolvedSwitchSerializer(serializers.Serializer):
    switch = serializers.IntegerField()
    label = serializers.CharField()
    outcome = serializers.ChoiceField(
        choices=["kept", "unblocked", "unblock_requested", "already_requested"]
    )
    change_request = ChangeRequestRefSerializer(allow_null=True)


class ResolveResultSerializer(serializers.Serializer):
    incident = serializers.CharField()
    status = serializers.CharField()
    switches = ResolvedSwitchSerializer(many=True)


# --- helpers -------------------------------------------------------------------------------


def _incident(request, number: str) -> Incident:
    incident = incident_by_number(number=number, user=caller_of(request))
    if incident is None:
        raise ApiError(
            _("No incident %(number)s.") % {"number": number},
            code="not_found",
            status_code=status.HTTP_404_NOT_FOUND,
        )
    return incident


def _held_json(state) -> dict:
    return {
        "switch": state.pk,
        "label": services.switch_label(state),
        "fund_related": state.flag.fund_related,
        "state": FlagStateSerializer(state).data,
        "pending_request": change_request_ref(getattr(state, "pending_request", None)),
    }


def _fields(error: ValidationError, rename: dict[str, str] | None = None) -> dict:
    rename = rename or {}
    if not hasattr(error, "error_dict"):
        return {"non_field_errors": error.messages}
    fields: dict[str, list[str]] = {}
    for name, messages in error.message_dict.items():
        target = rename.get(name, "non_field_errors" if name == "__all__" else name)
        fields.setdefault(target, []).extend(messages)
    return fields


# --- views ---------------------------------------------------------------------------------


class IncidentSwitchesView(APIView):
    action_rules = {"get": READ}

    @extend_schema(
        tags=TAGS,
        summary="Kill switches an incident holds",
        operation_id="incidents_switches_list",
        description=(
            "The states in force now that block a flag for some scope and name this incident "
            "(per flag and scope), each with the pending unblock request if one is filed."
        ),
        responses={200: SwitchListSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request, number: str):
        incident = _incident(request, number)
        return Response(
            {
                "incident": incident.number,
                "switches": [_held_json(state) for state in switches_held(incident)],
            }
        )


class IncidentSwitchBlockView(APIView):
    action_rules = {"post": BLOCK}

    @people_write_schema(
        tags=TAGS,
        summary="Block a kill switch for an incident",
        operation_id="incidents_switches_block",
        description=(
            "The safe direction, applied at once, with the incident linked (the flag's "
            "history and the incident's timeline show it). Needs flags.block_flag. 400 names "
            "the field: flag (unknown), scope (not accepted by the flag, malformed value), "
            "state (already blocked for that scope), reason, until; 409 when the incident "
            "is closed or merged."
        ),
        request=BlockSwitchSerializer,
        responses={201: BlockResultSerializer},
        errors=(400, 401, 403, 404, 409, 422),
    )
    @idempotent
    def post(self, request, number: str):
        incident = _incident(request, number)
        given = BlockSwitchSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        scope_kind, scope_value = data["scope"] if data.get("scope") else ("global", "")
        try:
            change = services.incident_block_switch(
                actor=request.user,
                incident=incident,
                flag=data["flag"],
                reason=data["reason"],
                scope_kind=scope_kind,
                scope_value=scope_value,
                until=data["until"],
                source=StateSource.API,
            )
        except PermissionDenied as error:
            raise exceptions.PermissionDenied(str(error) or None) from None
        except ValidationError as error:
            fields = _fields(error, {"scope_kind": "scope", "scope_value": "scope"})
            if "incident" in fields:
                raise ApiError(
                    fields["incident"][0],
                    code="incident_not_open",
                    status_code=status.HTTP_409_CONFLICT,
                    fields=fields,
                ) from None
            raise exceptions.ValidationError(fields) from None
        state = change.state
        return Response(
            {
                "incident": incident.number,
                "state": FlagStateSerializer(state).data,
                "message": _("%(flag)s is blocked (%(scope)s) for %(number)s.")
                % {"flag": state.flag.key, "scope": state.scope_label, "number": incident.number},
            },
            status=status.HTTP_201_CREATED,
        )


class IncidentResolveView(APIView):
    action_rules = {"post": RESOLVE}

    @people_write_schema(
        tags=TAGS,
        summary="Resolve an incident, deciding about the switches it holds",
        operation_id="incidents_resolve",
        description=(
            "Every switch the incident still holds needs a decision: keep (with a reason; "
            "a pinned decision entry on the timeline) or unblock (a non-fund switch is "
            "unblocked at once for those allowed; a fund-related one files a change request "
            "a second super admin approves). Then the status becomes resolved. All or "
            "nothing: 400 with fields.decisions naming each switch without a decision, a "
            "keep without a reason, an unknown switch or an unblock refused; nothing is "
            "written. 403 for people who do not run this incident."
        ),
        request=ResolveSerializer,
        responses={200: ResolveResultSerializer},
        errors=(400, 401, 403, 404, 422),
    )
    @idempotent
    def post(self, request, number: str):
        incident = _incident(request, number)
        given = ResolveSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        decisions: dict[int, services.SwitchDecision] = {}
        for item in data["decisions"]:
            if item["switch"] in decisions:
                raise exceptions.ValidationError(
                    {"decisions": [_("Switch %(id)s is named twice.") % {"id": item["switch"]}]}
                )
            decisions[item["switch"]] = services.SwitchDecision(
                action=item["action"], reason=item["reason"]
            )
        try:
            result = services.incident_resolve(
                actor=request.user,
                incident=incident,
                decisions=decisions,
                reason=data["note"],
                source=StateSource.API,
            )
        except PermissionDenied as error:
            raise exceptions.PermissionDenied(str(error) or None) from None
        except ValidationError as error:
            raise exceptions.ValidationError(
                _fields(error, {"status": "non_field_errors", "reason": "note"})
            ) from None
        incident.refresh_from_db(fields=["status"])
        switches = [
            {"switch": s.pk, "label": services.switch_label(s), "outcome": "kept"}
            for s in result.kept
        ]
        switches += [
            {"switch": s.pk, "label": services.switch_label(s), "outcome": "unblocked"}
            for s in result.unblocked
        ]
        switches += [
            {
                "switch": s.pk,
                "label": services.switch_label(s),
                "outcome": "unblock_requested",
                "change_request": change_request_ref(cr),
            }
            for s, cr in result.requested
        ]
        switches += [
            {
                "switch": s.pk,
                "label": services.switch_label(s),
                "outcome": "already_requested",
                "change_request": change_request_ref(getattr(s, "pending_request", None)),
            }
            for s in result.already_requested
        ]
        for item in switches:
            item.setdefault("change_request", None)
        return Response(
            {"incident": incident.number, "status": incident.status, "switches": switches}
        )
