"""Notify API: channels, test sends, the outbox and dead-letter retries (people only)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from apps.accounts.api.permissions import Rule
from apps.core.api.idempotency import idempotent
from apps.core.api.schema import PEOPLE_ONLY_AUTH, error_responses, paginated, people_write_schema
from apps.notify import selectors, services
from apps.notify.api.serializers import (
    ChannelCreateSerializer,
    ChannelSerializer,
    ChannelUpdateSerializer,
    OutboxMessageSerializer,
    as_api_errors,
)
from apps.notify.models import OutboxStatus

TAGS = ["notify"]
# People only: service tokens neither read nor change notification settings.
VIEW_CHANNEL = Rule(perm="notify.view_channel", scope=None)
MANAGE_CHANNEL = Rule(perm="notify.manage_channel", scope=None)
VIEW_OUTBOX = Rule(perm="notify.view_outbox", scope=None)


def _call(service, **kwargs):
    try:
        return service(**kwargs)
    except DjangoValidationError as error:
        raise as_api_errors(error) from None


class ChannelListView(GenericAPIView):
    """Notification channels: list (view_channel) and create (manage_channel)."""

    action_rules = {"get": VIEW_CHANNEL, "post": MANAGE_CHANNEL}
    serializer_class = ChannelSerializer

    def get_queryset(self):
        return selectors.channel_list(user=self.request.user)

    @extend_schema(
        tags=TAGS,
        auth=PEOPLE_ONLY_AUTH,
        summary="List channels",
        operation_id="notify_channels_list",
        responses={200: paginated(ChannelSerializer, "ChannelPage"), **error_responses(401, 403)},
    )
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ChannelSerializer(page, many=True).data)

    @people_write_schema(
        tags=TAGS,
        summary="Create a channel",
        description="The secret is write-only: answers carry `secret_set` instead.",
        request=ChannelCreateSerializer,
        responses={201: ChannelSerializer},
        errors=(400, 401, 403, 422),
    )
    @idempotent
    def post(self, request):
        given = ChannelCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        channel = _call(
            services.channel_create,
            actor=request.user,
            name=data["name"],
            kind=data["kind"],
            config=data.get("config") or {},
            secret=data.get("secret", ""),
            enabled=data.get("enabled", True),
        )
        return Response(ChannelSerializer(channel).data, status=status.HTTP_201_CREATED)


class ChannelDetailView(GenericAPIView):
    """One channel: read (view_channel), change or disable (manage_channel)."""

    action_rules = {
        "get": VIEW_CHANNEL,
        "patch": MANAGE_CHANNEL,
        "put": MANAGE_CHANNEL,
        "delete": MANAGE_CHANNEL,
    }
    serializer_class = ChannelSerializer

    def get_queryset(self):
        return selectors.channel_list(user=self.request.user)

    def _channel(self, pk: int):
        return get_object_or_404(self.get_queryset(), pk=pk)

    @extend_schema(
        tags=TAGS,
        auth=PEOPLE_ONLY_AUTH,
        summary="Read a channel",
        responses={200: ChannelSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request, pk: int):
        return Response(ChannelSerializer(self._channel(pk)).data)

    def _update(self, request, pk: int):
        channel = self._channel(pk)
        given = ChannelUpdateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        channel = _call(
            services.channel_update,
            actor=request.user,
            channel=channel,
            name=data.get("name"),
            config=data.get("config"),
            secret=data.get("secret") or None,
            enabled=data.get("enabled"),
        )
        return Response(ChannelSerializer(channel).data)

    @people_write_schema(
        tags=TAGS,
        summary="Change a channel",
        description="Fields left out keep their value; a given `secret` replaces the stored one.",
        request=ChannelUpdateSerializer,
        responses={200: ChannelSerializer},
        errors=(400, 401, 403, 404),
        idempotency_key=False,
    )
    def patch(self, request, pk: int):
        return self._update(request, pk)

    @people_write_schema(
        tags=TAGS,
        summary="Change a channel",
        description="The same as PATCH: fields left out keep their value.",
        request=ChannelUpdateSerializer,
        responses={200: ChannelSerializer},
        errors=(400, 401, 403, 404),
        idempotency_key=False,
    )
    def put(self, request, pk: int):
        return self._update(request, pk)

    @people_write_schema(
        tags=TAGS,
        summary="Disable a channel",
        description="Channels are disabled, not deleted: their outbox history stays.",
        responses={200: ChannelSerializer},
        errors=(401, 403, 404),
        idempotency_key=False,
    )
    def delete(self, request, pk: int):
        channel = services.channel_disable(actor=request.user, channel=self._channel(pk))
        return Response(ChannelSerializer(channel).data)


class ChannelTestView(GenericAPIView):
    """Queue a test message to a channel."""

    action_rules = {"post": MANAGE_CHANNEL}
    serializer_class = OutboxMessageSerializer

    @people_write_schema(
        tags=TAGS,
        summary="Send a test message to a channel",
        description="Answers with the queued outbox message; its id is the delivery id.",
        request=None,
        responses={202: OutboxMessageSerializer},
        errors=(400, 401, 403, 404, 422),
    )
    @idempotent
    def post(self, request, pk: int):
        channel = get_object_or_404(selectors.channel_list(user=request.user), pk=pk)
        message = _call(services.channel_send_test, actor=request.user, channel=channel)
        return Response(OutboxMessageSerializer(message).data, status=status.HTTP_202_ACCEPTED)


class OutboxListView(GenericAPIView):
    """The outbox, newest first; filter with ?status=pending|sending|delivered|dead."""

    action_rules = {"get": VIEW_OUTBOX}
    serializer_class = OutboxMessageSerializer

    def get_queryset(self):
        status_filter = self.request.query_params.get("status") or None
        return selectors.outbox_list(user=self.request.user, status=status_filter)

    @extend_schema(
        tags=TAGS,
        auth=PEOPLE_ONLY_AUTH,
        summary="List outbox messages",
        operation_id="notify_outbox_list",
        parameters=[
            OpenApiParameter("status", str, enum=OutboxStatus.values, required=False),
        ],
        responses={
            200: paginated(OutboxMessageSerializer, "OutboxMessagePage"),
            **error_responses(400, 401, 403),
        },
    )
    def get(self, request):
        status_filter = request.query_params.get("status")
        if status_filter and status_filter not in OutboxStatus.values:
            raise as_api_errors(
                DjangoValidationError(
                    {
                        "status": [
                            _("Choose one of: %(values)s.")
                            % {"values": ", ".join(OutboxStatus.values)}
                        ]
                    }
                )
            )
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(OutboxMessageSerializer(page, many=True).data)


class OutboxRetryView(GenericAPIView):
    """Put a dead letter back in the queue."""

    action_rules = {"post": MANAGE_CHANNEL}
    serializer_class = OutboxMessageSerializer

    @people_write_schema(
        tags=TAGS,
        summary="Retry a dead letter",
        request=None,
        responses={202: OutboxMessageSerializer},
        errors=(400, 401, 403, 404, 422),
    )
    @idempotent
    def post(self, request, pk):
        message = get_object_or_404(selectors.outbox_list(user=request.user), pk=pk)
        message = _call(services.outbox_retry, actor=request.user, message=message)
        return Response(OutboxMessageSerializer(message).data, status=status.HTTP_202_ACCEPTED)
