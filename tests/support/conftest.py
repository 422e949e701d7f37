"""Fixtures of the support tests: the networks of the seed configuration and people."""

from __future__ import annotations

import pytest

from tests.support.factories import ensure_networks


@pytest.fixture(autouse=True)
def networks(db):
    ensure_networks()


@pytest.fixture
def agent(make_user):
    return make_user("support", username="agent-sari")


@pytest.fixture
def agent_client(agent, verified_client):
    return verified_client(agent)


@pytest.fixture
def agent_api(agent, verified_api_client):
    return verified_api_client(agent)


@pytest.fixture
def ingest_api(token_client):
    api, _token = token_client(scopes=["support:ingest"])
    return api


@pytest.fixture(autouse=True)
def _fresh_flags_snapshot():
    """Each test starts from its own flag states: a snapshot cached by an earlier test can
    carry the same version string once that test's rows were rolled back."""
    from apps.flags import evaluation

    evaluation.reset()
    yield
    evaluation.reset()
