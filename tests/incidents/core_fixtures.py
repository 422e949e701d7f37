"""Fixtures of the incident core tests: a team to page with a one-step policy."""

from __future__ import annotations

import pytest

from apps.oncall import services as oncall
from tests.factories import UserFactory, verified_contact_method


@pytest.fixture
def paging_team(db):
    """A team whose first policy notifies its lead: ``{"team", "policy", "lead"}``."""
    ops = UserFactory(roles=["ops"])
    lead = UserFactory(roles=["ops"])
    verified_contact_method(lead, target=f"{lead.username}@example.test")
    team = oncall.team_create(actor=ops, name="Payments on call", slug="payments-oncall")
    oncall.team_member_add(actor=ops, team=team, user=lead)
    oncall.team_set_lead(actor=ops, team=team, lead=lead)
    policy = oncall.policy_create(
        actor=ops,
        team=team,
        name="Lead first",
        steps=[{"kind": "notify_user", "user": lead.pk, "label": "L1"}],
    )
    return {"team": team, "policy": policy, "lead": lead}
