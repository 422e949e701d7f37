"""Mitigation pages: the switches panel, blocking from the incident, the resolution screen."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.accounts.roles import INCIDENT_COMMANDER, OPS, SUPER_ADMIN
from apps.approvals.models import ChangeRequest
from apps.flags.models import FlagState
from apps.incidents.models import EntryKind, Status, TimelineEntry
from tests.factories import UserFactory
from tests.incidents.factories import declare
from tests.incidents.mitigation_helpers import approve, block_for, flag_entries

pytestmark = pytest.mark.django_db


@pytest.fixture
def commander():
    return UserFactory(roles=[INCIDENT_COMMANDER])


@pytest.fixture
def incident(commander):
    return declare(actor=commander, title="Withdrawals delayed on Tron")


def _text(response) -> str:
    return response.content.decode()


def _block_form(**fields):
    data = {"flag": "payout", "scope_kind": "network", "scope_value": "tron", "reason": "stuck"}
    data.update(fields)
    return {f"block-{name}": value for name, value in data.items()}


# --- block from the incident ---------------------------------------------------------------


def test_block_from_the_incident__flag_state_and_timeline_entry(
    incident, commander, verified_client, django_capture_on_commit_callbacks
):
    client = verified_client(commander)
    url = reverse("incidents:switch_block", args=[incident.number])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, _block_form(next=f"/incidents/{incident.number}/switches/"))
    assert response.status_code == 302
    state = FlagState.objects.get()
    assert (state.flag.key, state.scope_label, state.incident_ref) == (
        "payout",
        "network=tron",
        incident.number,
    )
    (entry,) = flag_entries(incident)
    assert entry.data["state_id"] == state.pk and entry.actor == commander
    page = client.get(reverse("incidents:switches", args=[incident.number]))
    assert page.status_code == 200
    assert f'data-state-id="{state.pk}"' in _text(page)


def test_block_from_the_incident__bad_input_shows_field_errors_and_writes_nothing(
    incident, commander, verified_client
):
    client = verified_client(commander)
    url = reverse("incidents:switch_block", args=[incident.number])
    response = client.post(url, _block_form(scope_kind="user", scope_value="u-1", reason=""))
    assert response.status_code == 400
    form = response.context["block_form"]
    assert "reason" in form.errors
    response = client.post(url, _block_form(scope_kind="user", scope_value="u-1"))
    assert response.status_code == 400
    assert "scope_kind" in response.context["block_form"].errors
    assert not FlagState.objects.exists()
    assert not incident.timeline.filter(kind=EntryKind.FLAG).exists()


def test_block_from_the_incident__refused_without_the_flags_permission(incident, verified_client):
    client = verified_client(UserFactory(roles=["finance"]))
    response = client.post(reverse("incidents:switch_block", args=[incident.number]), _block_form())
    assert response.status_code == 403
    assert not FlagState.objects.exists()


def test_panel__constant_queries_whatever_the_incident_holds(incident, commander, verified_client):
    client = verified_client(commander)
    url = reverse("incidents:switches", args=[incident.number])
    block_for(incident, commander)
    client.get(url)  # warm the session and caches
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for network in ("ethereum", "bsc", "solana", "base"):
        block_for(incident, commander, scope_value=network)
    block_for(incident, commander, key="refund")
    block_for(incident, commander, key="feed.post", scope_kind="global", scope_value="")
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["switches"]) == 7
    assert len(many) == len(one)


# --- the resolution screen -----------------------------------------------------------------


def test_resolve_screen__lists_the_switches_still_blocked(incident, commander, verified_client):
    ops = UserFactory(roles=[OPS])
    payout = block_for(incident, commander)
    feed = block_for(incident, commander, key="feed.post", scope_kind="global", scope_value="")
    from apps.flags.services import flag_state_set

    flag_state_set(actor=ops, flag="feed.post", state="allowed", reason="spam wave over")
    response = verified_client(commander).get(reverse("incidents:resolve", args=[incident.number]))
    assert response.status_code == 200
    text = _text(response)
    assert f'data-state-id="{payout.pk}"' in text
    assert f'data-state-id="{feed.pk}"' not in text
    assert f'name="action_{payout.pk}"' in text


def test_resolve_screen__refuses_a_missing_choice_or_a_keep_without_reason(
    incident, commander, verified_client
):
    payout = block_for(incident, commander)
    refund = block_for(incident, commander, key="refund")
    client = verified_client(commander)
    url = reverse("incidents:resolve", args=[incident.number])
    before = TimelineEntry.objects.count()
    response = client.post(url, {f"action_{payout.pk}": "keep", f"reason_{payout.pk}": ""})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "payout (network=tron): say why" in " ".join(errors[f"reason_{payout.pk}"])
    assert "refund (network=tron): keep it or request" in " ".join(errors[f"action_{refund.pk}"])
    incident.refresh_from_db()
    assert incident.status == Status.INVESTIGATING
    assert TimelineEntry.objects.count() == before


def test_resolve_screen__keep_with_reason_resolves(incident, commander, verified_client):
    payout = block_for(incident, commander)
    response = verified_client(commander).post(
        reverse("incidents:resolve", args=[incident.number]),
        {f"action_{payout.pk}": "keep", f"reason_{payout.pk}": "ledger reconciling", "note": ""},
    )
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.status == Status.RESOLVED
    decision = incident.timeline.get(kind=EntryKind.DECISION)
    assert decision.body == "payout (network=tron) kept blocked: ledger reconciling"


def test_resolve_screen__fund_unblock_goes_to_a_second_super_admin(
    verified_client, django_capture_on_commit_callbacks
):
    requester = UserFactory(roles=[SUPER_ADMIN])
    approver = UserFactory(roles=[SUPER_ADMIN])
    incident = declare(actor=requester)
    client = verified_client(requester)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("incidents:switch_block", args=[incident.number]), _block_form())
    state = FlagState.objects.get(incident_ref=incident.number)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("incidents:resolve", args=[incident.number]),
            {f"action_{state.pk}": "unblock", f"reason_{state.pk}": "node healthy"},
        )
    assert response.status_code == 302
    change_request = ChangeRequest.objects.get()
    assert change_request.status == "pending" and change_request.requester == requester
    page = client.get(reverse("incidents:switches", args=[incident.number]))
    assert reverse("approvals:detail", args=[change_request.pk]) in _text(page)
    with django_capture_on_commit_callbacks(execute=True):
        approve(change_request, approver)
    actions = [
        (entry.kind, entry.data.get("action"))
        for entry in incident.timeline.filter(kind__in=[EntryKind.FLAG, EntryKind.CHANGE_REQUEST])
    ]
    assert actions == [
        ("flag", "blocked"),
        ("change_request", "created"),
        ("change_request", "applied"),
        ("flag", "unblocked"),
    ]


def test_resolve_screen__only_for_who_runs_the_incident(incident, verified_client):
    response = verified_client(UserFactory(roles=[OPS])).get(
        reverse("incidents:resolve", args=[incident.number])
    )
    assert response.status_code == 403


def test_unknown_incident__404(commander, verified_client):
    client = verified_client(commander)
    assert client.get(reverse("incidents:switches", args=["INC-1999-0001"])).status_code == 404
    assert client.get(reverse("incidents:resolve", args=["INC-1999-0001"])).status_code == 404


def test_incident_page__shows_the_switches_panel_with_constant_queries(
    incident, commander, verified_client
):
    client = verified_client(commander)
    url = reverse("incidents:detail", args=[incident.number])
    first = block_for(incident, commander)
    client.get(url)  # warm the session and caches
    with CaptureQueriesContext(connection) as one:
        response = client.get(url)
    text = _text(response)
    assert 'id="panel-switches"' in text
    assert f'data-state-id="{first.pk}"' in text
    assert reverse("incidents:switch_block", args=[incident.number]) in text
    assert reverse("incidents:resolve", args=[incident.number]) in text
    for network in ("ethereum", "bsc", "solana", "base"):
        block_for(incident, commander, scope_value=network)
    block_for(incident, commander, key="feed.post", scope_kind="global", scope_value="")
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert _text(response).count("data-flag=") == 6
    assert len(many) == len(one)


def test_incident_page__no_block_form_without_the_flags_permission(incident, verified_client):
    response = verified_client(UserFactory(roles=["finance"])).get(
        reverse("incidents:detail", args=[incident.number])
    )
    assert response.status_code == 200
    text = _text(response)
    assert 'id="panel-switches"' in text
    assert reverse("incidents:switch_block", args=[incident.number]) not in text
    assert reverse("incidents:resolve", args=[incident.number]) not in text
