"""Alert intake and alert reads under /v1/alerts/.

``POST /v1/alerts/alertmanager`` and ``POST /v1/alerts`` take deliveries from monitoring
(token scope ``alerts:write``): the body is checked for shape, stored as one row and
answered 202 at once; processing runs after commit in a Celery task. No throttle applies:
Alertmanager drops a notification for good on any 4xx, 429 included.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import ParseError
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.api.permissions import Rule
from apps.accounts.policy import caller_of
from apps.core.api.errors import ApiError
from apps.core.api.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent
from apps.core.api.input import JsonInput
from apps.core.api.schema import error_responses, paginated, people_write_schema
from apps.incidents.models import (
    Alert,
    AlertDelivery,
    AlertGroup,
    AlertRoute,
    MaintenanceWindow,
)
from apps.incidents.selectors import alerts as selectors
from apps.incidents.services import alerts_config
from apps.incidents.services.alerts_intake import (
    MAX_ALERTS,
    DeliveryRefused,
    check_alertmanager,
    check_plain,
    delivery_store,
)

TAGS = ["alerts"]
INTAKE = Rule(perm=None, scope="alerts:write")
READ = Rule(perm=selectors.VIEW, scope=None)
ROUTE_ADD = Rule(perm="incidents.add_alertroute", scope=None)
ROUTE_CHANGE = Rule(perm="incidents.change_alertroute", scope=None)
WINDOW_ADD = Rule(perm="incidents.add_maintenancewindow", scope=None)
WINDOW_CHANGE = Rule(perm="incidents.change_maintenancewindow", scope=None)

# --- serializers ---------------------------------------------------------------------------

_LABELS = serializers.DictField(child=serializers.CharField(allow_blank=True))


class AmAlertSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Alert.Status.choices)
    labels = _LABELS
    annotations = serializers.DictField(
        child=serializers.CharField(allow_blank=True), required=False
    )
    startsAt = serializers.CharField(help_text="RFC 3339")  # noqa: N815
    endsAt = serializers.CharField(  # noqa: N815
        required=False, allow_blank=True, help_text="RFC 3339; Go's zero time when not ended"
    )
    generatorURL = serializers.CharField(required=False, allow_blank=True)  # noqa: N815
    fingerprint = serializers.CharField(required=False)


class AlertmanagerPayloadSerializer(serializers.Serializer):
    version = serializers.ChoiceField(choices=["4"])
    groupKey = serializers.CharField()  # noqa: N815
    truncatedAlerts = serializers.IntegerField(min_value=0, required=False)  # noqa: N815
    status = serializers.ChoiceField(choices=Alert.Status.choices)
    receiver = serializers.CharField(required=False, allow_blank=True)
    groupLabels = serializers.DictField(child=serializers.CharField(), required=False)  # noqa: N815
    commonLabels = serializers.DictField(child=serializers.CharField(), required=False)  # noqa: N815
    commonAnnotations = serializers.DictField(  # noqa: N815
        child=serializers.CharField(), required=False
    )
    externalURL = serializers.CharField(required=False, allow_blank=True)  # noqa: N815
    alerts = AmAlertSerializer(many=True, max_length=MAX_ALERTS)


class PlainAlertSerializer(serializers.Serializer):
    labels = _LABELS
    annotations = serializers.DictField(
        child=serializers.CharField(allow_blank=True), required=False
    )
    status = serializers.ChoiceField(
        choices=["firing", "resolved"], required=False, default="firing"
    )
    startsAt = serializers.CharField(required=False, help_text="RFC 3339; default: received time")  # noqa: N815
    endsAt = serializers.CharField(required=False, allow_blank=True)  # noqa: N815
    generatorURL = serializers.CharField(required=False, allow_blank=True)  # noqa: N815
    fingerprint = serializers.CharField(
        required=False, help_text="Default: derived from the sorted labels."
    )


class PlainPayloadSerializer(serializers.Serializer):
    alerts = PlainAlertSerializer(many=True, max_length=MAX_ALERTS)


Accepted = inline_serializer(
    name="AlertDeliveryAccepted",
    fields={
        "delivery": serializers.IntegerField(),
        "alerts": serializers.IntegerField(),
        "status": serializers.CharField(help_text='"accepted": stored, processed shortly.'),
    },
)


class AlertDecisionSerializer(serializers.Serializer):
    delivery = serializers.IntegerField(source="delivery_id")
    group = serializers.IntegerField(source="group_id", allow_null=True)
    index = serializers.IntegerField()
    fingerprint = serializers.CharField()
    kind = serializers.CharField()
    reason = serializers.CharField()
    data = serializers.DictField()
    created_at = serializers.DateTimeField()


class AlertGroupSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    fingerprint = serializers.CharField()
    alertname = serializers.CharField()
    state = serializers.CharField()
    labels = serializers.DictField()
    annotations = serializers.DictField()
    starts_at = serializers.DateTimeField(allow_null=True)
    ends_at = serializers.DateTimeField(allow_null=True)
    episode = serializers.IntegerField()
    first_seen_at = serializers.DateTimeField()
    last_seen_at = serializers.DateTimeField()
    event_count = serializers.IntegerField()
    seen_count = serializers.IntegerField()
    route = serializers.CharField(source="route.name", allow_null=True, default=None)
    team = serializers.CharField(source="team.slug", allow_null=True, default=None)
    incident = serializers.CharField(source="incident.number", allow_null=True, default=None)
    silenced = serializers.BooleanField()
    is_test = serializers.BooleanField()
    flags = serializers.ListField(child=serializers.CharField())


class AlertEventSerializer(serializers.Serializer):
    status = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField(allow_null=True)
    delivery = serializers.IntegerField(source="delivery_id")
    received_at = serializers.DateTimeField()


class AlertGroupDetailSerializer(AlertGroupSerializer):
    events = AlertEventSerializer(many=True)
    decisions = AlertDecisionSerializer(many=True)


class AlertDeliverySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    source = serializers.CharField()
    received_at = serializers.DateTimeField()
    processed_at = serializers.DateTimeField(allow_null=True)
    group_key = serializers.CharField()
    receiver = serializers.CharField()
    status = serializers.CharField()
    alert_count = serializers.IntegerField()
    truncated_alerts = serializers.IntegerField()
    is_test = serializers.BooleanField()
    attempts = serializers.IntegerField()
    last_error = serializers.CharField()
    summary = serializers.DictField()
    payload = serializers.JSONField()
    decisions = AlertDecisionSerializer(many=True)


class AlertRouteSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    position = serializers.IntegerField()
    matchers = serializers.ListField(child=serializers.CharField(), source="matcher_texts")
    team = serializers.CharField(source="team.slug")
    policy = serializers.IntegerField(source="policy_id", allow_null=True)
    open_incident_severity = serializers.CharField(
        source="open_incident_severity.code", allow_null=True, default=None
    )
    incident_owner = serializers.IntegerField(source="incident_owner_id", allow_null=True)
    threshold_count = serializers.IntegerField()
    threshold_minutes = serializers.IntegerField()
    continue_matching = serializers.BooleanField()
    enabled = serializers.BooleanField()


class AlertRouteWriteSerializer(JsonInput):
    name = serializers.CharField(max_length=100)
    position = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    matchers = serializers.ListField(
        child=serializers.CharField(max_length=600),
        max_length=50,
        help_text='Alertmanager matchers: name="value", name!="value", name=~"regex", '
        'name!~"regex" (regexes anchored).',
    )
    team = serializers.SlugField(help_text="Team slug.")
    policy = serializers.IntegerField(required=False, allow_null=True)
    open_incident_severity = serializers.CharField(required=False, allow_null=True)
    incident_owner = serializers.IntegerField(required=False, allow_null=True)
    threshold_count = serializers.IntegerField(min_value=1, max_value=100000, required=False)
    threshold_minutes = serializers.IntegerField(min_value=0, max_value=100000, required=False)
    continue_matching = serializers.BooleanField(required=False)
    enabled = serializers.BooleanField(required=False)

    def to_fields(self) -> dict:
        data, errors = selectors.route_references(self.validated_data)
        if errors:
            raise serializers.ValidationError(errors)
        return data


class AlertRouteUpdateSerializer(AlertRouteWriteSerializer):
    name = serializers.CharField(max_length=100, required=False)
    matchers = serializers.ListField(
        child=serializers.CharField(max_length=600), max_length=50, required=False
    )
    team = serializers.SlugField(required=False)


class MaintenanceWindowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    matchers = serializers.ListField(child=serializers.CharField(), source="matcher_texts")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    reason = serializers.CharField()
    created_by = serializers.IntegerField(source="created_by_id")
    active = serializers.BooleanField(source="is_active")


class MaintenanceWindowCreateSerializer(JsonInput):
    matchers = serializers.ListField(
        child=serializers.CharField(max_length=600), min_length=1, max_length=50
    )
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    reason = serializers.CharField(max_length=300)


# --- intake --------------------------------------------------------------------------------


def _body(request):
    try:
        return request.data
    except ParseError as exc:
        raise ApiError(
            _("The body is not valid JSON."),
            code="malformed_request",
            fields={"body": [str(exc.detail)]},
        ) from None


def _refuse(refused: DeliveryRefused):
    raise ApiError(
        _("The delivery is malformed; nothing was stored."),
        code="validation_error",
        fields=refused.errors,
    )


class _IntakeView(GenericAPIView):
    throttle_classes: list = []  # never 429: Alertmanager would drop the notification
    action_rules = {"post": INTAKE}

    def accept(self, request, source: str, check) -> Response:
        body = _body(request)
        try:
            check(body)
        except DeliveryRefused as refused:
            _refuse(refused)
        delivery = delivery_store(sender=request.user, source=source, payload=body)
        return Response(
            {"delivery": delivery.pk, "alerts": delivery.alert_count, "status": "accepted"},
            status=status.HTTP_202_ACCEPTED,
        )


AM_DESCRIPTION = """Alertmanager's webhook receiver (`webhook_configs`, payload version 4).

Point a receiver at this URL with `http_config.authorization` (type Bearer, a token with
scope `alerts:write`). The body is checked for shape only (400 with every bad field's path,
e.g. `alerts[2].startsAt`, and nothing stored); a well-formed delivery is stored as
received and answered **202** at once. Processing follows within seconds: alerts are
deduplicated per (fingerprint, status, startsAt), grouped by fingerprint, ordered by
their own startsAt/endsAt (never by arrival), routed, silenced or paged; the delivery's
decision log is at `GET /v1/alerts/deliveries/{id}`. This endpoint never answers 429.
"""

PLAIN_DESCRIPTION = """Alerts from senders other than Alertmanager, one JSON form:

```json
{"alerts": [{"labels": {"alertname": "DiskFull", "service": "indexer"},
             "annotations": {"summary": "...", "runbook_url": "https://..."},
             "status": "firing", "startsAt": "2026-12-03T10:00:00Z"}]}
```

`labels` is required (at least one; include `alertname`). `status` is `firing` (default)
or `resolved` (`endsAt` defaults to the received time). `startsAt` defaults to the
received time: send the same `startsAt` for the same problem so repeats deduplicate.
`fingerprint` defaults to a hash of the sorted labels. Answers 202 like the Alertmanager
endpoint, same processing, same decision log.
"""


class AlertmanagerIntakeView(_IntakeView):
    @extend_schema(
        tags=TAGS,
        auth=[{"bearerAuth": []}],
        summary="Receive an Alertmanager webhook delivery (payload version 4)",
        operation_id="alerts_alertmanager_receive",
        description=AM_DESCRIPTION,
        request=AlertmanagerPayloadSerializer,
        responses={202: Accepted, **error_responses(400, 401, 403)},
    )
    def post(self, request):
        return self.accept(request, AlertDelivery.Source.ALERTMANAGER, check_alertmanager)


class PlainIntakeView(_IntakeView):
    @extend_schema(
        tags=TAGS,
        auth=[{"bearerAuth": []}],
        summary="Receive alerts in the plain JSON form",
        operation_id="alerts_receive",
        description=PLAIN_DESCRIPTION,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=PlainPayloadSerializer,
        responses={202: Accepted, **error_responses(400, 401, 403, 422)},
    )
    @idempotent
    def post(self, request):
        return self.accept(request, AlertDelivery.Source.PLAIN, check_plain)


# --- reads ---------------------------------------------------------------------------------


def _group_data(group: AlertGroup, *, detail: bool = False) -> dict:
    data = AlertGroupSerializer(group).data
    if detail:
        data["events"] = AlertEventSerializer(selectors.group_events(group), many=True).data
        data["decisions"] = AlertDecisionSerializer(
            selectors.group_decisions(group), many=True
        ).data
    return data


class GroupListView(GenericAPIView):
    queryset = AlertGroup.objects.none()
    action_rules = {"get": READ}

    @extend_schema(
        tags=TAGS,
        auth=[{"cookieAuth": []}],
        summary="Alert groups (one per fingerprint), newest first",
        operation_id="alerts_groups_list",
        parameters=[
            OpenApiParameter("state", str, enum=list(AlertGroup.State.values)),
            OpenApiParameter(
                "flagged",
                bool,
                description="Only groups with no owner team or no runbook_url annotation.",
            ),
        ],
        responses={
            200: paginated(AlertGroupSerializer, "PaginatedAlertGroupList"),
            **error_responses(400, 401, 403, 404),
        },
    )
    def get(self, request):
        state = request.query_params.get("state") or None
        if state and state not in AlertGroup.State.values:
            raise ApiError(
                _("Unknown state."),
                code="validation_error",
                fields={"state": [_("Unknown state.")]},
            )
        flagged_text = request.query_params.get("flagged", "false").lower()
        if flagged_text not in ("true", "false", "1", "0"):
            raise ApiError(
                _("Unknown value."),
                code="validation_error",
                fields={"flagged": [_("Must be true or false.")]},
            )
        flagged = flagged_text in ("true", "1")
        groups = selectors.group_list(caller=caller_of(request), state=state, flagged=flagged)
        page = self.paginate_queryset(groups)
        return self.get_paginated_response([_group_data(g) for g in page])


class GroupDetailView(GenericAPIView):
    action_rules = {"get": READ}

    @extend_schema(
        tags=TAGS,
        auth=[{"cookieAuth": []}],
        summary="An alert group with its latest alerts and decision log",
        responses={200: AlertGroupDetailSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request, pk: int):
        group = get_object_or_404(selectors.group_list(caller=caller_of(request)), pk=pk)
        return Response(_group_data(group, detail=True))


class DeliveryDetailView(GenericAPIView):
    action_rules = {"get": READ}

    @extend_schema(
        tags=TAGS,
        auth=[{"cookieAuth": []}],
        summary="A stored delivery as received, with its decision log",
        responses={200: AlertDeliverySerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request, pk: int):
        delivery = get_object_or_404(selectors.delivery_list(caller=caller_of(request)), pk=pk)
        fields = [f for f in AlertDeliverySerializer().fields if f != "decisions"]
        decisions = list(delivery.decisions.order_by("index", "id")[:5000])
        data = {**{f: getattr(delivery, f) for f in fields}, "decisions": decisions}
        return Response(AlertDeliverySerializer(data).data)


# --- routes and windows ------------------------------------------------------------------


class RouteListView(GenericAPIView):
    queryset = AlertRoute.objects.none()
    action_rules = {"get": READ, "post": ROUTE_ADD}

    @extend_schema(
        tags=TAGS,
        auth=[{"cookieAuth": []}],
        summary="Alert routes in the order they are tried",
        operation_id="alerts_routes_list",
        responses={
            200: paginated(AlertRouteSerializer, "PaginatedAlertRouteList"),
            **error_responses(400, 401, 403, 404),
        },
    )
    def get(self, request):
        page = self.paginate_queryset(selectors.route_list(caller=caller_of(request)))
        return self.get_paginated_response(AlertRouteSerializer(page, many=True).data)

    @people_write_schema(
        tags=TAGS,
        summary="Create an alert route",
        request=AlertRouteWriteSerializer,
        responses={201: AlertRouteSerializer},
        errors=(400, 401, 403, 422),
    )
    @idempotent
    def post(self, request):
        given = AlertRouteWriteSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        route = alerts_config.route_save(actor=request.user, **given.to_fields())
        return Response(AlertRouteSerializer(route).data, status=status.HTTP_201_CREATED)


class RouteDetailView(GenericAPIView):
    action_rules = {"get": READ, "patch": ROUTE_CHANGE}

    @extend_schema(
        tags=TAGS,
        auth=[{"cookieAuth": []}],
        summary="An alert route",
        responses={200: AlertRouteSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request, pk: int):
        route = get_object_or_404(selectors.route_list(caller=caller_of(request)), pk=pk)
        return Response(AlertRouteSerializer(route).data)

    @people_write_schema(
        tags=TAGS,
        summary="Change an alert route (only the fields given)",
        request=AlertRouteUpdateSerializer,
        responses={200: AlertRouteSerializer},
        errors=(400, 401, 403, 404),
        idempotency_key=False,
    )
    def patch(self, request, pk: int):
        route = get_object_or_404(selectors.route_list(caller=caller_of(request)), pk=pk)
        given = AlertRouteUpdateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        route = alerts_config.route_save(actor=request.user, route=route, **given.to_fields())
        return Response(AlertRouteSerializer(route).data)


class RouteTestView(APIView):
    action_rules = {"post": ROUTE_CHANGE}

    @extend_schema(request=None)
    @people_write_schema(
        tags=TAGS,
        summary="Send a test alert through a route (its page is marked test)",
        responses={202: Accepted},
        errors=(400, 401, 403, 404, 422),
    )
    @idempotent
    def post(self, request, pk: int):
        route = get_object_or_404(selectors.route_list(caller=caller_of(request)), pk=pk)
        delivery = alerts_config.route_test(actor=request.user, route=route)
        return Response(
            {"delivery": delivery.pk, "alerts": delivery.alert_count, "status": "accepted"},
            status=status.HTTP_202_ACCEPTED,
        )


class WindowListView(GenericAPIView):
    queryset = MaintenanceWindow.objects.none()
    action_rules = {"get": READ, "post": WINDOW_ADD}

    @extend_schema(
        tags=TAGS,
        auth=[{"cookieAuth": []}],
        summary="Maintenance windows, latest first",
        operation_id="alerts_maintenance_windows_list",
        responses={
            200: paginated(MaintenanceWindowSerializer, "PaginatedMaintenanceWindowList"),
            **error_responses(400, 401, 403, 404),
        },
    )
    def get(self, request):
        page = self.paginate_queryset(selectors.window_list(caller=caller_of(request)))
        return self.get_paginated_response(MaintenanceWindowSerializer(page, many=True).data)

    @people_write_schema(
        tags=TAGS,
        summary="Create a maintenance window (matching alerts are recorded, not paged)",
        request=MaintenanceWindowCreateSerializer,
        responses={201: MaintenanceWindowSerializer},
        errors=(400, 401, 403, 422),
    )
    @idempotent
    def post(self, request):
        given = MaintenanceWindowCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        window = alerts_config.window_create(actor=request.user, **given.validated_data)
        return Response(MaintenanceWindowSerializer(window).data, status=status.HTTP_201_CREATED)


class WindowEndView(APIView):
    action_rules = {"post": WINDOW_CHANGE}

    @extend_schema(request=None)
    @people_write_schema(
        tags=TAGS,
        summary="End a maintenance window now",
        responses={200: MaintenanceWindowSerializer},
        errors=(400, 401, 403, 404, 422),
    )
    @idempotent
    def post(self, request, pk: int):
        window = get_object_or_404(selectors.window_list(caller=caller_of(request)), pk=pk)
        window = alerts_config.window_end(actor=request.user, window=window)
        return Response(MaintenanceWindowSerializer(window).data)
