"""Bad input is refused with a clear error naming the field, and nothing changes."""

from __future__ import annotations

import pytest

from apps.oncall.models import EscalationPolicy, LayerVersion, Override, RotationLayer

pytestmark = pytest.mark.django_db

LAYER = {
    "name": "Daily",
    "shift_kind": "daily",
    "shift_length": 1,
    "handoff_time": "09:00",
    "start_date": "2027-03-01",
}


@pytest.fixture
def setup(people, make_team, make_schedule, ops, verified_api_client):
    alice, bob, outsider = people("alice", "bob", "outsider")
    team = make_team(alice, bob)
    schedule = make_schedule(team, tz="Europe/Warsaw")
    return {
        "api": verified_api_client(ops),
        "schedule": schedule,
        "team": team,
        "alice": alice,
        "bob": bob,
        "outsider": outsider,
    }


def _post_layer(setup, **changes):
    body = {**LAYER, "participants": [setup["alice"].pk], **changes}
    return setup["api"].post(
        f"/v1/oncall/schedules/{setup['schedule'].pk}/layers/", body, format="json"
    )


def _fields(response) -> dict:
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    return error["fields"]


def test_layer_create__shift_length_zero__refused(setup):
    fields = _fields(_post_layer(setup, shift_length=0))

    assert "at least 1" in " ".join(fields["shift_length"])
    assert not RotationLayer.objects.exists() and not LayerVersion.objects.exists()


def test_layer_create__handoff_in_spring_forward_gap__refused_with_explanation(setup):
    fields = _fields(_post_layer(setup, handoff_time="02:30", start_date="2027-03-28"))

    message = " ".join(fields["handoff_time"])
    assert "02:30 does not exist on 2027-03-28 in Europe/Warsaw" in message
    assert "from 02:00 to 03:00" in message
    assert not LayerVersion.objects.exists()


def test_layer_create__handoff_in_fall_back_hour__accepted_first_occurrence(setup):
    response = _post_layer(setup, handoff_time="02:30", start_date="2027-10-31")

    assert response.status_code == 201, response.content


def test_layer_create__participant_not_on_team__refused_naming_them(setup):
    fields = _fields(_post_layer(setup, participants=[setup["alice"].pk, setup["outsider"].pk]))

    assert "outsider" in " ".join(fields["participants"])
    assert not LayerVersion.objects.exists()


def test_layer_create__unknown_timezone_on_schedule__refused(setup):
    response = setup["api"].post(
        "/v1/oncall/schedules/",
        {"team": setup["team"].slug, "kind": "backup", "timezone": "Mars/Olympus"},
        format="json",
    )

    assert "IANA" in " ".join(_fields(response)["timezone"])


def test_override_create__ends_before_it_starts__refused(setup):
    response = setup["api"].post(
        f"/v1/oncall/schedules/{setup['schedule'].pk}/overrides/",
        {
            "user": setup["bob"].pk,
            "start": "2027-05-10T17:00:00+02:00",
            "end": "2027-05-10T13:00:00+02:00",
        },
        format="json",
    )

    assert "must end after it starts" in " ".join(_fields(response)["end"])
    assert not Override.objects.exists()


def test_override_create__person_not_on_team__refused(setup):
    response = setup["api"].post(
        f"/v1/oncall/schedules/{setup['schedule'].pk}/overrides/",
        {
            "user": setup["outsider"].pk,
            "start": "2027-05-10T13:00:00+02:00",
            "end": "2027-05-10T17:00:00+02:00",
        },
        format="json",
    )

    assert "not on team" in " ".join(_fields(response)["user"])


@pytest.mark.parametrize("minutes", [0, 1441, -5])
def test_policy_create__wait_zero_or_over_24h__refused(setup, minutes):
    response = setup["api"].post(
        "/v1/escalation-policies/",
        {
            "team": setup["team"].slug,
            "name": "Bad waits",
            "steps": [
                {"kind": "notify_user", "user": setup["alice"].pk},
                {"kind": "wait", "wait_minutes": minutes},
                {"kind": "notify_team_lead"},
            ],
        },
        format="json",
    )

    message = " ".join(_fields(response)["steps"])
    assert "Step 2" in message and "1440" in message
    assert not EscalationPolicy.objects.filter(name="Bad waits").exists()


def test_policy_create__repeat_pointing_forward__refused(setup):
    response = setup["api"].post(
        "/v1/escalation-policies/",
        {
            "team": setup["team"].slug,
            "name": "Loop",
            "steps": [
                {"kind": "notify_user", "user": setup["alice"].pk},
                {"kind": "repeat", "repeat_from": 2, "repeat_times": 2},
            ],
        },
        format="json",
    )

    assert "earlier step" in " ".join(_fields(response)["steps"])


def test_layer_form_page__shift_length_zero__form_error_shown(setup, ops, verified_client):
    client = verified_client(ops)

    response = client.post(
        f"/warroom/schedules/{setup['schedule'].pk}/layers/new",
        {
            **LAYER,
            "priority": 1,
            "shift_length": 0,
            "days_of_week": [0, 1, 2, 3, 4, 5, 6],
            "participants": "alice",
        },
    )

    assert response.status_code == 400
    assert "at least 1" in response.content.decode()
    assert not LayerVersion.objects.exists()
