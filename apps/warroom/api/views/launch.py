"""Launch plans, their tasks and rollback criteria, and the war-room log under /v1/launches/.

Everyone verified reads; tokens read with ``oncall:read``. Ops, incident commanders and
super admins create and change plans; a task's owners may change that task's status and
add notes/events to its launch's log (checked in the services, answered 403 otherwise).
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from apps.accounts.api.permissions import Rule
from apps.accounts.policy import caller_of
from apps.core.api.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent
from apps.core.api.query import query_params
from apps.core.api.schema import error_responses
from apps.oncall.api.common import PEOPLE_ONLY_AUTH, WarroomView
from apps.warroom import services
from apps.warroom.api.serializers.launch import (
    GlobalLogAppendSerializer,
    LaunchFilterSerializer,
    LaunchLogEntrySerializer,
    LaunchLogFilterSerializer,
    LaunchPlanCreateSerializer,
    LaunchPlanDetailSerializer,
    LaunchPlanSerializer,
    LaunchPlanUpdateSerializer,
    LaunchStatusSerializer,
    LaunchTaskCreateSerializer,
    LaunchTaskFilterSerializer,
    LaunchTaskSerializer,
    LaunchTaskStatusSerializer,
    LogAppendSerializer,
    RollbackCriterionCreateSerializer,
    RollbackCriterionSerializer,
    WarRoomLogFilterSerializer,
)
from apps.warroom.models import LaunchLogEntry, LaunchPlan, LaunchTask
from apps.warroom.selectors import launch as selectors
from apps.warroom.services.launch_access import (
    PERM_ADD,
    PERM_CHANGE,
    PERM_LOG_VIEW,
    PERM_VIEW,
)

TAGS = ["launch"]
READ = Rule(perm=PERM_VIEW, scope="oncall:read")
LOG_READ = Rule(perm=PERM_LOG_VIEW, scope="oncall:read")
CHANGE = Rule(perm=PERM_CHANGE, scope=None, object_level=True)
# Owners of a task pass here and are checked by the service.
TASK_STATUS = Rule(perm=PERM_VIEW, scope=None)
LOG_APPEND = Rule(perm=PERM_LOG_VIEW, scope=None)


def _detail(pk: int):
    """The answer after a write: the rule checked the caller, so the plan is read whole."""
    return selectors.launch_plans_in_full().get(pk=pk)


def _log(request, plan=None, kind=None, plan_id=None):
    return selectors.log_list(
        user=caller_of(request),
        plan=plan,
        plan_id=plan_id,
        kind=kind if kind in LaunchLogEntry.Kind.values else None,
    )


class LaunchListView(WarroomView):
    queryset = LaunchPlan.objects.none()  # for the schema; reads build their own
    action_rules = {"get": READ, "post": Rule(perm=PERM_ADD, scope=None)}

    @extend_schema(
        tags=TAGS,
        summary="List launch plans (newest T0 first)",
        parameters=[LaunchFilterSerializer],
        responses={200: LaunchPlanSerializer(many=True), **error_responses(401, 403)},
    )
    def get(self, request):
        wanted = query_params(LaunchFilterSerializer, request).get("status")
        queryset = selectors.launch_plan_list(user=caller_of(request), status=wanted or None)
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(LaunchPlanSerializer(page, many=True).data)

    @extend_schema(
        tags=TAGS,
        auth=PEOPLE_ONLY_AUTH,
        summary="Create a launch plan (from_template: the runbooks' tasks and criteria)",
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=LaunchPlanCreateSerializer,
        responses={201: LaunchPlanDetailSerializer, **error_responses(400, 401, 403, 422)},
    )
    @idempotent
    def post(self, request):
        given = LaunchPlanCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        plan = services.launch_plan_create(actor=request.user, **given.validated_data)
        return Response(
            LaunchPlanDetailSerializer(_detail(plan.pk)).data, status=status.HTTP_201_CREATED
        )


class LaunchDetailView(WarroomView):
    action_rules = {"get": READ, "patch": CHANGE}

    @extend_schema(
        tags=TAGS,
        summary="A launch plan with phases, rollback criteria, its countdown and checklist runs",
        responses={200: LaunchPlanDetailSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request, pk):
        plan = self.load(selectors.launch_plan_detail(user=caller_of(request)), pk=pk)
        return Response(LaunchPlanDetailSerializer(plan).data)

    @extend_schema(
        tags=TAGS,
        auth=PEOPLE_ONLY_AUTH,
        summary="Rename, describe or move T0 (tasks keep their offsets; logged)",
        request=LaunchPlanUpdateSerializer,
        responses={200: LaunchPlanDetailSerializer, **error_responses(400, 401, 403, 404)},
    )
    def patch(self, request, pk):
        plan = self.load(selectors.launch_plans(), pk=pk)
        given = LaunchPlanUpdateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        services.launch_plan_update(actor=request.user, plan=plan, **given.validated_data)
        return Response(LaunchPlanDetailSerializer(_detail(plan.pk)).data)


class LaunchStatusView(WarroomView):
    action_rules = {"post": CHANGE}

    @extend_schema(
        tags=TAGS,
        auth=PEOPLE_ONLY_AUTH,
        summary="Go live, complete, roll back, plan again or cancel (logged)",
        description=(
            "planned → live | cancelled; live → completed | rolled_back; rolled_back → "
            "planned | cancelled. rolled_back and cancelled need a reason."
        ),
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=LaunchStatusSerializer,
        responses={200: LaunchPlanDetailSerializer, **error_responses(400, 401, 403, 404, 422)},
    )
    @idempotent
    def post(self, request, pk):
        plan = self.load(selectors.launch_plans(), pk=pk)
        given = LaunchStatusSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        services.launch_plan_set_status(actor=request.user, plan=plan, **given.validated_data)
        return Response(LaunchPlanDetailSerializer(_detail(plan.pk)).data)


class LaunchTaskListView(WarroomView):
    queryset = LaunchTask.objects.none()
    action_rules = {"get": READ, "post": CHANGE}

    @extend_schema(
        tags=TAGS,
        summary="A launch's tasks, ordered by offset from T0",
        parameters=[LaunchTaskFilterSerializer],
        responses={200: LaunchTaskSerializer(many=True), **error_responses(401, 403, 404)},
    )
    def get(self, request, pk):
        plan = self.load(selectors.launch_plans_for(user=caller_of(request)), pk=pk)
        filters = query_params(LaunchTaskFilterSerializer, request)
        queryset = selectors.tasks_for(plan)
        if filters.get("overdue"):
            queryset = selectors.overdue_tasks(plan)
        if filters.get("status"):
            queryset = queryset.filter(status=filters["status"])
        if filters.get("phase"):
            queryset = queryset.filter(phase__kind=filters["phase"])
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(LaunchTaskSerializer(page, many=True).data)

    @extend_schema(
        tags=TAGS,
        auth=PEOPLE_ONLY_AUTH,
        summary='Add a task at an offset from T0 (e.g. "T-2 h")',
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=LaunchTaskCreateSerializer,
        responses={201: LaunchTaskSerializer, **error_responses(400, 401, 403, 404, 422)},
    )
    @idempotent
    def post(self, request, pk):
        plan = self.load(selectors.launch_plans(), pk=pk)
        given = LaunchTaskCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        offset = data.pop("offset")
        phase = plan.phases.filter(kind=data.pop("phase")).first()
        task = services.launch_task_create(
            actor=request.user,
            plan=plan,
            phase=phase,
            offset=offset.delta,
            offset_unit=offset.unit,
            **data,
        )
        return Response(
            LaunchTaskSerializer(selectors.tasks_for(plan).get(pk=task.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class LaunchTaskStatusView(WarroomView):
    action_rules = {"post": TASK_STATUS}

    @extend_schema(
        tags=TAGS,
        auth=PEOPLE_ONLY_AUTH,
        summary="Set a task's status (launch leads, or the task's owners)",
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=LaunchTaskStatusSerializer,
        responses={200: LaunchTaskSerializer, **error_responses(400, 401, 403, 404, 422)},
    )
    @idempotent
    def post(self, request, pk, task_pk):
        plan = self.load(selectors.launch_plans(), pk=pk)
        task = get_object_or_404(selectors.tasks_for(plan), pk=task_pk)
        given = LaunchTaskStatusSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        services.launch_task_set_status(
            actor=request.user,
            task=task,
            status=given.validated_data["status"],
            note=given.validated_data.get("note"),
        )
        return Response(LaunchTaskSerializer(selectors.tasks_for(plan).get(pk=task.pk)).data)


class RollbackCriteriaView(WarroomView):
    queryset = LaunchPlan.objects.none()
    pagination_class = None  # a launch has a handful of criteria: answered as one list
    action_rules = {"get": READ, "post": CHANGE}

    @extend_schema(
        tags=TAGS,
        summary="A launch's rollback criteria, in order",
        responses={200: RollbackCriterionSerializer(many=True), **error_responses(401, 403, 404)},
    )
    def get(self, request, pk):
        plan = self.load(selectors.launch_plans_for(user=caller_of(request)), pk=pk)
        return Response(RollbackCriterionSerializer(plan.rollback_criteria.all(), many=True).data)

    @extend_schema(
        tags=TAGS,
        auth=PEOPLE_ONLY_AUTH,
        summary="Add a rollback criterion after the existing ones",
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=RollbackCriterionCreateSerializer,
        responses={201: RollbackCriterionSerializer, **error_responses(400, 401, 403, 404, 422)},
    )
    @idempotent
    def post(self, request, pk):
        plan = self.load(selectors.launch_plans(), pk=pk)
        given = RollbackCriterionCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        criterion = services.launch_rollback_criterion_add(
            actor=request.user, plan=plan, **given.validated_data
        )
        return Response(RollbackCriterionSerializer(criterion).data, status=status.HTTP_201_CREATED)


class LaunchLogView(WarroomView):
    queryset = LaunchLogEntry.objects.none()
    action_rules = {"get": LOG_READ, "post": LOG_APPEND}

    @extend_schema(
        tags=TAGS,
        operation_id="launches_log_of_launch_list",
        summary="A launch's war-room log, newest first",
        parameters=[LaunchLogFilterSerializer],
        responses={200: LaunchLogEntrySerializer(many=True), **error_responses(401, 403, 404)},
    )
    def get(self, request, pk):
        # The rule (the log's view right) was checked; the entries are restricted below.
        plan = self.load(selectors.launch_plans(), pk=pk)
        kind = query_params(LaunchLogFilterSerializer, request).get("kind")
        page = self.paginate_queryset(_log(request, plan, kind))
        return self.get_paginated_response(LaunchLogEntrySerializer(page, many=True).data)

    @extend_schema(
        tags=TAGS,
        auth=PEOPLE_ONLY_AUTH,
        operation_id="launches_log_of_launch_append",
        summary="Append to a launch's war-room log (entries never change; corrects: an id)",
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=LogAppendSerializer,
        responses={201: LaunchLogEntrySerializer, **error_responses(400, 401, 403, 404, 422)},
    )
    @idempotent
    def post(self, request, pk):
        plan = self.load(selectors.launch_plans(), pk=pk)
        given = LogAppendSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        entry = services.launch_log_append(actor=request.user, plan=plan, **given.validated_data)
        return Response(LaunchLogEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


class WarRoomLogView(WarroomView):
    queryset = LaunchLogEntry.objects.none()
    action_rules = {"get": LOG_READ, "post": LOG_APPEND}

    @extend_schema(
        tags=TAGS,
        operation_id="launches_log_all_list",
        summary="The whole war-room log, newest first",
        parameters=[WarRoomLogFilterSerializer],
        responses={200: LaunchLogEntrySerializer(many=True), **error_responses(401, 403)},
    )
    def get(self, request):
        filters = query_params(WarRoomLogFilterSerializer, request)
        queryset = _log(request, kind=filters.get("kind"), plan_id=filters.get("launch") or None)
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(LaunchLogEntrySerializer(page, many=True).data)

    @extend_schema(
        tags=TAGS,
        auth=PEOPLE_ONLY_AUTH,
        operation_id="launches_log_all_append",
        summary="Append to the war-room log (launch optional)",
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=GlobalLogAppendSerializer,
        responses={201: LaunchLogEntrySerializer, **error_responses(400, 401, 403, 422)},
    )
    @idempotent
    def post(self, request):
        given = GlobalLogAppendSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        entry = services.launch_log_append(actor=request.user, plan=data.pop("launch"), **data)
        return Response(LaunchLogEntrySerializer(entry).data, status=status.HTTP_201_CREATED)
