"""Flags under /v1/: evaluation for services, reads and state changes for people and tokens.

- ``GET /v1/flags/{key}/evaluate`` is the hot path every service calls before an action:
  no pagination, no serializer, no write of any kind (no audit, no access log); the answer
  is the evaluation's own dict. ``POST /v1/flags/evaluate`` checks several at once and
  ``GET /v1/flags/snapshot`` hands out everything needed to evaluate locally, with
  ``ETag`` = the flags version and 304 on ``If-None-Match``.
- ``POST /v1/admin/system-flags/set`` (the runbook's automation endpoint): the safe
  direction applies at once (201); the risky direction of a fund-related flag files a
  change request and answers 202 pointing at it. Idempotent with ``Idempotency-Key``.
- An unknown flag key is always 404 ``flag_not_found``, never a default answer.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.api.permissions import ANY_VERIFIED, Rule
from apps.accounts.models import ApiToken
from apps.accounts.policy import caller_of
from apps.approvals.api.responses import refused_response
from apps.approvals.services import ApprovalRefused
from apps.core.api.errors import ApiError
from apps.core.api.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent
from apps.core.api.query import query_params
from apps.core.api.schema import error_responses, paginated, people_write_schema
from apps.flags import evaluation, selectors, services
from apps.flags.api import serializers as s
from apps.flags.models import Flag, StateSource

TAGS = ["flags"]
READ = Rule(perm="flags.view_flag", scope="flags:read")
# Who may set which state depends on the direction, the flag and the scope (a support
# person may set user-scoped states only), so the service decides; a token needs
# flags:write.
SET = Rule(perm=ANY_VERIFIED, scope="flags:write")
CREATE = Rule(perm="flags.add_flag", scope=None)
SCHEDULE = Rule(perm="flags.schedule_change", scope=None)

# Service field names -> the names the API's bodies use.
_BODY_FIELDS = {"scope_kind": "scope", "scope_value": "scope", "incident_ref": "incident"}

CONTEXT_PARAMETERS = [
    OpenApiParameter(name, OpenApiTypes.STR, description=description)
    for name, description in (
        ("round", "The round's id, e.g. 42."),
        ("user", "The platform customer's id or handle."),
        ("claim_type", "vesting, referral or sbt."),
        ("network", "A network slug, e.g. ethereum."),
        ("project", "The project's id."),
    )
]
IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    description="The ETag you hold; 304 with no body while it is still current.",
)


# --- helpers -------------------------------------------------------------------------------


def flag_not_found(key: str, field: str | None = None) -> ApiError:
    message = _("No flag '%(key)s'. GET /v1/flags/ lists the flags.") % {"key": key}
    return ApiError(
        message,
        code="flag_not_found",
        status_code=status.HTTP_404_NOT_FOUND,
        fields={field: [message]} if field else None,
    )


def context_error(fields: dict) -> ApiError:
    return ApiError(
        _("The evaluation context is malformed; see 'fields'."),
        code="invalid_context",
        fields={name: list(messages) for name, messages in fields.items()},
    )


def _load_flag(key: str, field: str | None = None) -> Flag:
    flag = selectors.flag_get(key=key)
    if flag is None:
        raise flag_not_found(key, field)
    return flag


def _body_validation_error(error: ValidationError) -> exceptions.ValidationError:
    """A service's ValidationError, its fields named as in the request body."""
    if not hasattr(error, "error_dict"):
        return exceptions.ValidationError({"non_field_errors": error.messages})
    fields: dict[str, list[str]] = {}
    for name, messages in error.message_dict.items():
        target = _BODY_FIELDS.get(name, "non_field_errors" if name == "__all__" else name)
        fields.setdefault(target, []).extend(messages)
    return exceptions.ValidationError(fields)


def _token(request) -> ApiToken | None:
    return request.auth if isinstance(request.auth, ApiToken) else None


def _current_states(request, flags) -> dict[int, list]:
    """flag id -> its states in force now, blocked/closed first (the panel's order)."""
    rows = selectors.flags_panel(user=caller_of(request))
    wanted = {flag.pk for flag in flags}
    return {row.flag.pk: list(row.states) for row in rows if row.flag.pk in wanted}


def _etag(version) -> str:
    return f'"{version}"'


def _etag_matches(request, etag: str) -> bool:
    header = request.headers.get("If-None-Match", "")
    if not header:
        return False
    tags = [tag.strip().removeprefix("W/") for tag in header.split(",")]
    return "*" in tags or etag in tags


# --- evaluation ----------------------------------------------------------------------------


class FlagEvaluateView(APIView):
    """One flag for one context. Kept lean: it is called before every guarded action."""

    action_rules = {"get": READ}

    @extend_schema(
        tags=TAGS,
        summary="Evaluate one flag",
        operation_id="flags_evaluate",
        description=(
            "Kill switch: allowed unless a state matching the context is blocked (deny "
            "wins). Gate: open if opened globally or for a matching scope. An unknown key "
            "is 404 flag_not_found; an unknown or malformed context key is 400 "
            "invalid_context."
        ),
        parameters=CONTEXT_PARAMETERS,
        responses={200: s.DecisionSerializer, **error_responses(400, 401, 403, 404)},
    )
    def get(self, request, key: str):
        return JsonResponse(evaluate_query(key, request._request.GET))


def evaluate_query(key: str, query) -> dict:
    """The answer of GET /v1/flags/{key}/evaluate for a query (a QueryDict): the decision's
    dict, or ApiError (flag_not_found, invalid_context). The view and the WSGI fast path
    (apps/flags/fastpath.py) both answer through it."""
    context = {}
    for name in query:
        values = query.getlist(name)
        if len(values) != 1:
            raise context_error({name: [_("Give each context key once.")]})
        context[name] = values[0]
    try:
        decision = evaluation.evaluate(key, context)
    except evaluation.FlagNotFound:
        raise flag_not_found(key) from None
    except evaluation.ContextError as error:
        raise context_error(error.fields) from None
    return decision.as_dict()


class FlagBatchEvaluateView(APIView):
    """Several flags at once, each with its own context, decided on one version."""

    action_rules = {"post": READ}

    @extend_schema(
        tags=TAGS,
        summary="Evaluate several flags",
        operation_id="flags_evaluate_batch",
        description=(
            f"Up to {s.MAX_BATCH_CHECKS} checks. Refused whole (nothing decided) when one "
            "names an unknown flag (404 flag_not_found, the field path names the check) or "
            "a malformed context (400 invalid_context)."
        ),
        request=s.BatchEvaluateSerializer,
        responses={200: s.BatchDecisionSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request):
        given = s.BatchEvaluateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        checks = [(c["flag"], c["context"]) for c in given.validated_data["checks"]]
        try:
            decisions = evaluation.evaluate_many(checks)
        except evaluation.FlagNotFound as error:
            raise flag_not_found(error.key, field=error.field) from None
        except evaluation.ContextError as error:
            raise context_error(error.fields) from None
        version = decisions[0].version if decisions else evaluation.current_version()
        return JsonResponse({"version": version, "results": [d.as_dict() for d in decisions]})


class FlagSnapshotView(APIView):
    """Everything a service needs to evaluate locally, with the version as ETag."""

    action_rules = {"get": READ}

    @extend_schema(
        tags=TAGS,
        summary="Snapshot of every flag and its active and future states",
        operation_id="flags_snapshot",
        parameters=[IF_NONE_MATCH],
        responses={
            200: s.SnapshotSerializer,
            304: OpenApiResponse(description="Not modified: the ETag you sent is current."),
            **error_responses(401, 403),
        },
    )
    def get(self, request):
        etag = _etag(evaluation.current_version())
        if _etag_matches(request, etag):
            response = HttpResponse(status=status.HTTP_304_NOT_MODIFIED)
        else:
            body = evaluation.snapshot()
            etag = _etag(body["version"])
            response = JsonResponse(body)
        response["ETag"] = etag
        patch_cache_control(response, no_cache=True, private=True)
        return response


# --- flags ---------------------------------------------------------------------------------


class FlagListView(GenericAPIView):
    """Every flag with its states in force now; a super admin adds flags."""

    action_rules = {"get": READ, "post": CREATE}
    serializer_class = s.FlagSerializer

    @extend_schema(
        tags=TAGS,
        summary="List flags with their current states",
        operation_id="flags_list",
        parameters=[s.FlagFilterSerializer],
        responses={200: paginated(s.FlagSerializer, "FlagPage"), **error_responses(401, 403)},
    )
    def get(self, request):
        filters = query_params(s.FlagFilterSerializer, request)
        rows = selectors.flags_panel(user=caller_of(request))
        if filters.get("kind"):
            rows = [row for row in rows if row.flag.kind == filters["kind"]]
        if filters.get("blocked"):
            rows = [row for row in rows if row.blocked]
        page = self.paginate_queryset(rows)
        context = {"states": {row.flag.pk: list(row.states) for row in page}}
        data = s.FlagSerializer([row.flag for row in page], many=True, context=context).data
        return self.get_paginated_response(data)

    @people_write_schema(
        tags=TAGS,
        summary="Add a flag (super admin)",
        operation_id="flags_create",
        request=s.FlagCreateSerializer,
        responses={201: s.FlagSerializer},
        errors=(400, 401, 403, 422),
    )
    @idempotent
    def post(self, request):
        given = s.FlagCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            flag = services.flag_create(actor=request.user, **given.validated_data)
        except ValidationError as error:
            raise _body_validation_error(error) from None
        return Response(s.FlagSerializer(flag).data, status=status.HTTP_201_CREATED)


class FlagDetailView(APIView):
    action_rules = {"get": READ}

    @extend_schema(
        tags=TAGS,
        summary="One flag with its current states",
        operation_id="flags_retrieve",
        responses={200: s.FlagSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request, key: str):
        flag = _load_flag(key)
        context = {"states": _current_states(request, [flag])}
        return Response(s.FlagSerializer(flag, context=context).data)


class FlagStateListView(GenericAPIView):
    """The history of a flag: every state row, newest first."""

    action_rules = {"get": READ}
    serializer_class = s.FlagStateSerializer

    @extend_schema(
        tags=TAGS,
        summary="History of a flag's states",
        operation_id="flags_states_list",
        responses={
            200: paginated(s.FlagStateSerializer, "FlagStatePage"),
            **error_responses(401, 403, 404),
        },
    )
    def get(self, request, key: str):
        flag = _load_flag(key)
        page = self.paginate_queryset(selectors.flag_history(flag=flag))
        return self.get_paginated_response(s.FlagStateSerializer(page, many=True).data)


# --- setting states ------------------------------------------------------------------------


def _state_change_answer(flag: Flag, change) -> Response:
    if change.applied:
        state = change.state
        body = {
            "applied": True,
            "flag": flag.key,
            "state": s.FlagStateSerializer(state).data,
            "change_request": None,
            "message": _("%(flag)s is now %(state)s (%(scope)s).")
            % {"flag": flag.key, "state": state.state, "scope": state.scope_label},
        }
        return Response(body, status=status.HTTP_201_CREATED)
    reference = s.change_request_ref(change.change_request)
    body = {
        "applied": False,
        "flag": flag.key,
        "state": None,
        "change_request": reference,
        "message": _(
            "Change request #%(id)s filed: %(flag)s is a fund-related flag, so a second "
            "super admin must approve before it changes. Nothing changed yet."
        )
        % {"id": reference["id"] if reference else "?", "flag": flag.key},
    }
    response = Response(body, status=status.HTTP_202_ACCEPTED)
    if reference:
        response["Location"] = reference["url"]
    return response


class SystemFlagSetView(APIView):
    """The runbook's automation endpoint: set one state of one flag."""

    action_rules = {"post": SET}

    @extend_schema(
        tags=TAGS,
        summary="Set a flag state (block/unblock, close/open)",
        operation_id="system_flags_set",
        description=(
            "The safe direction (blocked, closed) applies at once: 201 with the new state. "
            "The risky direction (allowed, open) applies at once for non-fund flags; for a "
            "fund-related flag it files a change request a second super admin approves: "
            "202 with the request (Location header). Token scope flags:write; people need "
            "the role's permission for the direction and scope."
        ),
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=s.StateSetSerializer,
        responses={
            201: s.StateChangeSerializer,
            202: s.StateChangeSerializer,
            **error_responses(400, 401, 403, 404, 409, 422),
        },
    )
    @idempotent
    def post(self, request):
        given = s.StateSetSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        flag = _load_flag(data["flag"], field="flag")
        scope_kind, scope_value = data["scope"] if data.get("scope") else ("global", "")
        try:
            change = services.flag_state_set(
                actor=request.user,
                flag=flag,
                state=data["state"],
                reason=data["reason"],
                scope_kind=scope_kind,
                scope_value=scope_value,
                incident_ref=data["incident"],
                until=data["until"],
                source=StateSource.API,
                token=_token(request),
            )
        except ValidationError as error:
            raise _body_validation_error(error) from None
        except ApprovalRefused as exc:
            return refused_response(exc)
        return _state_change_answer(flag, change)


# --- scheduled changes ---------------------------------------------------------------------


class ScheduledChangeListView(GenericAPIView):
    action_rules = {"get": READ, "post": SCHEDULE}
    serializer_class = s.ScheduledChangeSerializer

    @extend_schema(
        tags=TAGS,
        summary="Scheduled flag changes",
        operation_id="flags_scheduled_changes_list",
        parameters=[s.ScheduledChangeFilterSerializer],
        responses={
            200: paginated(s.ScheduledChangeSerializer, "ScheduledFlagChangePage"),
            **error_responses(401, 403),
        },
    )
    def get(self, request):
        filters = query_params(s.ScheduledChangeFilterSerializer, request)
        queryset = selectors.scheduled_changes(status=filters.get("status") or None)
        if filters.get("flag"):
            queryset = queryset.filter(flag__key=filters["flag"])
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(s.ScheduledChangeSerializer(page, many=True).data)

    @people_write_schema(
        tags=TAGS,
        summary="Schedule a flag change",
        operation_id="flags_scheduled_changes_create",
        description=(
            "Applied by the scheduler at run_at. A risky change of a fund-related flag waits "
            "for its change request (status awaiting_approval) and runs only once approved."
        ),
        request=s.ScheduledChangeCreateSerializer,
        responses={201: s.ScheduledChangeSerializer},
        errors=(400, 401, 403, 404, 409, 422),
    )
    @idempotent
    def post(self, request):
        given = s.ScheduledChangeCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        flag = _load_flag(data["flag"], field="flag")
        scope_kind, scope_value = data["scope"] if data.get("scope") else ("global", "")
        try:
            change = services.scheduled_change_create(
                actor=request.user,
                flag=flag,
                state=data["state"],
                run_at=data["run_at"],
                reason=data["reason"],
                scope_kind=scope_kind,
                scope_value=scope_value,
                until=data["until"],
                incident_ref=data["incident"],
            )
        except ValidationError as error:
            raise _body_validation_error(error) from None
        except ApprovalRefused as exc:
            return refused_response(exc)
        change = selectors.scheduled_changes().get(pk=change.pk)
        return Response(s.ScheduledChangeSerializer(change).data, status=status.HTTP_201_CREATED)


class ScheduledChangeCancelView(APIView):
    action_rules = {"post": SCHEDULE}

    @people_write_schema(
        tags=TAGS,
        summary="Cancel a scheduled flag change before it runs",
        operation_id="flags_scheduled_changes_cancel",
        request=s.ScheduledChangeCancelSerializer,
        responses={200: s.ScheduledChangeSerializer},
        errors=(400, 401, 403, 404, 409, 422),
    )
    @idempotent
    def post(self, request, pk: int):
        change = selectors.scheduled_changes().filter(pk=pk).first()
        if change is None:
            raise ApiError(_("No such scheduled change."), code="not_found", status_code=404)
        given = s.ScheduledChangeCancelSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            change = services.scheduled_change_cancel(
                actor=request.user, scheduled_change=change, reason=given.validated_data["reason"]
            )
        except ValidationError as error:
            raise _body_validation_error(error) from None
        except ApprovalRefused as exc:
            return refused_response(exc)
        return Response(
            s.ScheduledChangeSerializer(selectors.scheduled_changes().get(pk=change.pk)).data
        )
