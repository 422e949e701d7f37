"""Status updates under /v1/incidents/.

- ``GET /v1/incidents/{number}/updates``: the updates sent, newest first (every staff role;
  a token with ``incidents:read``).
- ``POST /v1/incidents/{number}/updates``: render and send one (people only: the people
  running the incident or its communications lead; the service decides; what partners and
  the public are told is a person's word, so a token gets 403). Idempotent with
  ``Idempotency-Key``. Refusals are 400 with the field and the reason, nothing written:
  an unknown or empty placeholder names it under ``fields.body`` (or ``fields.subject``),
  an internal-only note or placeholder in an update to partners or the public likewise,
  an unknown template, channel or audience under its own field.
- ``GET /v1/incidents/status-templates``: the templates, filtered by kind, audience,
  language and whether they are active (a token with ``incidents:read`` too).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from apps.accounts.api.permissions import ANY_VERIFIED, Rule
from apps.accounts.policy import caller_of
from apps.core.api.errors import ApiError
from apps.core.api.idempotency import idempotent
from apps.core.api.input import JsonInput
from apps.core.api.query import query_params, text_filter, yes_no_filter
from apps.core.api.schema import error_responses, paginated, people_write_schema
from apps.incidents.models import Audience, StatusTemplate, StatusUpdate, UpdateLanguage
from apps.incidents.selectors import comms as selectors
from apps.incidents.services import comms as services
from apps.incidents.services.comms_render import PLACEHOLDERS, placeholders_in

TAGS = ["incidents"]
VIEW_UPDATES = Rule(perm=selectors.VIEW_UPDATE, scope=selectors.READ_SCOPE)
# Who may send depends on the incident (runs it, or holds its communications-lead role):
# the service decides.
SEND = Rule(perm=ANY_VERIFIED, scope=None)
VIEW_TEMPLATES = Rule(perm=selectors.VIEW_TEMPLATE, scope=selectors.READ_SCOPE)
MAX_CHANNELS = 20

NUMBER_PARAMETER = OpenApiParameter(
    "number",
    str,
    location=OpenApiParameter.PATH,
    description="The incident's number, e.g. INC-2026-0001.",
    pattern=r"^INC-\d{4}-\d{4,}$",
)


class StatusUpdateSerializer(serializers.ModelSerializer):
    incident = serializers.CharField(source="incident.number", read_only=True)
    template = serializers.CharField(
        source="template.key", read_only=True, allow_null=True, default=None
    )
    channels = serializers.ListField(child=serializers.CharField(), read_only=True)
    sent_by = serializers.CharField(source="sent_by.username", read_only=True)

    class Meta:
        model = StatusUpdate
        fields = [
            "id",
            "incident",
            "audience",
            "language",
            "template",
            "subject",
            "body",
            "channels",
            "sent_by",
            "sent_at",
            "next_update_due_at",
        ]
        read_only_fields = fields


class StatusUpdateCreateSerializer(JsonInput):
    audience = serializers.ChoiceField(choices=Audience.choices)
    language = serializers.ChoiceField(choices=UpdateLanguage.choices)
    template = serializers.SlugField(
        required=False,
        allow_blank=True,
        max_length=50,
        help_text=gettext_lazy(
            "A template kind (first_notice, update, resolved, webhooks_degraded, …); the "
            "template of that kind for the audience and language is used."
        ),
    )
    subject = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=300,
        help_text=gettext_lazy("Replaces the template's subject; may hold placeholders."),
    )
    body = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=20000,
        help_text=gettext_lazy("Replaces the template's text; may hold placeholders."),
    )
    message = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=5000,
        help_text=gettext_lazy("The value of {message}: what is new in this update."),
    )
    channels = serializers.ListField(
        child=serializers.CharField(max_length=100),
        required=False,
        max_length=MAX_CHANNELS,
        help_text=gettext_lazy(
            "Names of enabled notify channels; none records the update on the incident only."
        ),
    )
    next_update_in_minutes = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        max_value=services.MAX_NEXT_UPDATE_MINUTES,
        help_text=gettext_lazy(
            "Omitted or null: the severity's interval while the incident is open; 0: no "
            "further update (only once it is resolved)."
        ),
    )


class StatusTemplateSerializer(serializers.ModelSerializer):
    placeholders = serializers.SerializerMethodField()

    class Meta:
        model = StatusTemplate
        fields = [
            "id",
            "key",
            "name",
            "audience",
            "language",
            "subject",
            "body",
            "is_active",
            "updated_at",
            "placeholders",
        ]
        read_only_fields = fields

    def get_placeholders(self, obj) -> list[str]:
        found: list[str] = []
        for text in (obj.subject, obj.body):
            try:
                found.extend(placeholders_in(text))
            except ValidationError:
                pass
        return list(dict.fromkeys(found))


class StatusTemplateFilterSerializer(serializers.Serializer):
    key = text_filter("A template kind, e.g. update.", max_length=50)
    audience = serializers.ChoiceField(choices=Audience.choices, required=False)
    language = serializers.ChoiceField(choices=UpdateLanguage.choices, required=False)
    active = yes_no_filter("Only active (true) or switched-off (false) templates.")


def _incident(request, number: str):
    incident = selectors.incident_get(user=caller_of(request), number=number)
    if incident is None:
        raise ApiError(
            _("No incident %(number)s.") % {"number": number},
            code="not_found",
            status_code=status.HTTP_404_NOT_FOUND,
        )
    return incident


def _as_api_error(error: ValidationError) -> exceptions.ValidationError:
    if not hasattr(error, "error_dict"):
        return exceptions.ValidationError({"non_field_errors": error.messages})
    fields: dict[str, list[str]] = {}
    for name, messages in error.message_dict.items():
        fields.setdefault("non_field_errors" if name == "__all__" else name, []).extend(messages)
    return exceptions.ValidationError(fields)


class StatusUpdateListView(GenericAPIView):
    """The status updates of one incident: list them, or send one."""

    action_rules = {"get": VIEW_UPDATES, "post": SEND}
    serializer_class = StatusUpdateSerializer
    queryset = StatusUpdate.objects.none()

    @extend_schema(
        tags=TAGS,
        summary="List an incident's status updates",
        operation_id="incidents_updates_list",
        parameters=[NUMBER_PARAMETER],
        responses={
            200: paginated(StatusUpdateSerializer, "StatusUpdatePage"),
            **error_responses(400, 401, 403, 404),
        },
    )
    def get(self, request, number: str):
        incident = _incident(request, number)
        page = self.paginate_queryset(
            selectors.status_update_list(user=caller_of(request), incident=incident)
        )
        return self.get_paginated_response(StatusUpdateSerializer(page, many=True).data)

    @people_write_schema(
        tags=TAGS,
        summary="Send a status update",
        operation_id="incidents_updates_create",
        description=(
            "Renders the template (or the given subject and text) with the incident's "
            "placeholders, stores the update, sends it to the channels, puts it on the "
            "timeline and sets when the next one is due. Placeholders: "
            + ", ".join("{" + name + "}" for name in PLACEHOLDERS)
            + ". An unknown or empty placeholder, or an internal-only note or placeholder "
            "in an update to partners or the public, is refused (400, naming it)."
        ),
        request=StatusUpdateCreateSerializer,
        responses={201: StatusUpdateSerializer},
        errors=(400, 401, 403, 404, 422),
    )
    @idempotent
    def post(self, request, number: str):
        incident = _incident(request, number)
        given = StatusUpdateCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        template = None
        if data.get("template"):
            template = (
                selectors.status_template_list(
                    user=request.user,
                    key=data["template"],
                    audience=data["audience"],
                    language=data["language"],
                )
                .filter(is_active=True)
                .first()
            )
            if template is None:
                raise exceptions.ValidationError(
                    {
                        "template": [
                            _(
                                "No active template %(key)s for this audience and language; "
                                "GET /v1/incidents/status-templates lists them."
                            )
                            % {"key": data["template"]}
                        ]
                    }
                )
        try:
            update = services.status_update_send(
                actor=request.user,
                incident=incident,
                audience=data["audience"],
                language=data["language"],
                template=template,
                subject=data.get("subject") or None,
                body=data.get("body") or None,
                message=data.get("message") or "",
                channels=data.get("channels") or [],
                next_update_in_minutes=data.get("next_update_in_minutes"),
            )
        except ValidationError as exc:
            raise _as_api_error(exc) from None
        return Response(StatusUpdateSerializer(update).data, status=status.HTTP_201_CREATED)


class StatusTemplateListView(GenericAPIView):
    """The status update templates."""

    action_rules = {"get": VIEW_TEMPLATES}
    serializer_class = StatusTemplateSerializer
    queryset = StatusTemplate.objects.none()

    @extend_schema(
        tags=TAGS,
        summary="List status update templates",
        operation_id="incidents_status_templates_list",
        parameters=[StatusTemplateFilterSerializer],
        responses={
            200: paginated(StatusTemplateSerializer, "StatusTemplatePage"),
            **error_responses(400, 401, 403),
        },
    )
    def get(self, request):
        filters = query_params(StatusTemplateFilterSerializer, request)
        queryset = selectors.status_template_list(
            user=caller_of(request),
            key=filters.get("key") or None,
            audience=filters.get("audience") or None,
            language=filters.get("language") or None,
            active=filters.get("active"),
        )
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(StatusTemplateSerializer(page, many=True).data)
