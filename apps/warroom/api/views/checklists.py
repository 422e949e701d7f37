"""Checklist API: templates, runs, marking items, completing, the Markdown report.

Everyone verified reads; tokens read with ``oncall:read``. Starting runs and marking
items is for people holding ``warroom.run_checklist`` (ops, incident commanders, finance,
super admins); tokens never write.
"""

from __future__ import annotations

import functools
import zoneinfo

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response

from apps.accounts.api.permissions import Rule
from apps.accounts.policy import caller_of
from apps.core.api.errors import ApiError
from apps.core.api.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent
from apps.core.api.query import query_params
from apps.core.api.schema import error_responses
from apps.oncall.api.common import PEOPLE_ONLY_AUTH, WarroomView
from apps.warroom import checklist_report, services
from apps.warroom.api.serializers.checklists import (
    ChecklistItemMarkInputSerializer,
    ChecklistRunAbandonSerializer,
    ChecklistRunCompleteSerializer,
    ChecklistRunDetailSerializer,
    ChecklistRunFilterSerializer,
    ChecklistRunSerializer,
    ChecklistRunStartSerializer,
    ChecklistTemplateDetailSerializer,
    ChecklistTemplateFilterSerializer,
    ChecklistTemplateSerializer,
)
from apps.warroom.models import ChecklistRun, ChecklistTemplate
from apps.warroom.selectors import checklists as selectors
from apps.warroom.services.checklists import RUN_PERMISSION

TAGS = ["checklists"]
TEMPLATE_READ = Rule(perm="warroom.view_checklisttemplate", scope="oncall:read")
RUN_READ = Rule(perm="warroom.view_checklistrun", scope="oncall:read")
RUN_WRITE = Rule(perm=RUN_PERMISSION, scope=None)


class ChecklistTemplateListView(WarroomView):
    """Checklist templates (daily ops, launch, release, verification), with item counts."""

    queryset = ChecklistTemplate.objects.none()  # for the schema; reads use the selectors
    action_rules = {"get": TEMPLATE_READ}

    @extend_schema(
        tags=TAGS,
        summary="List checklist templates",
        parameters=[ChecklistTemplateFilterSerializer],
        responses={200: ChecklistTemplateSerializer(many=True), **error_responses(401, 403)},
    )
    def get(self, request):
        filters = query_params(ChecklistTemplateFilterSerializer, request)
        queryset = selectors.template_list(user=caller_of(request)).order_by("kind", "name")
        if filters.get("kind"):
            queryset = queryset.filter(kind=filters["kind"])
        if "active" in filters:
            queryset = queryset.filter(active=filters["active"])
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(ChecklistTemplateSerializer(page, many=True).data)


class ChecklistTemplateDetailView(WarroomView):
    """One checklist template and its ordered items."""

    action_rules = {"get": TEMPLATE_READ}

    @extend_schema(
        tags=TAGS,
        summary="A checklist template with its items",
        responses={200: ChecklistTemplateDetailSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request, slug):
        template = self.load(selectors.template_detail(user=caller_of(request)), slug=slug)
        return Response(ChecklistTemplateDetailSerializer(template).data)


class ChecklistRunListView(WarroomView):
    """Runs of checklists (newest first, with item counts), and starting one."""

    queryset = ChecklistRun.objects.none()
    action_rules = {"get": RUN_READ, "post": RUN_WRITE}

    @extend_schema(
        tags=TAGS,
        summary="List checklist runs, newest first",
        parameters=[ChecklistRunFilterSerializer],
        responses={200: ChecklistRunSerializer(many=True), **error_responses(400, 401, 403)},
    )
    def get(self, request):
        queryset = selectors.run_list(
            user=caller_of(request), filters=query_params(ChecklistRunFilterSerializer, request)
        )
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(ChecklistRunSerializer(page, many=True).data)

    @extend_schema(
        tags=TAGS,
        auth=PEOPLE_ONLY_AUTH,
        summary="Start a run of a checklist (its items are copied into the run)",
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=ChecklistRunStartSerializer,
        responses={201: ChecklistRunDetailSerializer, **error_responses(400, 401, 403, 422)},
    )
    @idempotent
    def post(self, request):
        given = ChecklistRunStartSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        run = services.checklist_run_start(actor=request.user, **given.validated_data)
        return Response(_run_data(run.pk), status=status.HTTP_201_CREATED)


class ChecklistRunDetailView(WarroomView):
    """One run: every item with its result, who marked it, when, and each mark."""

    action_rules = {"get": RUN_READ}

    @extend_schema(
        tags=TAGS,
        summary="A run with every item, its result, who marked it, when, and each mark",
        responses={200: ChecklistRunDetailSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request, pk):
        run = self.load(selectors.run_detail(user=caller_of(request)), pk=pk)
        return Response(ChecklistRunDetailSerializer(run).data)


class ChecklistItemMarkView(WarroomView):
    """Pass, fail or skip one item of a run (by position). Evidence here is text."""

    action_rules = {"post": RUN_WRITE}

    @extend_schema(
        tags=TAGS,
        auth=PEOPLE_ONLY_AUTH,
        summary="Pass, fail or skip an item (or change its mark); failing/skipping needs a note",
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=ChecklistItemMarkInputSerializer,
        responses={200: ChecklistRunDetailSerializer, **error_responses(400, 401, 403, 404, 422)},
    )
    @idempotent
    def post(self, request, pk, position):
        run = self.load(selectors.runs(), pk=pk)
        item = run.items.filter(position=position).first()
        if item is None:
            raise ApiError(_("This run has no such item."), code="not_found", status_code=404)
        given = ChecklistItemMarkInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        services.checklist_item_mark(actor=request.user, item=item, **given.validated_data)
        return Response(_run_data(pk))


class ChecklistRunCompleteView(WarroomView):
    """Complete a run; refused while a required item is open."""

    action_rules = {"post": RUN_WRITE}

    @extend_schema(
        tags=TAGS,
        auth=PEOPLE_ONLY_AUTH,
        summary="Complete a run (refused while a required item is open)",
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=ChecklistRunCompleteSerializer,
        responses={200: ChecklistRunDetailSerializer, **error_responses(400, 401, 403, 404, 422)},
    )
    @idempotent
    def post(self, request, pk):
        run = self.load(selectors.runs(), pk=pk)
        given = ChecklistRunCompleteSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        services.checklist_run_complete(actor=request.user, run=run, **given.validated_data)
        return Response(_run_data(pk))


class ChecklistRunAbandonView(WarroomView):
    """Abandon a run with a reason."""

    action_rules = {"post": RUN_WRITE}

    @extend_schema(
        tags=TAGS,
        auth=PEOPLE_ONLY_AUTH,
        summary="Abandon a run (a reason is required); it keeps its marks",
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=ChecklistRunAbandonSerializer,
        responses={200: ChecklistRunDetailSerializer, **error_responses(400, 401, 403, 404, 422)},
    )
    @idempotent
    def post(self, request, pk):
        run = self.load(selectors.runs(), pk=pk)
        given = ChecklistRunAbandonSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        services.checklist_run_abandon(actor=request.user, run=run, **given.validated_data)
        return Response(_run_data(pk))


class ChecklistRunReportView(WarroomView):
    """The run's timestamped report as Markdown."""

    action_rules = {"get": RUN_READ}

    @extend_schema(
        tags=TAGS,
        summary="The run's report as Markdown",
        operation_id="checklists_runs_report_markdown",
        parameters=[
            OpenApiParameter(
                "tz",
                str,
                description="IANA time zone for the times; the caller's (or UTC) when absent.",
            )
        ],
        responses={
            (200, "text/markdown"): OpenApiResponse(response=OpenApiTypes.STR),
            **error_responses(400, 401, 403, 404),
        },
    )
    def get(self, request, pk):
        tz = _timezone(request)
        run = self.load(selectors.run_detail(user=caller_of(request)), pk=pk)
        response = HttpResponse(
            checklist_report.render_markdown(run, tz), content_type="text/markdown; charset=utf-8"
        )
        response["Content-Disposition"] = (
            f'inline; filename="{checklist_report.report_filename(run, "md")}"'
        )
        return response


@functools.cache
def _known_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _timezone(request) -> zoneinfo.ZoneInfo:
    name = request.query_params.get("tz")
    if not name:
        return timezone.get_current_timezone()
    try:
        if name not in _known_zones():
            raise zoneinfo.ZoneInfoNotFoundError(name)
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        raise ApiError(
            _("Unknown time zone."),
            code="validation_error",
            fields={"tz": [_("Give an IANA time zone such as Europe/Warsaw.")]},
        ) from None


def _run_data(pk) -> dict:
    """The answer after a write: the rule checked the caller, so the run is read whole."""
    return ChecklistRunDetailSerializer(get_object_or_404(selectors.runs_with_items(), pk=pk)).data
