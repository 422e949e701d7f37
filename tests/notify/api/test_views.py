"""/v1/notify/: channels, test sends, the outbox and retries, through the API client."""

import json

import pytest

from apps.audit.models import AuditEvent
from apps.notify import services
from apps.notify.models import Channel, OutboxMessage, OutboxStatus
from tests.notify.conftest import WEBHOOK_SECRET

pytestmark = pytest.mark.django_db

CHANNELS = "/v1/notify/channels/"
OUTBOX = "/v1/notify/outbox/"


def _webhook_body(**overrides):
    body = {
        "name": "Indexer hook",
        "kind": "webhook",
        "config": {"url": "https://indexer.example.test/hook"},
        "secret": WEBHOOK_SECRET,
    }
    body.update(overrides)
    return body


@pytest.fixture
def channel(make_channel):
    return make_channel(config={"url": "https://a.example.test/h"}, secret=WEBHOOK_SECRET)


@pytest.fixture
def dead_letter(channel, settings):
    settings.NOTIFY_MAX_ATTEMPTS = 1
    services.channel_update(
        actor=channel.created_by, channel=channel, config={"url": "http://127.0.0.1:9/"}
    )
    message = services.notification_enqueue(channel=channel, subject="Payout stuck", body="b")
    services.outbox_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == OutboxStatus.DEAD
    return message


# --- role x endpoint matrix -------------------------------------------------------------


ROLES = ["super_admin", "ops", "finance", "reviewer", "support", "incident_commander"]
MATRIX = {
    # (method, path kind): roles allowed
    ("get", "channels"): {"super_admin", "ops", "finance", "incident_commander"},
    ("post", "channels"): {"super_admin", "ops"},
    ("get", "channel"): {"super_admin", "ops", "finance", "incident_commander"},
    ("patch", "channel"): {"super_admin", "ops"},
    ("delete", "channel"): {"super_admin", "ops"},
    ("post", "test"): {"super_admin", "ops"},
    ("get", "outbox"): {"super_admin", "ops", "incident_commander"},
    ("post", "retry"): {"super_admin", "ops"},
}


def _call(api, method, target, channel, dead_letter):
    paths = {
        "channels": CHANNELS,
        "channel": f"{CHANNELS}{channel.pk}/",
        "test": f"{CHANNELS}{channel.pk}/test",
        "outbox": OUTBOX,
        "retry": f"{OUTBOX}{dead_letter.pk}/retry",
    }
    body = {"channels": _webhook_body(), "channel": {"name": "Renamed"}}.get(target)
    return getattr(api, method)(paths[target], body, format="json")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "target"), list(MATRIX))
def test_matrix__role_by_endpoint__allowed_or_403(
    make_user, verified_api_client, channel, dead_letter, role, method, target
):
    api = verified_api_client(make_user(role))

    response = _call(api, method, target, channel, dead_letter)

    if role in MATRIX[(method, target)]:
        assert response.status_code in {200, 201, 202}, response.content
    else:
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "permission_denied"


@pytest.mark.parametrize(("method", "target"), list(MATRIX))
def test_matrix__service_token__refused(token_client, channel, dead_letter, method, target):
    api, _token = token_client(scopes=["flags:read", "alerts:write", "config:read"])

    response = _call(api, method, target, channel, dead_letter)

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "token_not_allowed"


@pytest.mark.parametrize(("method", "target"), list(MATRIX))
def test_matrix__anonymous__refused(api_client, channel, dead_letter, method, target):
    response = _call(api_client, method, target, channel, dead_letter)
    assert response.status_code in {401, 403}


# --- channels -----------------------------------------------------------------------------


def test_channel_create__ops__secret_write_only(make_user, verified_api_client):
    api = verified_api_client(make_user("ops"))

    response = api.post(CHANNELS, _webhook_body(), format="json")

    assert response.status_code == 201
    document = response.json()
    assert document["secret_set"] is True
    assert "secret" not in document
    assert WEBHOOK_SECRET not in response.content.decode()
    channel = Channel.objects.get(pk=document["id"])
    assert channel.secret == WEBHOOK_SECRET
    assert AuditEvent.objects.filter(name="notify.channel_created").count() == 1
    listing = api.get(CHANNELS).content.decode()
    assert WEBHOOK_SECRET not in listing
    assert WEBHOOK_SECRET not in api.get(f"{CHANNELS}{channel.pk}/").content.decode()


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        (_webhook_body(kind="sms"), {"kind"}),
        (_webhook_body(config={"url": "not a url"}), {"config"}),
        (_webhook_body(secret=""), {"secret"}),
        (_webhook_body(config=["x"]), {"config"}),
        (_webhook_body(name=""), {"name"}),
        ({"kind": "email", "name": "m", "config": {"recipients": []}}, {"config"}),
    ],
)
def test_channel_create__bad_input__field_errors_nothing_written(
    make_user, verified_api_client, body, fields
):
    api = verified_api_client(make_user("ops"))

    response = api.post(CHANNELS, body, format="json")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert fields <= set(error["fields"])
    assert not Channel.objects.exists()


def test_channel_create__invalid_url__error_names_config_url(make_user, verified_api_client):
    api = verified_api_client(make_user("ops"))

    response = api.post(CHANNELS, _webhook_body(config={"url": "nope"}), format="json")

    assert "url" in response.json()["error"]["fields"]["config"]


def test_channel_create__idempotency_key_replayed__one_channel(make_user, verified_api_client):
    api = verified_api_client(make_user("ops"))

    first = api.post(CHANNELS, _webhook_body(), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    second = api.post(CHANNELS, _webhook_body(), format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    assert first.status_code == second.status_code == 201
    assert second["Idempotent-Replayed"] == "true"
    assert first.json() == second.json()
    assert Channel.objects.count() == 1


def test_channel_patch__new_secret__replaced_not_returned(make_user, verified_api_client, channel):
    api = verified_api_client(make_user("ops"))

    response = api.patch(
        f"{CHANNELS}{channel.pk}/", {"secret": "rotated-secret-value-99"}, format="json"
    )

    assert response.status_code == 200
    assert "rotated-secret-value-99" not in response.content.decode()
    channel.refresh_from_db()
    assert channel.secret == "rotated-secret-value-99"


def test_channel_patch__bad_url__nothing_changed(make_user, verified_api_client, channel):
    api = verified_api_client(make_user("ops"))

    response = api.patch(f"{CHANNELS}{channel.pk}/", {"config": {"url": "x"}}, format="json")

    assert response.status_code == 400
    channel.refresh_from_db()
    assert channel.config == {"url": "https://a.example.test/h"}


def test_channel_delete__ops__disabled_not_deleted(make_user, verified_api_client, channel):
    api = verified_api_client(make_user("ops"))

    response = api.delete(f"{CHANNELS}{channel.pk}/")

    assert response.status_code == 200
    assert response.json()["enabled"] is False
    channel.refresh_from_db()
    assert channel.enabled is False


def test_channel_test__ops__202_with_queued_message(make_user, verified_api_client, channel):
    api = verified_api_client(make_user("ops"))

    response = api.post(f"{CHANNELS}{channel.pk}/test", format="json")

    assert response.status_code == 202
    message = OutboxMessage.objects.get(pk=response.json()["id"])
    assert (message.channel, message.event, message.status) == (channel, "notify.test", "pending")
    assert AuditEvent.objects.filter(name="notify.test_sent", target_id=str(channel.pk)).exists()


def test_channel_test__disabled_channel__400(make_user, verified_api_client, channel):
    services.channel_disable(actor=channel.created_by, channel=channel)
    api = verified_api_client(make_user("ops"))

    response = api.post(f"{CHANNELS}{channel.pk}/test", format="json")

    assert response.status_code == 400
    assert not OutboxMessage.objects.exists()


def test_channel__unknown_id__404(make_user, verified_api_client):
    api = verified_api_client(make_user("ops"))
    assert api.get(f"{CHANNELS}999/").status_code == 404


# --- outbox -------------------------------------------------------------------------------


def test_outbox_list__status_filter__only_dead(
    make_user, verified_api_client, dead_letter, channel
):
    services.notification_enqueue(channel=channel, subject="waiting", body="b")
    api = verified_api_client(make_user("incident_commander"))

    response = api.get(OUTBOX, {"status": "dead"})

    results = response.json()["results"]
    assert [r["id"] for r in results] == [str(dead_letter.pk)]
    assert results[0]["last_error"] == "destination refused or unreachable"


def test_outbox_list__unknown_status__400(make_user, verified_api_client):
    api = verified_api_client(make_user("ops"))

    response = api.get(OUTBOX, {"status": "lost"})

    assert response.status_code == 400
    assert "status" in response.json()["error"]["fields"]


def test_outbox_retry__dead_letter__pending_again(make_user, verified_api_client, dead_letter):
    api = verified_api_client(make_user("ops"))

    response = api.post(f"{OUTBOX}{dead_letter.pk}/retry", format="json")

    assert response.status_code == 202
    dead_letter.refresh_from_db()
    assert dead_letter.status == OutboxStatus.PENDING
    assert AuditEvent.objects.filter(name="notify.outbox_retried").exists()


def test_outbox_retry__not_dead__400_unchanged(make_user, verified_api_client, channel):
    message = services.notification_enqueue(channel=channel, subject="s", body="b")
    api = verified_api_client(make_user("ops"))

    response = api.post(f"{OUTBOX}{message.pk}/retry", format="json")

    assert response.status_code == 400
    assert "status" in response.json()["error"]["fields"]
    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING


def test_schema__notify_endpoints__documented(api_client):
    response = api_client.get("/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    text = response.content.decode()
    schema = json.loads(text) if text.lstrip().startswith("{") else None
    for path in [
        "/v1/notify/channels/",
        "/v1/notify/channels/{id}/",
        "/v1/notify/channels/{id}/test",
        "/v1/notify/outbox/",
        "/v1/notify/outbox/{id}/retry",
    ]:
        assert path in (schema["paths"] if schema else text)
