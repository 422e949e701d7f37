"""Teams, escalation policies and pages."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from apps.accounts.api.permissions import Rule
from apps.accounts.policy import caller_of
from apps.core.api.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent
from apps.core.api.query import query_params
from apps.core.api.schema import error_responses
from apps.oncall import selectors, services
from apps.oncall.api.common import (
    PEOPLE_ONLY_AUTH,
    TAGS_ESCALATION,
    TAGS_TEAMS,
    WarroomView,
)
from apps.oncall.api.serializers import (
    PageCreateSerializer,
    PageDetailSerializer,
    PageFilterSerializer,
    PageResolveSerializer,
    PageSerializer,
    PolicyCreateSerializer,
    PolicyFilterSerializer,
    PolicySerializer,
    PolicyUpdateSerializer,
    TeamCreateSerializer,
    TeamPersonSerializer,
    TeamSerializer,
    TeamUpdateSerializer,
)
from apps.oncall.models import EscalationPolicy, Page, Team

TEAM_READ = Rule(perm="oncall.view_team", scope="oncall:read")
TEAM_EDIT = Rule(perm="oncall.change_team", scope=None)
POLICY_READ = Rule(perm="oncall.view_escalationpolicy", scope="oncall:read")
PAGE_READ = Rule(perm="oncall.view_page", scope="oncall:read")
PAGE_ACK = Rule(perm="oncall.acknowledge_page", scope=None)


def _teams(request):
    return selectors.team_list(user=caller_of(request))


class TeamListView(WarroomView):
    queryset = Team.objects.none()  # for the schema; reads build their own
    action_rules = {"get": TEAM_READ, "post": Rule(perm="oncall.add_team", scope=None)}

    @extend_schema(
        tags=TAGS_TEAMS,
        summary="List teams with members and lead",
        responses={200: TeamSerializer(many=True), **error_responses(401, 403)},
    )
    def get(self, request):
        page = self.paginate_queryset(_teams(request))
        return self.get_paginated_response(TeamSerializer(page, many=True).data)

    @extend_schema(
        tags=TAGS_TEAMS,
        auth=PEOPLE_ONLY_AUTH,
        summary="Create a team",
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=TeamCreateSerializer,
        responses={201: TeamSerializer, **error_responses(400, 401, 403, 422)},
    )
    @idempotent
    def post(self, request):
        given = TeamCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        team = services.team_create(actor=request.user, **given.validated_data)
        return Response(TeamSerializer(team).data, status=status.HTTP_201_CREATED)


class TeamDetailView(WarroomView):
    action_rules = {"get": TEAM_READ, "patch": TEAM_EDIT}

    @extend_schema(
        tags=TAGS_TEAMS,
        summary="A team",
        responses={200: TeamSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request, slug):
        return Response(TeamSerializer(self.load(_teams(request), slug=slug)).data)

    @extend_schema(
        tags=TAGS_TEAMS,
        auth=PEOPLE_ONLY_AUTH,
        summary="Rename or describe a team",
        request=TeamUpdateSerializer,
        responses={200: TeamSerializer, **error_responses(400, 401, 403, 404)},
    )
    def patch(self, request, slug):
        team = self.load(_teams(request), slug=slug)
        given = TeamUpdateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        team = services.team_update(actor=request.user, team=team, **given.validated_data)
        return Response(TeamSerializer(_teams(request).get(pk=team.pk)).data)


class TeamMembersView(WarroomView):
    action_rules = {"post": TEAM_EDIT, "delete": TEAM_EDIT}

    @extend_schema(
        tags=TAGS_TEAMS,
        auth=PEOPLE_ONLY_AUTH,
        summary="Add a member (POST) or remove one (DELETE, same body)",
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=TeamPersonSerializer,
        responses={200: TeamSerializer, **error_responses(400, 401, 403, 404, 422)},
    )
    @idempotent
    def post(self, request, slug):
        team = self.load(_teams(request), slug=slug)
        given = TeamPersonSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        services.team_member_add(actor=request.user, team=team, user=given.validated_data["user"])
        return Response(TeamSerializer(_teams(request).get(pk=team.pk)).data)

    @extend_schema(
        tags=TAGS_TEAMS,
        auth=PEOPLE_ONLY_AUTH,
        summary="Remove a member",
        request=TeamPersonSerializer,
        responses={200: TeamSerializer, **error_responses(400, 401, 403, 404)},
    )
    def delete(self, request, slug):
        team = self.load(_teams(request), slug=slug)
        given = TeamPersonSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        services.team_member_remove(
            actor=request.user, team=team, user=given.validated_data["user"]
        )
        return Response(TeamSerializer(_teams(request).get(pk=team.pk)).data)


class TeamLeadView(WarroomView):
    action_rules = {"post": TEAM_EDIT}

    @extend_schema(
        tags=TAGS_TEAMS,
        auth=PEOPLE_ONLY_AUTH,
        summary="Set the team lead (added as a member if needed)",
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=TeamPersonSerializer,
        responses={200: TeamSerializer, **error_responses(400, 401, 403, 404, 422)},
    )
    @idempotent
    def post(self, request, slug):
        team = self.load(_teams(request), slug=slug)
        given = TeamPersonSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        services.team_set_lead(actor=request.user, team=team, lead=given.validated_data["user"])
        return Response(TeamSerializer(_teams(request).get(pk=team.pk)).data)


class TeamTestPageView(WarroomView):
    action_rules = {"post": Rule(perm="oncall.send_test_page", scope=None, object_level=True)}

    @extend_schema(
        tags=TAGS_ESCALATION,
        auth=PEOPLE_ONLY_AUTH,
        summary="Send a test page: team channel, on-call person and you, end to end",
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=None,
        responses={201: PageSerializer, **error_responses(401, 403, 404, 422)},
    )
    @idempotent
    def post(self, request, slug):
        team = self.load(_teams(request), slug=slug)
        page = services.page_send_test(actor=request.user, team=team)
        return Response(PageSerializer(page).data, status=status.HTTP_201_CREATED)


# --- escalation policies ---------------------------------------------------------------------


class PolicyListView(WarroomView):
    queryset = EscalationPolicy.objects.none()  # for the schema; reads build their own
    action_rules = {
        "get": POLICY_READ,
        "post": Rule(perm="oncall.add_escalationpolicy", scope=None),
    }

    @extend_schema(
        tags=TAGS_ESCALATION,
        summary="List escalation policies",
        parameters=[PolicyFilterSerializer],
        responses={200: PolicySerializer(many=True), **error_responses(401, 403)},
    )
    def get(self, request):
        team = query_params(PolicyFilterSerializer, request).get("team")
        queryset = selectors.policy_list(user=caller_of(request))
        if team:
            queryset = queryset.filter(team__slug=team)
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(PolicySerializer(page, many=True).data)

    @extend_schema(
        tags=TAGS_ESCALATION,
        auth=PEOPLE_ONLY_AUTH,
        summary="Create an escalation policy with its ordered steps",
        description=(
            "Step kinds: notify_schedule (schedule), notify_user (user), notify_team_lead, "
            "notify_team_channel, wait (wait_minutes 1..1440), repeat (repeat_from: an "
            "earlier position counted from 1; repeat_times 1..10)."
        ),
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=PolicyCreateSerializer,
        responses={201: PolicySerializer, **error_responses(400, 401, 403, 422)},
    )
    @idempotent
    def post(self, request):
        given = PolicyCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        policy = services.policy_create(
            actor=request.user,
            team=data["team"],
            name=data["name"],
            description=data.get("description", ""),
            steps=[dict(step) for step in data["steps"]],
        )
        return Response(PolicySerializer(policy).data, status=status.HTTP_201_CREATED)


class PolicyDetailView(WarroomView):
    action_rules = {
        "get": POLICY_READ,
        "patch": Rule(perm="oncall.change_escalationpolicy", scope=None, object_level=True),
    }

    def _policies(self):
        return selectors.policy_list(user=caller_of(self.request))

    @extend_schema(
        tags=TAGS_ESCALATION,
        summary="An escalation policy",
        responses={200: PolicySerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request, pk):
        return Response(PolicySerializer(self.load(self._policies(), pk=pk)).data)

    @extend_schema(
        tags=TAGS_ESCALATION,
        auth=PEOPLE_ONLY_AUTH,
        summary="Change a policy (steps replace all steps; running pages keep theirs)",
        request=PolicyUpdateSerializer,
        responses={200: PolicySerializer, **error_responses(400, 401, 403, 404)},
    )
    def patch(self, request, pk):
        policy = self.load(self._policies(), pk=pk)
        given = PolicyUpdateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        policy = services.policy_update(
            actor=request.user,
            policy=policy,
            name=data.get("name"),
            description=data.get("description"),
            steps=[dict(s) for s in data["steps"]] if "steps" in data else None,
        )
        return Response(PolicySerializer(self._policies().get(pk=policy.pk)).data)


# --- pages ------------------------------------------------------------------------------------


class PageListView(WarroomView):
    queryset = Page.objects.none()  # for the schema; reads build their own
    action_rules = {"get": PAGE_READ, "post": Rule(perm="oncall.trigger_page", scope=None)}

    @extend_schema(
        tags=TAGS_ESCALATION,
        summary="List pages",
        parameters=[PageFilterSerializer],
        responses={200: PageSerializer(many=True), **error_responses(401, 403)},
    )
    def get(self, request):
        filters = query_params(PageFilterSerializer, request)
        queryset = selectors.page_list(user=caller_of(request), filters=filters)
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(PageSerializer(page, many=True).data)

    @extend_schema(
        tags=TAGS_ESCALATION,
        auth=PEOPLE_ONLY_AUTH,
        summary="Page a team (its first policy unless one is given)",
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=PageCreateSerializer,
        responses={201: PageSerializer, **error_responses(400, 401, 403, 422)},
    )
    @idempotent
    def post(self, request):
        given = PageCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        page = services.page_trigger(actor=request.user, **given.validated_data)
        return Response(PageSerializer(page).data, status=status.HTTP_201_CREATED)


def _pages(request):
    return selectors.page_list(user=caller_of(request)).prefetch_related(
        "events__actor", "step_runs"
    )


class PageDetailView(WarroomView):
    action_rules = {"get": PAGE_READ}

    @extend_schema(
        tags=TAGS_ESCALATION,
        summary="A page with its snapshot, step runs and events",
        responses={200: PageDetailSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request, pk):
        return Response(PageDetailSerializer(self.load(_pages(request), pk=pk)).data)


class PageAcknowledgeView(WarroomView):
    action_rules = {"post": PAGE_ACK}

    @extend_schema(
        tags=TAGS_ESCALATION,
        auth=PEOPLE_ONLY_AUTH,
        summary="Acknowledge a page: no further step runs",
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=None,
        responses={200: PageDetailSerializer, **error_responses(400, 401, 403, 404, 422)},
    )
    @idempotent
    def post(self, request, pk):
        page = self.load(_pages(request), pk=pk)
        services.page_acknowledge(actor=request.user, page=page, via="api")
        return Response(PageDetailSerializer(_pages(request).get(pk=page.pk)).data)


class PageResolveView(WarroomView):
    action_rules = {"post": PAGE_ACK}

    @extend_schema(
        tags=TAGS_ESCALATION,
        auth=PEOPLE_ONLY_AUTH,
        summary="Resolve a page",
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=PageResolveSerializer,
        responses={200: PageDetailSerializer, **error_responses(400, 401, 403, 404, 422)},
    )
    @idempotent
    def post(self, request, pk):
        page = self.load(_pages(request), pk=pk)
        given = PageResolveSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        services.page_resolve(actor=request.user, page=page, note=given.validated_data["note"])
        return Response(PageDetailSerializer(_pages(request).get(pk=page.pk)).data)
