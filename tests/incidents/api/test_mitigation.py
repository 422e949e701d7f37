"""Mitigation API: switches an incident holds, blocking one, resolving with decisions."""

from __future__ import annotations

import pytest

from apps.accounts.roles import INCIDENT_COMMANDER, OPS, SUPER_ADMIN
from apps.approvals.models import ChangeRequest
from apps.flags.models import FlagState
from apps.incidents.models import EntryKind, Status, TimelineEntry
from tests.factories import UserFactory
from tests.incidents.factories import declare
from tests.incidents.mitigation_helpers import block_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def commander():
    return UserFactory(roles=[INCIDENT_COMMANDER])


@pytest.fixture
def incident(commander):
    return declare(actor=commander, title="Withdrawals delayed on Tron")


def _switches(number):
    return f"/v1/incidents/{number}/switches"


def _counts():
    return (
        FlagState.objects.count(),
        TimelineEntry.objects.count(),
        ChangeRequest.objects.count(),
    )


def test_switches__lists_what_the_incident_holds(incident, commander, verified_api_client):
    state = block_for(incident, commander)
    response = verified_api_client(UserFactory(roles=["reviewer"])).get(_switches(incident.number))
    assert response.status_code == 200
    body = response.json()
    assert body["incident"] == incident.number
    (switch,) = body["switches"]
    assert switch["switch"] == state.pk
    assert switch["label"] == "payout (network=tron)"
    assert switch["fund_related"] is True
    assert switch["state"]["incident_ref"] == incident.number
    assert switch["pending_request"] is None


def test_switches__unknown_incident_404(verified_api_client, commander):
    response = verified_api_client(commander).get(_switches("INC-1999-0001"))
    assert response.status_code == 404


def test_block__201_with_the_incident_linked_and_on_the_timeline(
    incident, commander, verified_api_client, django_capture_on_commit_callbacks
):
    api = verified_api_client(commander)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            f"{_switches(incident.number)}/block",
            {"flag": "payout", "scope": {"network": "tron"}, "reason": "stuck"},
            format="json",
        )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"]["incident_ref"] == incident.number
    assert body["state"]["scope_value"] == "tron"
    assert incident.timeline.filter(kind=EntryKind.FLAG).count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"flag": "payout", "scope": {"user": "u-1"}, "reason": "x"}, "scope"),
        ({"flag": "nope", "reason": "x"}, "flag"),
        ({"flag": "payout", "scope": {"network": "tron"}}, "reason"),
        ({"flag": "payout", "scope": "tron", "reason": "x"}, "scope"),
        ({"flag": 5, "reason": "x"}, "flag"),
    ],
    ids=["scope-not-accepted", "unknown-flag", "no-reason", "malformed-scope", "wrong-type"],
)
def test_block__bad_input_400_with_the_field_and_nothing_written(
    incident, commander, verified_api_client, body, field
):
    before = _counts()
    response = verified_api_client(commander).post(
        f"{_switches(incident.number)}/block", body, format="json"
    )
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
    assert _counts() == before


def test_block__already_blocked_400_and_closed_incident_409(
    incident, commander, verified_api_client
):
    from apps.incidents.services.lifecycle import incident_set_status

    api = verified_api_client(commander)
    block_for(incident, commander)
    body = {"flag": "payout", "scope": {"network": "tron"}, "reason": "again"}
    response = api.post(f"{_switches(incident.number)}/block", body, format="json")
    assert response.status_code == 400
    assert "state" in response.json()["error"]["fields"]
    other = declare(actor=commander, severity="S3")
    incident_set_status(actor=commander, incident=other, status=Status.RESOLVED)
    incident_set_status(actor=commander, incident=other, status=Status.CLOSED)
    response = api.post(f"{_switches(other.number)}/block", body, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "incident_not_open"


def test_block__refused_without_the_flags_permission(incident, verified_api_client):
    api = verified_api_client(UserFactory(roles=["finance"]))
    response = api.post(
        f"{_switches(incident.number)}/block", {"flag": "payout", "reason": "x"}, format="json"
    )
    assert response.status_code == 403
    assert not FlagState.objects.exists()


# --- resolve -------------------------------------------------------------------------------


def _resolve(api, number, decisions, note=""):
    return api.post(
        f"/v1/incidents/{number}/resolve", {"decisions": decisions, "note": note}, format="json"
    )


@pytest.mark.parametrize(
    ("decisions", "expected"),
    [
        ([], "payout (network=tron) is still blocked"),
        ([{"switch": "STATE", "action": "keep"}], "payout (network=tron): say why"),
        ([{"switch": 999999, "action": "keep", "reason": "x"}], "Switch 999999"),
    ],
    ids=["no-choice", "keep-without-reason", "unknown-switch"],
)
def test_resolve__bad_decisions_400_naming_the_switch_and_nothing_written(
    incident, commander, verified_api_client, decisions, expected
):
    state = block_for(incident, commander)
    decisions = [
        {**item, "switch": state.pk if item["switch"] == "STATE" else item["switch"]}
        for item in decisions
    ]
    before = _counts()
    response = _resolve(verified_api_client(commander), incident.number, decisions)
    assert response.status_code == 400, response.content
    assert expected in " ".join(response.json()["error"]["fields"]["decisions"])
    assert _counts() == before
    incident.refresh_from_db()
    assert incident.status == Status.INVESTIGATING


@pytest.mark.parametrize(
    "decisions",
    [
        [{"switch": 1, "action": "destroy"}],
        [{"switch": "one", "action": "keep"}],
        "keep",
        [{"action": "keep"}],
    ],
    ids=["bad-action", "bad-switch", "not-a-list", "no-switch"],
)
def test_resolve__malformed_body_400(incident, commander, verified_api_client, decisions):
    block_for(incident, commander)
    before = _counts()
    response = _resolve(verified_api_client(commander), incident.number, decisions)
    assert response.status_code == 400
    assert "decisions" in response.json()["error"]["fields"]
    assert _counts() == before


def test_resolve__keep_and_fund_unblock(verified_api_client, django_capture_on_commit_callbacks):
    requester = UserFactory(roles=[SUPER_ADMIN])
    UserFactory(roles=[SUPER_ADMIN])
    incident = declare(actor=requester)
    payout = block_for(incident, requester)
    refund = block_for(incident, requester, key="refund")
    with django_capture_on_commit_callbacks(execute=True):
        response = _resolve(
            verified_api_client(requester),
            incident.number,
            [
                {"switch": payout.pk, "action": "unblock", "reason": "node healthy"},
                {"switch": refund.pk, "action": "keep", "reason": "refunds reconciling"},
            ],
            note="Tron node replaced",
        )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "resolved"
    outcomes = {item["switch"]: item for item in body["switches"]}
    assert outcomes[refund.pk]["outcome"] == "kept"
    assert outcomes[payout.pk]["outcome"] == "unblock_requested"
    change_request = ChangeRequest.objects.get()
    assert outcomes[payout.pk]["change_request"]["id"] == change_request.pk
    assert incident.timeline.filter(kind=EntryKind.CHANGE_REQUEST).count() == 1


def test_resolve__403_for_who_does_not_run_the_incident(incident, verified_api_client):
    response = _resolve(verified_api_client(UserFactory(roles=[OPS])), incident.number, [])
    assert response.status_code == 403
    incident.refresh_from_db()
    assert incident.status == Status.INVESTIGATING
