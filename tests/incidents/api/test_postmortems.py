"""Post-mortem API: read, write (created when missing), submit, publish, action items;
bad input answers 400 with the field; the close refusal names the post-mortem."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from apps.incidents.models import ActionItem, PostMortem, PostMortemState, Status
from apps.incidents.services.lifecycle import incident_set_status
from tests.factories import UserFactory
from tests.incidents.postmortem_helpers import SECTIONS, resolved

pytestmark = pytest.mark.django_db


def _base(incident):
    return f"/v1/incidents/{incident.number}/postmortem"


def test_get__the_postmortem_with_due_time_and_items(verified_api_client):
    incident = resolved(severity="S1")
    api = verified_api_client(UserFactory(roles=["reviewer"]))
    response = api.get(_base(incident))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["incident"] == incident.number
    assert body["state"] == "draft" and body["read_only"] is False
    assert body["due_at"] and body["overdue"] is False
    assert "Declared" in body["timeline"]
    assert body["action_items"] == []


def test_full_flow__write_submit_publish__then_close(verified_api_client):
    incident = resolved(severity="S1")
    api = verified_api_client(incident.owner)

    assert api.put(_base(incident), SECTIONS, format="json").status_code == 200
    item = api.post(
        f"{_base(incident)}/action-items",
        {
            "title": "Alert on expiry",
            "owner": incident.owner.pk,
            "due_date": (date.today() + timedelta(days=5)).isoformat(),
            "link": "https://tracker.example.test/OPS-2",
        },
        format="json",
    )
    assert item.status_code == 201, item.content
    assert api.post(f"{_base(incident)}/submit").json()["state"] == "in_review"
    published = api.post(f"{_base(incident)}/publish")
    assert published.status_code == 200
    assert published.json()["read_only"] is True
    assert len(published.json()["action_items"]) == 1

    refused = api.put(_base(incident), {"summary": "rewrite"}, format="json")
    assert refused.status_code == 400
    assert "state" in refused.json()["error"]["fields"]

    done = api.patch(
        f"/v1/incidents/action-items/{item.json()['id']}", {"status": "done"}, format="json"
    )
    assert done.status_code == 200 and done.json()["status"] == "done"
    incident_set_status(actor=incident.owner, incident=incident, status=Status.CLOSED)


def test_put__creates_a_postmortem_for_an_s3(verified_api_client):
    incident = resolved(severity="S3")
    api = verified_api_client(incident.owner)
    assert api.get(_base(incident)).status_code == 404
    response = api.put(_base(incident), {"summary": "Minor glitch"}, format="json")
    assert response.status_code == 201
    assert PostMortem.objects.get(incident=incident).summary == "Minor glitch"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"summary": 5}, "summary"),
        ({"owner": 999999}, "owner"),
        ({"owner": "alice"}, "owner"),
        ({"summary": "x" * 50_001}, "summary"),
    ],
)
def test_put__bad_input__400_with_the_field(verified_api_client, body, field):
    incident = resolved()
    response = verified_api_client(incident.owner).put(_base(incident), body, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert PostMortem.objects.get(incident=incident).summary == incident.summary


@pytest.mark.parametrize(
    "change, field",
    [
        ({"link": "javascript:alert(1)"}, "link"),
        ({"due_date": "tomorrow"}, "due_date"),
        ({"status": "finished"}, "status"),
        ({"title": ""}, "title"),
    ],
)
def test_action_item__bad_input__400_with_the_field(verified_api_client, change, field):
    incident = resolved()
    api = verified_api_client(incident.owner)
    body = {
        "title": "x",
        "owner": incident.owner.pk,
        "due_date": date.today().isoformat(),
        **change,
    }
    response = api.post(f"{_base(incident)}/action-items", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not ActionItem.objects.exists()


def test_submit__empty_sections__400_names_them(verified_api_client):
    incident = resolved()
    response = verified_api_client(incident.owner).post(f"{_base(incident)}/submit")
    assert response.status_code == 400
    assert "root_cause" in response.json()["error"]["fields"]
    assert PostMortem.objects.get(incident=incident).state == PostMortemState.DRAFT


def test_writes__someone_outside_the_incident__403(verified_api_client):
    incident = resolved()
    api = verified_api_client(UserFactory(roles=["ops"]))
    assert api.put(_base(incident), {"summary": "x"}, format="json").status_code == 403
    assert api.post(f"{_base(incident)}/publish").status_code == 403


def test_return_to_draft__needs_a_reason(verified_api_client):
    incident = resolved()
    api = verified_api_client(incident.owner)
    api.put(_base(incident), SECTIONS, format="json")
    api.post(f"{_base(incident)}/submit")
    assert api.post(f"{_base(incident)}/return", {}, format="json").status_code == 400
    back = api.post(f"{_base(incident)}/return", {"reason": "More detail"}, format="json")
    assert back.status_code == 200 and back.json()["state"] == "draft"


def test_close__s1_without_published_postmortem__api_says_why(verified_api_client):
    incident = resolved(severity="S1")
    api = verified_api_client(incident.owner)
    response = api.post(f"/v1/incidents/{incident.number}/status", {"status": "closed"})
    assert response.status_code == 400
    (reason,) = response.json()["error"]["fields"]["status"]
    assert reason.startswith(
        "The post-mortem must be published before this S1 incident can close (due "
    )
    api.put(_base(incident), SECTIONS, format="json")
    api.post(f"{_base(incident)}/submit")
    api.post(f"{_base(incident)}/publish")
    closed = api.post(f"/v1/incidents/{incident.number}/status", {"status": "closed"})
    assert closed.status_code == 200, closed.content


def test_close__s3_without_postmortem__api_closes(verified_api_client):
    incident = resolved(severity="S3")
    api = verified_api_client(incident.owner)
    response = api.post(f"/v1/incidents/{incident.number}/status", {"status": "closed"})
    assert response.status_code == 200, response.content
