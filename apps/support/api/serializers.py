"""The shapes of the support API's answers (built by ``apps.support.api.present``) and its
request bodies."""

from __future__ import annotations

from rest_framework import serializers

from apps.core.api.input import JsonInput
from apps.support.models import Language
from apps.support.privacy import REASON_CODES


class CustomerRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    external_id = serializers.CharField()
    handle = serializers.CharField()
    email = serializers.CharField(help_text="Masked unless revealed.")
    display_name = serializers.CharField(help_text="Masked unless revealed.")
    masked = serializers.BooleanField()
    url = serializers.CharField()


class TransactionOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    network = serializers.CharField()
    hash = serializers.CharField()
    kind = serializers.CharField()
    status = serializers.CharField()
    stuck = serializers.BooleanField()
    amount = serializers.CharField(
        allow_null=True, help_text="Minor units; null without support.view_amounts."
    )
    asset = serializers.CharField()
    round = serializers.IntegerField(allow_null=True)
    submitted_at = serializers.DateTimeField()
    confirmed_at = serializers.DateTimeField(allow_null=True)
    failure_reason = serializers.CharField()
    attempts = serializers.IntegerField()
    customer = serializers.CharField(allow_null=True)
    url = serializers.CharField()


class HitSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["customer", "wallet", "transaction", "round"])
    match = serializers.CharField()
    why = serializers.CharField()
    customer = CustomerRefSerializer(allow_null=True)
    transaction = TransactionOutSerializer(allow_null=True)
    wallet = serializers.DictField(allow_null=True)
    round = serializers.DictField(allow_null=True)


class ReadingSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    note = serializers.CharField()
    exact = serializers.BooleanField()


class SearchAnswerSerializer(serializers.Serializer):
    query = serializers.CharField()
    recognised = ReadingSerializer(many=True)
    problems = serializers.ListField(child=serializers.CharField())
    results = HitSerializer(many=True)
    next_cursor = serializers.CharField(allow_null=True)
    partial_skipped = serializers.BooleanField()


class OpenIncidentSerializer(serializers.Serializer):
    """An open incident on the platform actions the customer uses."""

    number = serializers.CharField()
    title = serializers.CharField()
    severity = serializers.CharField()
    status = serializers.CharField()
    affected_actions = serializers.ListField(child=serializers.CharField())
    declared_at = serializers.DateTimeField()


class CustomerDetailSerializer(serializers.Serializer):
    customer = serializers.DictField()
    wallets = serializers.ListField(child=serializers.DictField())
    transactions = TransactionOutSerializer(many=True)
    more_transactions = serializers.BooleanField()
    claims = serializers.ListField(child=serializers.DictField())
    refunds = serializers.ListField(child=serializers.DictField())
    flags = serializers.ListField(child=serializers.DictField())
    user_states = serializers.ListField(child=serializers.DictField())
    pending_requests = serializers.ListField(child=serializers.DictField())
    incidents = OpenIncidentSerializer(many=True)


class TransactionPageSerializer(serializers.Serializer):
    results = TransactionOutSerializer(many=True)
    next = serializers.CharField(allow_null=True)


class TransactionDetailSerializer(serializers.Serializer):
    transaction = TransactionOutSerializer()
    customer = CustomerRefSerializer(allow_null=True)
    round = serializers.DictField(allow_null=True)
    same_hash = TransactionOutSerializer(many=True)


class RevealSerializer(JsonInput):
    reason_code = serializers.ChoiceField(choices=list(REASON_CODES))
    ticket = serializers.CharField(max_length=64)


class RevealAnswerSerializer(serializers.Serializer):
    email = serializers.CharField()
    display_name = serializers.CharField()
    revealed_minutes = serializers.IntegerField()


class ActionSerializer(JsonInput):
    reason = serializers.CharField(max_length=2000)
    ticket = serializers.CharField(max_length=64)


class ActionAnswerSerializer(serializers.Serializer):
    applied = serializers.BooleanField()
    flag = serializers.CharField()
    state = serializers.CharField(allow_null=True)
    change_request = serializers.IntegerField(allow_null=True)
    message = serializers.CharField()


class CheckSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    passed = serializers.BooleanField(allow_null=True)
    evidence = serializers.CharField()


class ReplyOutSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True)
    key = serializers.CharField()
    language = serializers.CharField()
    title = serializers.CharField()
    text = serializers.CharField()
    missing = serializers.ListField(child=serializers.CharField())
    fell_back = serializers.BooleanField()


class DiagnosisSerializer(serializers.Serializer):
    case = serializers.CharField()
    title = serializers.CharField()
    checks = CheckSerializer(many=True)
    verdict = serializers.CharField()
    summary = serializers.CharField()
    reply = ReplyOutSerializer(allow_null=True)


class CannedReplySerializer(JsonInput):
    id = serializers.IntegerField(read_only=True)
    key = serializers.CharField(max_length=100)
    language = serializers.ChoiceField(choices=Language.choices)
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(max_length=5000)
    is_active = serializers.BooleanField(default=True)
    uses = serializers.IntegerField(read_only=True)


class CannedReplyUpdateSerializer(JsonInput):
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(max_length=5000)
    is_active = serializers.BooleanField(default=True)


class ReplyUsedSerializer(JsonInput):
    customer = serializers.IntegerField(required=False, allow_null=True)


class ReplyUsedAnswerSerializer(serializers.Serializer):
    reply = serializers.IntegerField()
    uses = serializers.IntegerField()
