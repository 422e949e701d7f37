"""``POST /v1/support/ingest/<entity>``: the platform feeds the support read models."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.api.permissions import Rule
from apps.core.api.errors import ApiError
from apps.core.api.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent
from apps.core.api.schema import error_responses
from apps.support.records import ENTITIES, MAX_BATCH
from apps.support.services import ingestion

TAGS = ["support"]
INGEST = Rule(perm=None, scope="support:ingest")

_STATUS = {"unknown_entity": 404, "conflict": 409}

DESCRIPTION = f"""Upsert up to {MAX_BATCH} records of one entity, each by its natural key.

**All or nothing per batch.** Every record is checked first. If any record is bad, the
answer is 400 `invalid_records`: `error.records` lists each bad record's `index`, `field`
and `reason` (also in `error.fields` as `records[<index>].<field>`) and **nothing** of the
batch is written; fix the records and send the whole batch again. Otherwise every record
is written in one transaction.

**Idempotent.** A record equal to the stored object changes nothing (no write, no new
`ingested_at`, no audit event): a replayed batch answers `created: 0, updated: 0`.
Each record is the whole current state of its object; a field left out takes its default.

Entities and natural keys: `customers` (external_id), `wallets` (network, address),
`rounds` (round_id), `transactions` (network, hash), `claims` (claim_id), `refunds`
(refund_id), `fee_events` (event_id). Records name customers by external id (`customer`),
which must exist (send customers first), and networks by their key in the seed
configuration. Amounts are whole minor units (integer or string of digits, never
negative); times are ISO 8601 with a timezone. Token scope `support:ingest`.
"""

IngestRequest = inline_serializer(
    name="SupportIngestRequest",
    fields={
        "records": serializers.ListField(
            child=serializers.DictField(), max_length=MAX_BATCH, min_length=1
        )
    },
)
IngestAnswer = inline_serializer(
    name="SupportIngestResult",
    fields={
        "entity": serializers.CharField(),
        "received": serializers.IntegerField(),
        "created": serializers.IntegerField(),
        "updated": serializers.IntegerField(),
        "unchanged": serializers.IntegerField(),
    },
)


class IngestView(APIView):
    """One batch of one entity."""

    action_rules = {"post": INGEST}

    @extend_schema(
        tags=TAGS,
        auth=[{"bearerAuth": []}],
        summary="Ingest a batch of customers, wallets, rounds, transactions, claims, refunds "
        "or fee events",
        operation_id="support_ingest",
        description=DESCRIPTION,
        parameters=[
            OpenApiParameter(
                "entity", OpenApiTypes.STR, OpenApiParameter.PATH, enum=list(ENTITIES)
            ),
            IDEMPOTENCY_KEY_PARAMETER,
        ],
        request=IngestRequest,
        responses={200: IngestAnswer, **error_responses(400, 401, 403, 404, 409, 422)},
    )
    @idempotent
    def post(self, request, entity: str):
        body = request.data
        records = body.get("records") if isinstance(body, dict) else None
        if records is None:
            raise ApiError(
                _('Send {"records": [...]} with one object per record.'),
                code="validation_error",
                fields={"records": [_("This field is required.")]},
            )
        try:
            result = ingestion.ingest_batch(
                actor=request.user, entity=entity, records=records, source="api"
            )
        except ingestion.IngestRefused as refused:
            fields: dict[str, list[str]] = {}
            for error in refused.errors:
                fields.setdefault(f"records[{error.index}].{error.field}", []).append(error.reason)
            raise ApiError(
                refused.message,
                code=refused.code,
                status_code=_STATUS.get(refused.code, status.HTTP_400_BAD_REQUEST),
                fields=fields,
                extra={"records": [error.as_dict() for error in refused.errors]},
            ) from None
        return Response(result.as_dict(), status=status.HTTP_200_OK)
