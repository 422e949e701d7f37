"""Subscribers get one signed webhook per flag change, and the incidents signal fires."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.flags import services
from apps.flags.models import FlagState
from apps.flags.signals import flag_state_changed
from apps.notify.models import OutboxMessage, OutboxStatus
from apps.notify.services import outbox_deliver
from apps.notify.transports import SIGNATURE_HEADER, verify_signature
from tests.flags.conftest import WEBHOOK_SECRET, approve


def deliver_all() -> None:
    for message_id in OutboxMessage.objects.filter(status=OutboxStatus.PENDING).values_list(
        "pk", flat=True
    ):
        outbox_deliver(message_id=message_id)


@pytest.fixture
def receiver(people, make_receiver, webhook_channel):
    receiver = make_receiver()
    channel = webhook_channel(receiver)
    services.flag_subscription_create(actor=people["admin"], channel=channel)
    return receiver


def test_webhook__one_signed_event_per_change_with_before_and_after(people, receiver):
    blocked = services.flag_state_set(
        actor=people["ops"],
        flag="contribute",
        state="blocked",
        scope_kind="round",
        scope_value="42",
        reason="Oracle stale",
        incident_ref="INC-42",
    ).state
    filed = services.flag_state_set(
        actor=people["ops"],
        flag="contribute",
        state="allowed",
        scope_kind="round",
        scope_value="42",
        reason="Oracle fixed",
        incident_ref="INC-42",
    )
    deliver_all()
    assert len(receiver.requests) == 1  # the request filed changes nothing: no event yet
    approve(filed.change_request, people["admin"])
    deliver_all()

    assert len(receiver.accepted) == 2
    first, second = (r.json() for r in receiver.accepted)
    for request in receiver.accepted:
        assert verify_signature(WEBHOOK_SECRET, request.headers[SIGNATURE_HEADER], request.body)
        assert request.headers["X-OpsPortal-Event"] == "flag.state_changed"

    assert first["event"] == "flag.state_changed"
    payload = first["payload"]
    assert payload["flag"] == "contribute" and payload["fund_related"] is True
    assert payload["scope"] == {"kind": "round", "value": "42"}
    assert payload["before"] == {"state": "allowed", "default": True, "state_id": None}
    assert payload["after"]["state"] == "blocked" and payload["after"]["state_id"] == blocked.pk
    assert payload["actor"]["username"] == "fl-ops"
    assert (payload["reason"], payload["incident"]) == ("Oracle stale", "INC-42")
    assert payload["approved_by"] is None

    payload = second["payload"]
    assert payload["before"]["state_id"] == blocked.pk
    assert payload["after"]["state"] == "allowed"
    assert payload["source"] == "approval"
    assert payload["change_request"] == filed.change_request.pk
    assert payload["actor"]["username"] == "fl-ops"
    assert payload["approved_by"]["username"] == "fl-admin"


def test_webhook__subscription_for_other_flags__gets_nothing(
    people, make_receiver, webhook_channel
):
    receiver = make_receiver()
    channel = webhook_channel(receiver)
    services.flag_subscription_create(actor=people["admin"], channel=channel, flag_keys=["payout"])
    services.flag_state_set(actor=people["ops"], flag="feed.post", state="blocked", reason="spam")
    assert not OutboxMessage.objects.exists()


def test_subscription__rules(people, make_channel):
    channel = make_channel(
        kind="webhook", config={"url": "http://127.0.0.1:9/h"}, secret=WEBHOOK_SECRET
    )
    with pytest.raises(PermissionDenied):
        services.flag_subscription_create(actor=people["support"], channel=channel)
    with pytest.raises(ValidationError) as unknown:
        services.flag_subscription_create(actor=people["ops"], channel=channel, flag_keys=["nope"])
    assert "flag_keys" in unknown.value.error_dict
    subscription = services.flag_subscription_create(actor=people["ops"], channel=channel)
    services.flag_subscription_set_enabled(
        actor=people["ops"], subscription=subscription, enabled=False
    )
    services.flag_state_set(actor=people["ops"], flag="feed.post", state="blocked", reason="spam")
    assert not OutboxMessage.objects.exists()


def test_signal__sent_after_commit_with_state_and_previous(
    people, django_capture_on_commit_callbacks
):
    received = []

    def receiver(sender, state, previous, actor, **kwargs):
        received.append((sender, state, previous, actor))

    flag_state_changed.connect(receiver, weak=False, dispatch_uid="tests.flags.signal")
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            first = services.flag_state_set(
                actor=people["ops"],
                flag="feed.post",
                state="blocked",
                reason="spam",
                incident_ref="INC-3",
            ).state
        assert received == []  # not before the commit
        for callback in callbacks:
            callback()
        with django_capture_on_commit_callbacks(execute=True):
            second = services.flag_state_set(
                actor=people["ops"], flag="feed.post", state="allowed", reason="calm"
            ).state
    finally:
        flag_state_changed.disconnect(dispatch_uid="tests.flags.signal")
    assert received == [
        (FlagState, first, None, people["ops"]),
        (FlagState, second, first, people["ops"]),
    ]
