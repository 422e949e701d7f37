"""Team leads edit their own team's schedules and policies (per-object grants); the grant
follows the lead; everyone else may only look."""

from __future__ import annotations

import pytest

from tests.oncall import oncall_fixtures

pytestmark = pytest.mark.django_db

two_teams = oncall_fixtures.two_teams


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
