"""On-call API: who is on call, schedules, layers, overrides and calendar feeds."""

from __future__ import annotations

from datetime import UTC, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response

from apps.accounts.api.permissions import ANY_VERIFIED, Rule
from apps.accounts.policy import caller_of
from apps.core.api.errors import ApiError
from apps.core.api.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent
from apps.core.api.query import query_params, text_filter
from apps.core.api.schema import error_responses
from apps.oncall import selectors, services
from apps.oncall.api.common import (
    PEOPLE_ONLY_AUTH,
    TAGS_ONCALL,
    WarroomView,
    shift_data,
    shifts_data,
)
from apps.oncall.api.serializers import (
    FeedCreatedSerializer,
    FeedCreateSerializer,
    FeedSerializer,
    LayerInputSerializer,
    LayerVersionSerializer,
    OverrideCreateSerializer,
    OverrideSerializer,
    ScheduleCreateSerializer,
    ScheduleDetailSerializer,
    ScheduleSerializer,
    ScheduleUpdateSerializer,
    person,
)
from apps.oncall.models import CalendarFeed, Override, RotationLayer, Schedule
from apps.oncall.services.feeds import feed_path

READ = Rule(perm="oncall.view_schedule", scope="oncall:read")
EDIT = Rule(perm="oncall.change_schedule", scope=None, object_level=True)
MAX_WINDOW = timedelta(days=92)


class OnCallNowQuerySerializer(serializers.Serializer):
    team = text_filter("A team slug; all teams when absent.", max_length=50)
    at = serializers.DateTimeField(
        required=False, default_timezone=UTC, help_text="ISO 8601 time; now when absent."
    )


class TeamQuerySerializer(serializers.Serializer):
    team = text_filter("A team slug.", max_length=50)


class WindowQuerySerializer(serializers.Serializer):
    start = serializers.DateTimeField(
        required=False, default_timezone=UTC, help_text="ISO 8601; default now."
    )
    end = serializers.DateTimeField(
        required=False, default_timezone=UTC, help_text="ISO 8601; default start + 14 days."
    )


OnCallNowResponse = inline_serializer(
    name="OnCallNow",
    fields={
        "at": serializers.DateTimeField(),
        "teams": serializers.ListField(child=serializers.DictField()),
    },
)


class OnCallNowView(WarroomView):
    """Who is on call (primary and backup) for each team, now or at ``at``."""

    action_rules = {"get": READ}

    @extend_schema(
        tags=TAGS_ONCALL,
        summary="Who is on call now (or at a time)",
        parameters=[OnCallNowQuerySerializer],
        responses={200: OnCallNowResponse, **error_responses(400, 401, 403, 404)},
    )
    def get(self, request):
        query = query_params(OnCallNowQuerySerializer, request)
        at = query.get("at") or timezone.now()
        teams = selectors.team_list(user=caller_of(request)).prefetch_related("schedules")
        slug = query.get("team")
        if slug:
            teams = teams.filter(slug=slug)
            if not teams.exists():
                raise ApiError(_("No team with this slug."), code="not_found", status_code=404)
        answer = []
        for team in teams:
            info = selectors.team_on_call(team, at)
            answer.append(
                {
                    "team": team.slug,
                    "name": team.name,
                    "primary": shift_data(info.primary_shift),
                    "backup": shift_data(info.backup_shift),
                }
            )
        return Response({"at": at, "teams": answer})


class ScheduleListView(WarroomView):
    queryset = Schedule.objects.none()  # for the schema; reads go through selectors
    action_rules = {"get": READ, "post": Rule(perm="oncall.add_schedule", scope=None)}

    @extend_schema(
        tags=TAGS_ONCALL,
        summary="List schedules",
        parameters=[TeamQuerySerializer],
        responses={200: ScheduleSerializer(many=True), **error_responses(401, 403)},
    )
    def get(self, request):
        team = query_params(TeamQuerySerializer, request).get("team")
        queryset = self.schedules()
        if team:
            queryset = queryset.filter(team__slug=team)
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(ScheduleSerializer(page, many=True).data)

    @extend_schema(
        tags=TAGS_ONCALL,
        auth=PEOPLE_ONLY_AUTH,
        summary="Create a schedule (primary or backup) for a team",
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=ScheduleCreateSerializer,
        responses={201: ScheduleSerializer, **error_responses(400, 401, 403, 422)},
    )
    @idempotent
    def post(self, request):
        given = ScheduleCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        schedule = services.schedule_create(
            actor=request.user,
            team=data["team"],
            kind=data["kind"],
            timezone_name=data["timezone"],
            name=data.get("name", ""),
        )
        return Response(ScheduleSerializer(schedule).data, status=status.HTTP_201_CREATED)


class ScheduleDetailView(WarroomView):
    action_rules = {"get": READ, "patch": EDIT}

    @extend_schema(
        tags=TAGS_ONCALL,
        summary="A schedule with its current layers",
        responses={200: ScheduleDetailSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request, pk):
        schedule = self.load(self.schedules(), pk=pk)
        data = ScheduleSerializer(schedule).data
        data["layers"] = [
            LayerVersionSerializer(version).data
            for _l, version in selectors.current_layers(schedule)
        ]
        return Response(data)

    @extend_schema(
        tags=TAGS_ONCALL,
        auth=PEOPLE_ONLY_AUTH,
        summary="Rename a schedule or change its time zone (from now on)",
        request=ScheduleUpdateSerializer,
        responses={200: ScheduleSerializer, **error_responses(400, 401, 403, 404)},
    )
    def patch(self, request, pk):
        schedule = self.load(self.schedules(), pk=pk)
        given = ScheduleUpdateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        schedule = services.schedule_update(
            actor=request.user,
            schedule=schedule,
            name=given.validated_data.get("name"),
            timezone_name=given.validated_data.get("timezone"),
        )
        return Response(ScheduleSerializer(schedule).data)


FinalResponse = inline_serializer(
    name="FinalSchedule",
    fields={
        "start": serializers.DateTimeField(),
        "end": serializers.DateTimeField(),
        "shifts": serializers.ListField(child=serializers.DictField()),
        "gaps": serializers.ListField(child=serializers.DictField()),
        "unreachable": serializers.ListField(child=serializers.DictField()),
        "covered": serializers.BooleanField(),
    },
)


class ScheduleFinalView(WarroomView):
    """The final schedule for a window (overrides, then layers by priority), its gaps, and
    the stretches whose person on call has no verified contact method (``unreachable``).
    ``covered`` is true only when there is neither."""

    action_rules = {"get": READ}

    @extend_schema(
        tags=TAGS_ONCALL,
        summary="Final schedule, coverage gaps and unreachable stretches for a window "
        "(default: the next 14 days)",
        parameters=[WindowQuerySerializer],
        responses={200: FinalResponse, **error_responses(400, 401, 403, 404)},
    )
    def get(self, request, pk):
        schedule = self.load(self.schedules(), pk=pk)
        window = query_params(WindowQuerySerializer, request)
        start = window.get("start") or timezone.now()
        end = window.get("end") or start + timedelta(days=14)
        if end <= start:
            raise ApiError(
                _("The end must be after the start."),
                code="validation_error",
                fields={"end": [_("Must be after start.")]},
            )
        if end - start > MAX_WINDOW:
            raise ApiError(
                _("Ask for at most 92 days at a time."),
                code="validation_error",
                fields={"end": [_("At most 92 days after start.")]},
            )
        outlook = selectors.coverage(schedule, start, end)
        people = selectors.users_by_id(u.user_id for u in outlook.unreachable)
        return Response(
            {
                "start": start,
                "end": end,
                "shifts": shifts_data(outlook.shifts),
                "gaps": [{"start": g.start, "end": g.end} for g in outlook.gaps],
                "unreachable": [
                    {
                        "start": u.start,
                        "end": u.end,
                        "user": person(people.get(u.user_id)),
                        "reason": "no_verified_contact_method",
                    }
                    for u in outlook.unreachable
                ],
                "covered": outlook.covered,
            }
        )


class LayerListView(WarroomView):
    action_rules = {"post": EDIT}

    @extend_schema(
        tags=TAGS_ONCALL,
        auth=PEOPLE_ONLY_AUTH,
        summary="Add a rotation layer (takes effect now)",
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=LayerInputSerializer,
        responses={201: LayerVersionSerializer, **error_responses(400, 401, 403, 404, 422)},
    )
    @idempotent
    def post(self, request, pk):
        schedule = self.load(self.schedules(), pk=pk)
        given = LayerInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        layer = services.layer_create(actor=request.user, schedule=schedule, **given.validated_data)
        version = layer.versions.order_by("-effective_from").first()
        return Response(LayerVersionSerializer(version).data, status=status.HTTP_201_CREATED)


class LayerDetailView(WarroomView):
    action_rules = {"patch": EDIT, "delete": EDIT}

    def _layer(self, pk) -> RotationLayer:
        return self.load(selectors.layer_list(user=caller_of(self.request)), pk=pk)

    def check_object_permissions(self, request, obj):
        # Layers are edited under their schedule's permission.
        if isinstance(obj, RotationLayer):
            obj = obj.schedule
        super().check_object_permissions(request, obj)

    @extend_schema(
        tags=TAGS_ONCALL,
        auth=PEOPLE_ONLY_AUTH,
        summary="Change a layer from now on (past shifts stay)",
        request=LayerInputSerializer(partial=True),
        responses={200: LayerVersionSerializer, **error_responses(400, 401, 403, 404)},
    )
    def patch(self, request, pk):
        layer = self._layer(pk)
        given = LayerInputSerializer(data=request.data, partial=True)
        given.is_valid(raise_exception=True)
        changes = dict(given.validated_data)
        participants = changes.pop("participants", None)
        version = services.layer_update(
            actor=request.user, layer=layer, participants=participants, **changes
        )
        return Response(LayerVersionSerializer(version).data)

    @extend_schema(
        tags=TAGS_ONCALL,
        auth=PEOPLE_ONLY_AUTH,
        summary="End a layer from now on (past shifts stay)",
        responses={204: None, **error_responses(401, 403, 404)},
    )
    def delete(self, request, pk):
        services.layer_end(actor=request.user, layer=self._layer(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class OverrideListView(WarroomView):
    queryset = Override.objects.none()  # for the schema; reads go through selectors
    action_rules = {"get": READ, "post": EDIT}

    @extend_schema(
        tags=TAGS_ONCALL,
        summary="Overrides of a schedule that have not ended",
        responses={200: OverrideSerializer(many=True), **error_responses(401, 403, 404)},
    )
    def get(self, request, pk):
        schedule = self.load(self.schedules(), pk=pk)
        queryset = schedule.overrides.filter(end__gt=timezone.now()).select_related("user")
        page = self.paginate_queryset(queryset.order_by("start"))
        return self.get_paginated_response(OverrideSerializer(page, many=True).data)

    @extend_schema(
        tags=TAGS_ONCALL,
        auth=PEOPLE_ONLY_AUTH,
        summary="Add an override: a team member covers from start to end",
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=OverrideCreateSerializer,
        responses={201: OverrideSerializer, **error_responses(400, 401, 403, 404, 422)},
    )
    @idempotent
    def post(self, request, pk):
        schedule = self.load(self.schedules(), pk=pk)
        given = OverrideCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        override = services.override_create(
            actor=request.user, schedule=schedule, **given.validated_data
        )
        return Response(OverrideSerializer(override).data, status=status.HTTP_201_CREATED)


class OverrideCancelView(WarroomView):
    action_rules = {"post": EDIT}

    def check_object_permissions(self, request, obj):
        super().check_object_permissions(
            request, obj.schedule if isinstance(obj, Override) else obj
        )

    @extend_schema(
        tags=TAGS_ONCALL,
        auth=PEOPLE_ONLY_AUTH,
        summary="Cancel an override from now on",
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=None,
        responses={200: OverrideSerializer, **error_responses(400, 401, 403, 404, 422)},
    )
    @idempotent
    def post(self, request, pk):
        override = self.load(selectors.override_list(user=caller_of(request)), pk=pk)
        override = services.override_cancel(actor=request.user, override=override)
        return Response(OverrideSerializer(override).data)


PERSON_ONLY = Rule(perm=ANY_VERIFIED, scope=None)


class FeedListView(WarroomView):
    """The caller's calendar feeds; creating one returns its secret URL once."""

    queryset = CalendarFeed.objects.none()  # for the schema; reads go through selectors
    action_rules = {"get": PERSON_ONLY, "post": Rule(perm="oncall.view_schedule", scope=None)}

    @extend_schema(
        tags=TAGS_ONCALL,
        auth=PEOPLE_ONLY_AUTH,
        summary="My calendar feeds",
        responses={200: FeedSerializer(many=True), **error_responses(401, 403)},
    )
    def get(self, request):
        page = self.paginate_queryset(selectors.feed_list(user=request.user))
        return self.get_paginated_response(FeedSerializer(page, many=True).data)

    @extend_schema(
        tags=TAGS_ONCALL,
        auth=PEOPLE_ONLY_AUTH,
        summary="Create an iCal feed (of a schedule, or of my shifts)",
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=FeedCreateSerializer,
        responses={201: FeedCreatedSerializer, **error_responses(400, 401, 403, 422)},
    )
    @idempotent
    def post(self, request):
        given = FeedCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        feed, token = services.feed_create(actor=request.user, **given.validated_data)
        return Response(_created(request, feed, token), status=status.HTTP_201_CREATED)


def _created(request, feed: CalendarFeed, token: str) -> dict:
    data = FeedSerializer(feed).data
    data["url"] = request.build_absolute_uri(feed_path(token))
    return data


class FeedRevokeView(WarroomView):
    action_rules = {"post": PERSON_ONLY}

    @extend_schema(
        tags=TAGS_ONCALL,
        auth=PEOPLE_ONLY_AUTH,
        summary="Revoke a feed: its URL answers 404 from now on",
        request=None,
        responses={200: FeedSerializer, **error_responses(401, 403, 404)},
    )
    def post(self, request, pk):
        feed = self.load(selectors.feed_list(user=request.user), pk=pk)
        feed = services.feed_revoke(actor=request.user, feed=feed)
        return Response(FeedSerializer(feed).data)


class FeedRotateView(WarroomView):
    action_rules = {"post": PERSON_ONLY}

    @extend_schema(
        tags=TAGS_ONCALL,
        auth=PEOPLE_ONLY_AUTH,
        summary="Rotate a feed: revoke it and get a new feed with a new URL",
        request=None,
        responses={201: FeedCreatedSerializer, **error_responses(401, 403, 404)},
    )
    def post(self, request, pk):
        feed = self.load(selectors.feed_list(user=request.user), pk=pk)
        new_feed, token = services.feed_rotate(actor=request.user, feed=feed)
        return Response(_created(request, new_feed, token), status=status.HTTP_201_CREATED)
