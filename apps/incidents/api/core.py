"""Incident endpoints under /v1/incidents/ (core part).

- ``GET /v1/incidents/``: newest first, filtered, keyset pages (``next_cursor``).
- ``POST /v1/incidents/``: declare (people; or a token with ``incidents:write`` naming
  the commander), optionally paging a team (people only).
- ``GET /v1/incidents/{number}``; ``POST .../status``, ``.../severity``, ``.../entries``
  (people who may run the incident, or a token with ``incidents:write``); ``.../roles``,
  ``.../page``, ``.../merge`` (people only).
- ``GET .../timeline`` (pages), ``.../timeline.md`` (Markdown).
- ``GET /v1/incidents/severities``.

Bad input is 400 ``validation_error`` naming the field, nothing written. Closing while
something blocks it (e.g. a post-mortem not yet published) is also 400 on ``status``, the
field listing every reason.
"""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from apps.accounts.api.permissions import Rule
from apps.accounts.models import ApiToken
from apps.accounts.policy import caller_of
from apps.core.api.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent
from apps.core.api.query import query_params
from apps.core.api.schema import error_responses, people_write_schema
from apps.incidents.api import core_serializers as s
from apps.incidents.models import Incident, Severity
from apps.incidents.selectors import incidents as selectors
from apps.incidents.selectors import timeline as timeline_selectors
from apps.incidents.services import lifecycle
from apps.incidents.services.closing import closing_blockers
from apps.incidents.services.incidents import RUN_PERMISSION

TAGS = ["incidents"]
READ = Rule(perm="incidents.view_incident", scope="incidents:read")
SEVERITY_READ = Rule(perm="incidents.view_severity", scope="incidents:read")
DECLARE = Rule(perm="incidents.add_incident", scope="incidents:write")
RUN = Rule(perm=RUN_PERMISSION, scope="incidents:write", object_level=True)
RUN_PEOPLE = Rule(perm=RUN_PERMISSION, scope=None, object_level=True)
LIST_PAGE_SIZE = 50

WRITE_DESCRIPTION = (
    "People who may run the incident (its commander, a role holder, incident commanders, "
    "super admins), or a token with incidents:write. Idempotent with Idempotency-Key."
)


def _token(request) -> ApiToken | None:
    return request.auth if isinstance(request.auth, ApiToken) else None


class IncidentView(GenericAPIView):
    """Loads one incident the caller may see and checks the object-level rule on it."""

    queryset = Incident.objects.none()  # for the schema; reads go through the selectors

    def load(self, number: str) -> Incident:
        incident = selectors.incident_get(user=caller_of(self.request), number=number)
        if incident is None:
            raise Http404
        self.check_object_permissions(self.request, incident)
        return incident

    def detail(self, incident: Incident) -> dict:
        fresh = selectors.incident_get(user=caller_of(self.request), number=incident.number)
        data = s.incident_out(fresh)
        data["roles"] = [s.role_out(a) for a in selectors.role_history(fresh)]
        data["close_blockers"] = closing_blockers(fresh) if fresh.status == "resolved" else []
        return data


# --- list and declare ----------------------------------------------------------------------


class IncidentListView(IncidentView):
    action_rules = {"get": READ, "post": DECLARE}
    pagination_class = None

    @extend_schema(
        tags=TAGS,
        summary="List incidents (newest first, keyset pages)",
        operation_id="incidents_list",
        description="Pass next_cursor back as cursor for the next (older) page.",
        parameters=[s.IncidentFilterSerializer],
        responses={200: s.IncidentListAnswerSerializer, **error_responses(400, 401, 403)},
    )
    def get(self, request):
        given = query_params(s.IncidentFilterSerializer, request)
        caller = caller_of(request)
        owner = None
        owner_name = (given.get("owner") or "").strip()
        if owner_name:
            if owner_name == "me":
                if isinstance(caller, ApiToken):
                    raise exceptions.ValidationError(
                        {"owner": [_("A token commands no incidents.")]}
                    )
                owner = request.user
            else:
                owner = selectors.person_by_username(owner_name)
                if owner is None:
                    raise exceptions.ValidationError({"owner": [_("No such person.")]})
        queryset = selectors.incidents_filtered(
            user=caller,
            status=given.get("status") or "open",
            severity=given.get("severity") or "",
            owner=owner,
            text=given.get("q") or "",
        )
        try:
            page = selectors.incidents_page(
                queryset,
                cursor=given.get("cursor") or None,
                size=given.get("page_size") or LIST_PAGE_SIZE,
            )
        except selectors.CursorInvalid as error:
            raise exceptions.ValidationError({"cursor": [str(error)]}) from None
        return Response(
            {
                "results": [s.incident_out(i) for i in page.items],
                "next_cursor": page.next_cursor,
            }
        )

    @extend_schema(
        tags=TAGS,
        summary="Declare an incident",
        description=(
            "People with the right to declare, or a token with incidents:write (which must "
            "name the commander as owner and cannot page). page_team pages that team "
            "through its first escalation policy. Idempotent with Idempotency-Key."
        ),
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=s.DeclareSerializer,
        responses={201: s.IncidentDetailSerializer, **error_responses(400, 401, 403, 422)},
    )
    @idempotent
    def post(self, request):
        given = s.DeclareSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        severity = (
            selectors.severities(user=caller_of(request), active_only=True)
            .filter(code=data.pop("severity"))
            .first()
        )
        if severity is None:
            raise exceptions.ValidationError({"severity": [_("Unknown or inactive severity.")]})
        team = None
        slug = data.pop("page_team", None)
        if slug:
            team = selectors.team_by_slug(slug)
            if team is None:
                raise exceptions.ValidationError({"page_team": [_("No team has this slug.")]})
        for key in ("started_at", "detected_at", "owner"):
            if data.get(key) is None:
                data.pop(key, None)
        incident = lifecycle.incident_declare_and_page(
            actor=request.user,
            token=_token(request),
            severity=severity,
            page_team=team,
            **data,
        )
        return Response(self.detail(incident), status=status.HTTP_201_CREATED)


# --- one incident ----------------------------------------------------------------------------


class IncidentDetailView(IncidentView):
    action_rules = {"get": READ}

    @extend_schema(
        tags=TAGS,
        summary="An incident with its roles (history) and what keeps it from closing",
        operation_id="incident_retrieve",
        responses={200: s.IncidentDetailSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request, number):
        return Response(self.detail(self.load(number)))


def _write_schema(summary: str, request, *, people_only: bool = False, description=None):
    if people_only:
        return people_write_schema(
            tags=TAGS,
            summary=summary,
            request=request,
            description=description,
            responses={200: s.IncidentDetailSerializer},
            errors=(400, 401, 403, 404, 422),
        )
    return extend_schema(
        tags=TAGS,
        summary=summary,
        description=description or WRITE_DESCRIPTION,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=request,
        responses={200: s.IncidentDetailSerializer, **error_responses(400, 401, 403, 404, 422)},
    )


class IncidentStatusView(IncidentView):
    action_rules = {"post": RUN}

    @_write_schema(
        "Move the incident along the status ladder",
        s.StatusSerializer,
        description=(
            "investigating → identified → mitigated → resolved → closed; forward moves may "
            "skip steps, a move back needs a reason (400 on reason). Closing while "
            "something blocks it is 400 on status listing every reason. Closed and merged "
            "incidents are final. " + WRITE_DESCRIPTION
        ),
    )
    @idempotent
    def post(self, request, number):
        incident = self.load(number)
        given = s.StatusSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        lifecycle.incident_set_status(
            actor=request.user,
            incident=incident,
            status=data["status"],
            reason=data.get("reason", ""),
            at=data.get("at"),
            token=_token(request),
        )
        return Response(self.detail(incident))


class IncidentSeverityView(IncidentView):
    action_rules = {"post": RUN}

    @_write_schema("Change the incident's severity", s.SeverityChangeSerializer)
    @idempotent
    def post(self, request, number):
        incident = self.load(number)
        given = s.SeverityChangeSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        lifecycle.incident_set_severity(
            actor=request.user,
            incident=incident,
            severity=given.validated_data["severity"],
            reason=given.validated_data.get("reason", ""),
            token=_token(request),
        )
        return Response(self.detail(incident))


class IncidentRolesView(IncidentView):
    action_rules = {"post": RUN_PEOPLE}

    @_write_schema(
        "Give a role to a person, or end its holder's (person null)",
        s.RoleChangeSerializer,
        people_only=True,
        description=(
            "The previous holder's assignment ends; the commander is the owner and cannot "
            "be ended, only replaced."
        ),
    )
    @idempotent
    def post(self, request, number):
        incident = self.load(number)
        given = s.RoleChangeSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        person = given.validated_data["person"]
        role = given.validated_data["role"]
        if person is None:
            lifecycle.incident_end_role(actor=request.user, incident=incident, role=role)
        else:
            lifecycle.incident_assign_role(
                actor=request.user, incident=incident, role=role, person=person
            )
        return Response(self.detail(incident))


class IncidentEntriesView(IncidentView):
    action_rules = {"post": RUN}

    @extend_schema(
        tags=TAGS,
        summary="Add a note or a decision to the timeline",
        description=WRITE_DESCRIPTION,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=s.EntrySerializer,
        responses={201: s.EntryOutSerializer, **error_responses(400, 401, 403, 404, 422)},
    )
    @idempotent
    def post(self, request, number):
        incident = self.load(number)
        given = s.EntrySerializer(data=request.data)
        given.is_valid(raise_exception=True)
        entry = lifecycle.incident_add_entry(
            actor=request.user, incident=incident, token=_token(request), **given.validated_data
        )
        return Response(timeline_selectors.entry_json(entry), status=status.HTTP_201_CREATED)


class IncidentPageView(IncidentView):
    action_rules = {"post": RUN_PEOPLE}

    @people_write_schema(
        tags=TAGS,
        summary="Page a team about the incident",
        description="Through the given escalation policy of that team, or its first one.",
        request=s.PageTeamSerializer,
        responses={201: s.PageOutSerializer},
        errors=(400, 401, 403, 404, 422),
    )
    @idempotent
    def post(self, request, number):
        incident = self.load(number)
        given = s.PageTeamSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        team = selectors.team_by_slug(given.validated_data["team"])
        if team is None:
            raise exceptions.ValidationError({"team": [_("No team has this slug.")]})
        policy = None
        policy_id = given.validated_data.get("policy")
        if policy_id is not None:
            policy = selectors.policy_of_team(team, policy_id)
            if policy is None:
                raise exceptions.ValidationError({"policy": [_("No such policy in this team.")]})
        page = lifecycle.incident_page_team(
            actor=request.user, incident=incident, team=team, policy=policy
        )
        return Response(
            {"page": page.pk, "team": team.slug, "status": page.status},
            status=status.HTTP_201_CREATED,
        )


class IncidentMergeView(IncidentView):
    action_rules = {"post": RUN_PEOPLE}

    @_write_schema(
        "Merge this incident (a duplicate) into another",
        s.MergeSerializer,
        people_only=True,
        description=(
            "The duplicate's timeline is copied into the kept incident (marked with where it "
            "came from); the duplicate becomes merged and final. Answers the kept incident."
        ),
    )
    @idempotent
    def post(self, request, number):
        duplicate = self.load(number)
        given = s.MergeSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        into = selectors.incident_get(user=request.user, number=given.validated_data["into"])
        if into is None:
            raise exceptions.ValidationError({"into": [_("No incident has this number.")]})
        lifecycle.incident_merge(
            actor=request.user,
            duplicate=duplicate,
            into=into,
            reason=given.validated_data["reason"],
        )
        return Response(self.detail(into))


# --- the timeline -----------------------------------------------------------------------------


class IncidentTimelineView(IncidentView):
    action_rules = {"get": READ}

    @extend_schema(
        tags=TAGS,
        summary="The incident's timeline, oldest first",
        responses={200: s.EntryOutSerializer(many=True), **error_responses(400, 401, 403, 404)},
    )
    def get(self, request, number):
        incident = self.load(number)
        page = self.paginate_queryset(timeline_selectors.timeline_entries(incident))
        return self.get_paginated_response([timeline_selectors.entry_json(e) for e in page])


class IncidentTimelineMarkdownView(IncidentView):
    action_rules = {"get": READ}

    @extend_schema(
        tags=TAGS,
        summary="The incident's timeline as a Markdown document",
        responses={
            (200, "text/markdown"): OpenApiResponse(response=OpenApiTypes.STR),
            **error_responses(401, 403, 404),
        },
    )
    def get(self, request, number):
        incident = self.load(number)
        return HttpResponse(
            timeline_selectors.timeline_markdown(incident),
            content_type="text/markdown; charset=utf-8",
        )


class SeverityListView(GenericAPIView):
    queryset = Severity.objects.none()  # for the schema; reads go through the selectors
    action_rules = {"get": SEVERITY_READ}
    pagination_class = None

    @extend_schema(
        tags=TAGS,
        summary="The severity levels",
        responses={200: s.SeverityOutSerializer(many=True), **error_responses(401, 403)},
    )
    def get(self, request):
        rows = selectors.severities(user=caller_of(request))
        return Response(s.SeverityOutSerializer(rows, many=True).data)
