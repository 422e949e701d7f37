"""Evidence of an incident under /v1/incidents/{number}/evidence (people only).

Attached evidence is immutable: these views take GET and POST only, so PUT, PATCH and
DELETE answer 405.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from apps.accounts.api.permissions import Rule
from apps.accounts.policy import caller_of
from apps.core.api.errors import ApiError
from apps.core.api.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent
from apps.core.api.schema import PEOPLE_ONLY_AUTH, ErrorSerializer, error_responses, paginated
from apps.core.uploads import upload_refusal
from apps.incidents.models import Evidence
from apps.incidents.selectors.evidence import evidence_incidents, evidence_list
from apps.incidents.services.evidence import (
    SAFE_CONTENT_TYPES,
    EvidenceTampered,
    evidence_attach_file,
    evidence_read_verified,
    too_large_message,
)
from apps.incidents.services.incidents import RUN_PERMISSION
from apps.incidents.views.evidence import evidence_file_response

TAGS = ["incidents"]
READ = Rule(perm="incidents.view_evidence", scope=None)
ATTACH = Rule(perm=RUN_PERMISSION, scope=None, object_level=True)


class EvidenceSerializer(serializers.ModelSerializer):
    incident = serializers.CharField(source="incident.number", read_only=True)
    added_by = serializers.CharField(source="added_by.username", default=None, read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = [
            "id",
            "incident",
            "kind",
            "title",
            "description",
            "original_filename",
            "content_type",
            "size",
            "sha256",
            "source",
            "added_by",
            "added_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, evidence) -> str:
        return f"/v1/incidents/{evidence.incident.number}/evidence/{evidence.pk}/download"


class EvidenceUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        allow_empty_file=True,
        help_text=_("The file (multipart binary). Refused with 413 over EVIDENCE_MAX_BYTES."),
    )
    title = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text=_("Defaults to the file name.")
    )
    description = serializers.CharField(
        max_length=4000, required=False, allow_blank=True, default=""
    )


EVIDENCE_TOO_LARGE = OpenApiResponse(
    response=ErrorSerializer,
    description=_(
        "The file is over EVIDENCE_MAX_BYTES (code too_large, field file): refused before "
        "the body was read in full; nothing was stored."
    ),
)
EVIDENCE_REFUSED = OpenApiResponse(
    response=ErrorSerializer,
    description=_(
        "The stored file is missing or does not match its recorded SHA-256 (code "
        "evidence_tampered); nothing was sent and the refusal is audited."
    ),
)


class _EvidenceView(GenericAPIView):
    queryset = Evidence.objects.none()  # for the schema; reads go through the selectors

    def incident(self, number: str, *, check: bool = False):
        incident = get_object_or_404(
            evidence_incidents(user=caller_of(self.request)), number=number
        )
        if check:
            self.check_object_permissions(self.request, incident)
        return incident

    def evidence(self, number: str, pk: int) -> Evidence:
        incident = self.incident(number)
        return get_object_or_404(
            evidence_list(user=caller_of(self.request), incident=incident), pk=pk
        )


class EvidenceListView(_EvidenceView):
    action_rules = {"get": READ, "post": ATTACH}
    # Uploads only: a JSON or form body answers 415 (see the OpenAPI request body).
    parser_classes = [MultiPartParser]
    upload_limit_setting = "EVIDENCE_MAX_BYTES"

    @extend_schema(
        tags=TAGS,
        auth=PEOPLE_ONLY_AUTH,
        summary="The evidence of an incident, newest first",
        operation_id="incident_evidence_list",
        responses={
            200: paginated(EvidenceSerializer, "EvidencePage"),
            **error_responses(401, 403, 404),
        },
    )
    def get(self, request, number):
        incident = self.incident(number)
        page = self.paginate_queryset(evidence_list(user=caller_of(request), incident=incident))
        return self.get_paginated_response(EvidenceSerializer(page, many=True).data)

    @extend_schema(
        tags=TAGS,
        auth=PEOPLE_ONLY_AUTH,
        summary="Attach a file to an incident (multipart upload)",
        operation_id="incident_evidence_attach",
        description=_(
            "Multipart form with a binary `file` field, an optional `title` and `description`. "
            "The SHA-256 is computed while the body streams in; a file over EVIDENCE_MAX_BYTES "
            "is refused with 413 before the body is read in full. Needs the right to run "
            "the incident."
        ),
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request={"multipart/form-data": EvidenceUploadSerializer},
        responses={
            201: EvidenceSerializer,
            413: EVIDENCE_TOO_LARGE,
            **error_responses(400, 401, 403, 404, 422),
        },
    )
    @idempotent
    def post(self, request, number):
        incident = self.incident(number, check=True)
        data = request.data  # parses the body through the limited upload handler
        refused = upload_refusal(request)
        if refused is not None:
            raise ApiError(
                _("The file is over the size limit; nothing was stored."),
                code="too_large",
                status_code=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
                fields={refused.field: [too_large_message(refused.limit)]},
            )
        given = EvidenceUploadSerializer(data=data)
        given.is_valid(raise_exception=True)
        if given.validated_data.get("file") is None:
            raise ApiError(
                _("The request has invalid fields; see 'fields'."),
                code="validation_error",
                fields={"file": [_("Send the file as the multipart field 'file'.")]},
            )
        try:
            evidence = evidence_attach_file(
                actor=request.user,
                incident=incident,
                file=given.validated_data["file"],
                title=given.validated_data.get("title", ""),
                description=given.validated_data.get("description", ""),
            )
        except ValidationError as error:
            if any(e.code == "too_large" for e in error.error_dict.get("file", [])):
                raise ApiError(
                    _("The file is over the size limit; nothing was stored."),
                    code="too_large",
                    status_code=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
                    fields=error.message_dict,
                ) from error
            raise
        return Response(EvidenceSerializer(evidence).data, status=status.HTTP_201_CREATED)


class EvidenceDetailView(_EvidenceView):
    action_rules = {"get": READ}

    @extend_schema(
        tags=TAGS,
        auth=PEOPLE_ONLY_AUTH,
        summary="One piece of evidence (metadata: hash, size, who, when)",
        operation_id="incident_evidence_retrieve",
        responses={200: EvidenceSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request, number, pk):
        return Response(EvidenceSerializer(self.evidence(number, pk)).data)


class EvidenceDownloadView(_EvidenceView):
    action_rules = {"get": READ}

    def perform_content_negotiation(self, request, force=False):
        # The answer is the file itself, whatever Accept asks for; errors stay JSON.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        tags=TAGS,
        auth=PEOPLE_ONLY_AUTH,
        summary="Download a piece of evidence after its SHA-256 verifies",
        operation_id="incident_evidence_download",
        description=_(
            "The bytes as an attachment (application/octet-stream unless the type is safe, "
            "nosniff). The stored file is checked against its recorded SHA-256 and size "
            "first; every download is in the access log."
        ),
        responses={
            **{
                (200, media_type): OpenApiResponse(
                    response=OpenApiTypes.BINARY, description=_("The evidence file.")
                )
                for media_type in ("application/octet-stream", *sorted(SAFE_CONTENT_TYPES))
            },
            409: EVIDENCE_REFUSED,
            **error_responses(401, 403, 404),
        },
    )
    def get(self, request, number, pk):
        evidence = self.evidence(number, pk)
        try:
            content = evidence_read_verified(actor=request.user, evidence=evidence)
        except EvidenceTampered as error:
            raise ApiError(
                _("The stored file does not match its recorded SHA-256; it was not sent."),
                code="evidence_tampered",
                status_code=status.HTTP_409_CONFLICT,
            ) from error
        return evidence_file_response(content, evidence)
