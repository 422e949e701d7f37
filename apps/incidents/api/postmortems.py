"""Post-mortem and action item endpoints under /v1/incidents/.

Reading: people with the view permissions every staff role holds, or a token with
``incidents:read``. Writing is for people (session with MFA) and is checked by the
services (the incident's runners; an action item's owner may move its status and link).
A published post-mortem refuses edits with 400 and the reason.
"""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from apps.accounts.api.permissions import ANY_VERIFIED, Rule
from apps.accounts.policy import caller_of
from apps.core.api.idempotency import idempotent
from apps.core.api.input import JsonInput
from apps.core.api.schema import error_responses, people_write_schema
from apps.incidents.models import (
    SECTION_FIELDS,
    ActionItem,
    ActionItemStatus,
    PostMortem,
    PostMortemState,
)
from apps.incidents.models.postmortems import http_url_validator
from apps.incidents.selectors import postmortems as selectors
from apps.incidents.services import postmortems as services
from apps.incidents.services.incidents import require_run
from apps.oncall.api.serializers import PersonField, PersonSerializer

TAGS = ["post-mortems"]
POSTMORTEM_READ = Rule(perm="incidents.view_postmortem", scope="incidents:read")
ACTION_ITEM_READ = Rule(perm="incidents.view_actionitem", scope="incidents:read")
# Writes: every verified person reaches the service, which checks who runs the incident.
WRITE = Rule(perm=ANY_VERIFIED, scope=None)


# --- serializers ---------------------------------------------------------------------------


class ActionItemSerializer(serializers.ModelSerializer):
    owner = PersonSerializer()
    incident = serializers.CharField(source="postmortem.incident.number")
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = ActionItem
        fields = [
            "id",
            "incident",
            "title",
            "owner",
            "due_date",
            "status",
            "link",
            "overdue",
            "completed_at",
            "created_at",
            "updated_at",
        ]

    def get_overdue(self, item) -> bool:
        return item.is_overdue()


class PostMortemSerializer(serializers.ModelSerializer):
    incident = serializers.CharField(source="incident.number")
    owner = PersonSerializer()
    published_by = PersonSerializer(allow_null=True)
    overdue = serializers.SerializerMethodField()
    read_only = serializers.SerializerMethodField()
    action_items = serializers.SerializerMethodField()

    class Meta:
        model = PostMortem
        fields = [
            "id",
            "incident",
            "state",
            "owner",
            *SECTION_FIELDS,
            "due_at",
            "overdue",
            "read_only",
            "submitted_at",
            "returned_reason",
            "published_at",
            "published_by",
            "created_at",
            "updated_at",
            "action_items",
        ]

    def get_overdue(self, postmortem) -> bool:
        return postmortem.is_overdue()

    def get_read_only(self, postmortem) -> bool:
        return postmortem.state == PostMortemState.PUBLISHED

    def get_action_items(self, postmortem) -> list[dict]:
        items = self.context.get("items", [])
        return ActionItemSerializer(items, many=True).data


def _section():
    return serializers.CharField(required=False, allow_blank=True, max_length=50_000)


class PostMortemWriteSerializer(JsonInput):
    """The sections and owner to set; a field left out keeps its value."""

    owner = PersonField(required=False)
    summary = _section()
    impact = _section()
    timeline = _section()
    root_cause = _section()
    contributing_factors = _section()
    what_went_well = _section()
    what_went_wrong = _section()
    prevention = _section()


class ReturnSerializer(JsonInput):
    reason = serializers.CharField(max_length=1000)


class ActionItemCreateSerializer(JsonInput):
    title = serializers.CharField(max_length=200)
    owner = PersonField()
    due_date = serializers.DateField()
    status = serializers.ChoiceField(
        choices=ActionItemStatus.choices, required=False, default=ActionItemStatus.OPEN
    )
    link = serializers.CharField(
        max_length=500, required=False, allow_blank=True, validators=[http_url_validator]
    )


class ActionItemUpdateSerializer(JsonInput):
    title = serializers.CharField(max_length=200, required=False)
    owner = PersonField(required=False)
    due_date = serializers.DateField(required=False)
    status = serializers.ChoiceField(choices=ActionItemStatus.choices, required=False)
    link = serializers.CharField(
        max_length=500, required=False, allow_blank=True, validators=[http_url_validator]
    )


# --- views ---------------------------------------------------------------------------------


class _View(GenericAPIView):
    queryset = PostMortem.objects.none()  # for the schema; reads go through selectors
    pagination_class = None

    def incident(self, number):
        incident = selectors.incident_by_number(user=caller_of(self.request), number=number)
        if incident is None:
            raise Http404
        return incident

    def run(self, number):
        """The incident, once the person is known to run it (before reading their input)."""
        incident = self.incident(number)
        require_run(self.request.user, incident)
        return incident

    def postmortem(self, incident) -> PostMortem:
        postmortem = selectors.postmortem_of(user=caller_of(self.request), incident=incident)
        if postmortem is None:
            raise Http404
        return postmortem

    def answer(self, postmortem, *, code=status.HTTP_200_OK) -> Response:
        caller = caller_of(self.request)
        postmortem = selectors.postmortem_of(user=caller, incident=postmortem.incident)
        items = selectors.action_item_list(user=caller, postmortem=postmortem)
        data = PostMortemSerializer(postmortem, context={"items": list(items)}).data
        return Response(data, status=code)


class PostMortemView(_View):
    action_rules = {"get": POSTMORTEM_READ, "put": WRITE}

    @extend_schema(
        tags=TAGS,
        summary="An incident's post-mortem with its action items",
        responses={200: PostMortemSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request, number):
        return self.answer(self.postmortem(self.incident(number)))

    @people_write_schema(
        tags=TAGS,
        summary="Write the post-mortem (created from the template when there is none)",
        description=(
            "Sets the sections and owner given; a field left out keeps its value. Answers "
            "201 when this call started the post-mortem. A published post-mortem is "
            "read-only: 400 with the field `state`."
        ),
        request=PostMortemWriteSerializer,
        responses={200: PostMortemSerializer, 201: PostMortemSerializer},
        errors=(400, 401, 403, 404),
        idempotency_key=False,
    )
    def put(self, request, number):
        incident = self.run(number)
        given = PostMortemWriteSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        postmortem = selectors.postmortem_of(user=request.user, incident=incident)
        code = status.HTTP_200_OK
        if postmortem is None:
            postmortem = services.postmortem_create(actor=request.user, incident=incident)
            code = status.HTTP_201_CREATED
        postmortem = services.postmortem_update(
            actor=request.user, postmortem=postmortem, **given.validated_data
        )
        return self.answer(postmortem, code=code)


class PostMortemSubmitView(_View):
    action_rules = {"post": WRITE}

    @people_write_schema(
        tags=TAGS,
        summary="Submit the post-mortem for review (draft → in review)",
        description="400 names the sections still empty, or the state that forbids it.",
        responses={200: PostMortemSerializer},
        errors=(400, 401, 403, 404, 422),
    )
    @extend_schema(request=None)
    @idempotent
    def post(self, request, number):
        postmortem = self.postmortem(self.incident(number))
        return self.answer(services.postmortem_submit(actor=request.user, postmortem=postmortem))


class PostMortemPublishView(_View):
    action_rules = {"post": WRITE}

    @people_write_schema(
        tags=TAGS,
        summary="Publish the post-mortem (in review → published; read-only afterwards)",
        responses={200: PostMortemSerializer},
        errors=(400, 401, 403, 404, 422),
    )
    @extend_schema(request=None)
    @idempotent
    def post(self, request, number):
        postmortem = self.postmortem(self.incident(number))
        return self.answer(services.postmortem_publish(actor=request.user, postmortem=postmortem))


class PostMortemReturnView(_View):
    action_rules = {"post": WRITE}

    @people_write_schema(
        tags=TAGS,
        summary="Return the post-mortem to draft (in review → draft), with a reason",
        request=ReturnSerializer,
        responses={200: PostMortemSerializer},
        errors=(400, 401, 403, 404, 422),
    )
    @idempotent
    def post(self, request, number):
        postmortem = self.postmortem(self.run(number))
        given = ReturnSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        return self.answer(
            services.postmortem_return_to_draft(
                actor=request.user, postmortem=postmortem, reason=given.validated_data["reason"]
            )
        )


class ActionItemListView(_View):
    queryset = ActionItem.objects.none()
    action_rules = {"get": ACTION_ITEM_READ, "post": WRITE}

    @extend_schema(
        tags=TAGS,
        summary="The action items of an incident's post-mortem",
        responses={200: ActionItemSerializer(many=True), **error_responses(401, 403, 404)},
    )
    def get(self, request, number):
        postmortem = self.postmortem(self.incident(number))
        items = selectors.action_item_list(user=caller_of(request), postmortem=postmortem)
        return Response(ActionItemSerializer(items, many=True).data)

    @people_write_schema(
        tags=TAGS,
        summary="Add an action item (not once the post-mortem is published)",
        request=ActionItemCreateSerializer,
        responses={201: ActionItemSerializer},
        errors=(400, 401, 403, 404, 422),
    )
    @idempotent
    def post(self, request, number):
        postmortem = self.postmortem(self.run(number))
        given = ActionItemCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        item = services.action_item_create(
            actor=request.user, postmortem=postmortem, **given.validated_data
        )
        item = selectors.action_item_by_id(user=request.user, pk=item.pk)
        return Response(ActionItemSerializer(item).data, status=status.HTTP_201_CREATED)


class ActionItemDetailView(_View):
    queryset = ActionItem.objects.none()
    action_rules = {"patch": WRITE}

    @people_write_schema(
        tags=TAGS,
        summary="Change an action item",
        description=(
            "The incident's team may change any field (only status and link once the "
            "post-mortem is published); the item's owner its status and link."
        ),
        request=ActionItemUpdateSerializer,
        responses={200: ActionItemSerializer},
        errors=(400, 401, 403, 404),
        idempotency_key=False,
    )
    def patch(self, request, pk):
        item = selectors.action_item_by_id(user=request.user, pk=pk)
        if item is None:
            raise Http404
        if item.owner_id != request.user.pk:
            require_run(request.user, item.postmortem.incident)
        given = ActionItemUpdateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        services.action_item_update(actor=request.user, item=item, **given.validated_data)
        item = selectors.action_item_by_id(user=request.user, pk=pk)
        return Response(ActionItemSerializer(item).data)
