"""Team leads edit their own team's schedules and policies (per-object grants); the grant
follows the lead; everyone else may only look."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.oncall import services
from apps.oncall.models import Override

pytestmark = pytest.mark.django_db


def _override(api, schedule, user):
    start = timezone.now() + timedelta(days=1)
    return api.post(
        f"/v1/oncall/schedules/{schedule.pk}/overrides/",
        {
            "user": user.pk,
            "start": start.isoformat(),
            "end": (start + timedelta(hours=2)).isoformat(),
        },
        format="json",
    )


@pytest.fixture
def two_teams(people, make_team, make_schedule):
    lead, member, other_lead = people("lead", "member", "other-lead", role="finance")
    mine = make_team(lead, member, lead=lead)
    theirs = make_team(other_lead, lead=other_lead)
    return {
        "lead": lead,
        "member": member,
        "other_lead": other_lead,
        "mine": make_schedule(mine),
        "theirs": make_schedule(theirs),
        "team": mine,
    }


def test_override__team_lead_on_own_schedule__allowed(two_teams, verified_api_client):
    response = _override(
        verified_api_client(two_teams["lead"]), two_teams["mine"], two_teams["member"]
    )

    assert response.status_code == 201, response.content
    assert Override.objects.get().created_by == two_teams["lead"]


def test_override__team_lead_on_other_teams_schedule__refused(two_teams, verified_api_client):
    response = _override(
        verified_api_client(two_teams["lead"]), two_teams["theirs"], two_teams["other_lead"]
    )

    assert response.status_code == 403
    assert not Override.objects.exists()


def test_override__plain_member__refused(two_teams, verified_api_client):
    response = _override(
        verified_api_client(two_teams["member"]), two_teams["mine"], two_teams["member"]
    )

    assert response.status_code == 403


def test_override__lead_replaced__old_lead_loses_the_grant(two_teams, ops, verified_api_client):
    services.team_set_lead(actor=ops, team=two_teams["team"], lead=two_teams["member"])

    old = _override(verified_api_client(two_teams["lead"]), two_teams["mine"], two_teams["member"])
    new = _override(verified_api_client(two_teams["member"]), two_teams["mine"], two_teams["lead"])

    assert old.status_code == 403
    assert new.status_code == 201, new.content


def test_schedule_page__member__sees_no_edit_controls_lead_does(two_teams, verified_client, client):
    from tests.conftest import verify_session

    lead_html = verified_client(two_teams["lead"]).get(
        f"/warroom/schedules/{two_teams['mine'].pk}/"
    )
    verify_session(client, two_teams["member"])
    member_html = client.get(f"/warroom/schedules/{two_teams['mine'].pk}/")

    assert "Add a layer" in lead_html.content.decode()
    assert member_html.status_code == 200
    assert "Add a layer" not in member_html.content.decode()
    assert client.get(f"/warroom/schedules/{two_teams['mine'].pk}/layers/new").status_code == 403


def test_policy__lead_edits_own_teams_policy(two_teams, ops, verified_api_client):
    policy = services.policy_create(
        actor=ops, team=two_teams["team"], name="Chain", steps=[{"kind": "notify_team_lead"}]
    )

    response = verified_api_client(two_teams["lead"]).patch(
        f"/v1/escalation-policies/{policy.pk}", {"description": "ours"}, format="json"
    )

    assert response.status_code == 200, response.content
    policy.refresh_from_db()
    assert policy.description == "ours"


def test_team_member_remove__still_in_a_rotation__refused(
    two_teams, ops, make_layer, verified_api_client
):
    make_layer(two_teams["mine"], [two_teams["member"]])

    response = verified_api_client(ops).delete(
        f"/v1/teams/{two_teams['team'].slug}/members",
        {"user": two_teams["member"].pk},
        format="json",
    )

    assert response.status_code == 400
    assert "rotation" in " ".join(response.json()["error"]["fields"]["user"])
    assert two_teams["team"].is_member(two_teams["member"])
