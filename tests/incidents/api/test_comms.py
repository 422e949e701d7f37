"""Status updates under /v1/incidents/."""

from __future__ import annotations

import pytest

from apps.accounts.roles import FINANCE
from apps.incidents.models import StatusUpdate, TimelineEntry
from apps.notify.models import OutboxMessage
from tests.factories import UserFactory
from tests.incidents.comms_helpers import declared, email_channel
from tests.incidents.factories import commander

pytestmark = pytest.mark.django_db


@pytest.fixture
def ic():
    return commander(username="ic-api-comms")


def _url(incident):
    return f"/v1/incidents/{incident.number}/updates"


def test_post__russian_update_from_template__201_and_listed(ic, verified_api_client):
    api = verified_api_client(ic)
    incident = declared(actor=ic, title="Вывод средств задерживается")
    channel = email_channel()
    body = {
        "audience": "partners",
        "language": "ru",
        "template": "update",
        "message": "Очередь выплат разбирается.",
        "channels": [channel.name],
        "next_update_in_minutes": 30,
    }
    response = api.post(_url(incident), body, format="json", HTTP_IDEMPOTENCY_KEY="upd-1")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["template"] == "update" and data["language"] == "ru"
    assert "Вывод средств задерживается" in data["subject"]
    assert "Очередь выплат разбирается." in data["body"]
    # A retry with the same key replays the answer and sends nothing again.
    again = api.post(_url(incident), body, format="json", HTTP_IDEMPOTENCY_KEY="upd-1")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert StatusUpdate.objects.count() == 1
    assert OutboxMessage.objects.filter(event="incident.status_update").count() == 1
    listing = api.get(_url(incident)).json()
    assert listing["count"] == 1 and listing["results"][0]["id"] == data["id"]


@pytest.mark.parametrize(
    "body, field, named",
    [
        ({"subject": "s", "body": "ETA {eta}"}, "body", "{eta}"),
        ({"subject": "{incident.__class__}", "body": "b"}, "subject", "{incident.__class__}"),
        ({"template": "nope"}, "template", "nope"),
        ({"subject": "s", "body": "b", "channels": ["missing"]}, "channels", "missing"),
        ({"subject": "s", "body": "{commander}", "audience": "public"}, "body", "{commander}"),
        ({"subject": "s", "body": "b", "audience": "everyone"}, "audience", ""),
        ({"subject": "s", "body": "b", "next_update_in_minutes": -1}, "next_update_in_minutes", ""),
        ({"subject": "s", "body": "b", "next_update_in_minutes": 0}, "next_update_in_minutes", ""),
        ({"subject": "s", "body": "b", "channels": "ops"}, "channels", ""),
    ],
)
def test_post__bad_input__400_names_field_and_nothing_written(
    ic, verified_api_client, body, field, named
):
    api = verified_api_client(ic)
    incident = declared(actor=ic)
    before = TimelineEntry.objects.count()
    response = api.post(
        _url(incident), {"audience": "internal", "language": "en", **body}, format="json"
    )
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert field in error["fields"]
    assert named in " ".join(str(message) for message in error["fields"][field])
    assert not StatusUpdate.objects.exists()
    assert TimelineEntry.objects.count() == before


def test_post__not_running_it__403_and_unknown_incident_404(verified_api_client):
    incident = declared()
    api = verified_api_client(UserFactory(roles=[FINANCE]))
    body = {"audience": "internal", "language": "en", "subject": "s", "body": "b"}
    assert api.post(_url(incident), body, format="json").status_code == 403
    assert api.get(_url(incident)).status_code == 200
    assert api.get("/v1/incidents/INC-1999-0009/updates").status_code == 404


def test_templates__filtered_list(verified_api_client):
    api = verified_api_client(UserFactory(roles=[FINANCE]))
    data = api.get(
        "/v1/incidents/status-templates", {"key": "webhooks_degraded", "language": "ru"}
    ).json()
    assert data["count"] == 1
    only = data["results"][0]
    assert only["audience"] == "partners" and "replay" in only["body"]
    assert "started_at" in only["placeholders"]
    bad = api.get("/v1/incidents/status-templates", {"language": "fr"})
    assert bad.status_code == 400 and "language" in bad.json()["error"]["fields"]


def test_token__reads_with_incidents_read_and_never_sends(ic, token_client):
    incident = declared(actor=ic)
    reader, _token = token_client(scopes=["incidents:read"])
    assert reader.get(_url(incident)).status_code == 200
    assert reader.get("/v1/incidents/status-templates").json()["count"] == 30
    body = {"audience": "internal", "language": "en", "subject": "s", "body": "b"}
    writer, _token = token_client(scopes=["incidents:write"])
    assert writer.post(_url(incident), body, format="json").status_code == 403
    assert not StatusUpdate.objects.exists()
