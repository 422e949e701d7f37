"""Mitigation: blocking switches for an incident, what it holds, deciding at resolution;
the flag and change request entries the receivers put on the timeline."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.accounts.roles import INCIDENT_COMMANDER, OPS, SUPER_ADMIN
from apps.approvals.models import ChangeRequest
from apps.approvals.services import ApprovalRefused, change_request_reject
from apps.flags import services as flag_services
from apps.flags.models import FlagState
from apps.flags.signals import flag_state_changed
from apps.incidents import receivers_mitigation
from apps.incidents.models import EntryKind, Status, TimelineEntry
from apps.incidents.selectors.mitigation import switches_held
from apps.incidents.services.lifecycle import incident_set_status
from apps.incidents.services.mitigation import (
    KEEP,
    UNBLOCK,
    SwitchDecision,
    incident_resolve,
)
from tests.factories import UserFactory
from tests.incidents.factories import declare
from tests.incidents.mitigation_helpers import (
    approve,
    block_for,
    change_request_entries,
    flag,
    flag_entries,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admins():
    return UserFactory(roles=[SUPER_ADMIN]), UserFactory(roles=[SUPER_ADMIN])


@pytest.fixture
def commander():
    return UserFactory(roles=[INCIDENT_COMMANDER])


@pytest.fixture
def incident(commander):
    return declare(actor=commander, title="Withdrawals delayed on Tron")


def _messages(error: ValidationError) -> str:
    return " ".join(error.message_dict.get("decisions", []))


# --- blocking ------------------------------------------------------------------------------


def test_block__links_the_incident_and_the_flag_entry_follows_the_commit(
    incident, commander, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        state = block_for(incident, commander)
    assert state.incident_ref == incident.number
    assert state.state == "blocked" and state.actor == commander
    (entry,) = flag_entries(incident)
    assert entry.actor == commander
    assert entry.data["state_id"] == state.pk
    assert entry.data["flag"] == "payout"
    assert entry.data["scope"] == "network=tron"
    assert entry.data["action"] == "blocked"
    assert entry.data["reason"] == "Tron withdrawals stuck"
    assert "payout" in entry.body and "network=tron" in entry.body


def test_flag_receiver__is_idempotent_and_ignores_unknown_incidents(
    incident, commander, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        state = block_for(incident, commander)
    flag_state_changed.send_robust(sender=FlagState, state=state, previous=None, actor=commander)
    assert len(flag_entries(incident)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        flag_services.flag_state_set(
            actor=commander,
            flag="feed.post",
            state="blocked",
            reason="spam",
            incident_ref="INC-1999-0001",
        )
    assert TimelineEntry.objects.filter(kind=EntryKind.FLAG).count() == 1


def test_flag_receiver__never_raises(incident, commander, monkeypatch):
    state = block_for(incident, commander)

    def broken(*args, **kwargs):
        raise RuntimeError("timeline unavailable")

    monkeypatch.setattr(receivers_mitigation, "timeline_append", broken)
    receivers_mitigation.on_flag_state_changed(FlagState, state=state, actor=commander)
    assert flag_entries(incident) == []


def test_block__needs_the_flags_permission_and_an_open_incident(commander):
    # An S3 closes without a post-mortem.
    incident = declare(actor=commander, severity="S3", title="Slow admin exports")
    finance = UserFactory(roles=["finance"])
    with pytest.raises(PermissionDenied):
        block_for(incident, finance)
    incident_set_status(actor=commander, incident=incident, status=Status.RESOLVED)
    incident_set_status(actor=commander, incident=incident, status=Status.CLOSED)
    incident.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        block_for(incident, commander)
    assert "incident" in caught.value.message_dict
    assert not FlagState.objects.filter(incident_ref=incident.number).exists()


def test_block__bad_input_names_the_field_and_writes_nothing(incident, commander):
    with pytest.raises(ValidationError) as caught:
        block_for(incident, commander, key="payout", scope_kind="user", scope_value="u-1")
    assert "scope_kind" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        block_for(incident, commander, reason="  ")
    assert "reason" in caught.value.message_dict
    assert not FlagState.objects.exists()


# --- what an incident holds ------------------------------------------------------------------


def test_switches_held__current_blocks_naming_the_incident_only(incident, commander, admins):
    ops = UserFactory(roles=[OPS])
    payout = block_for(incident, commander)
    feed = block_for(incident, commander, key="feed.post", scope_kind="global", scope_value="")
    claim = block_for(incident, commander, key="claim", scope_kind="claim_type", scope_value="sbt")
    other = declare(actor=commander, title="Another")
    block_for(other, commander, key="refund", scope_kind="network", scope_value="tron")
    # Unblocked since (non-fund, by ops): no longer held.
    flag_services.flag_state_set(actor=ops, flag="feed.post", state="allowed", reason="spam over")
    held = switches_held(incident)
    assert [s.pk for s in held] == [claim.pk, payout.pk]
    assert feed.pk not in [s.pk for s in held]
    assert [s.flag.key for s in switches_held(other)] == ["refund"]


def test_switches_held__constant_queries(incident, commander, django_assert_num_queries):
    block_for(incident, commander)
    with django_assert_num_queries(2):
        switches_held(incident)
    for network in ("ethereum", "bsc", "solana"):
        block_for(incident, commander, scope_value=network)
    block_for(incident, commander, key="refund")
    with django_assert_num_queries(2):
        assert len(switches_held(incident)) == 5


# --- resolution ----------------------------------------------------------------------------


def test_resolve__keep_with_reason_records_the_decision_and_resolves(incident, commander):
    state = block_for(incident, commander)
    result = incident_resolve(
        actor=commander,
        incident=incident,
        decisions={state.pk: SwitchDecision(KEEP, "ledger still reconciling")},
    )
    incident.refresh_from_db()
    assert incident.status == Status.RESOLVED
    assert [s.pk for s in result.kept] == [state.pk]
    (decision,) = incident.timeline.filter(kind=EntryKind.DECISION)
    assert decision.body == "payout (network=tron) kept blocked: ledger still reconciling"
    assert decision.data["state_id"] == state.pk and decision.pinned
    assert [s.pk for s in switches_held(incident)] == [state.pk]  # still blocked


@pytest.mark.parametrize(
    ("decisions", "expected"),
    [
        ({}, "payout (network=tron) is still blocked"),
        ({"KEEP": SwitchDecision(KEEP, "")}, "payout (network=tron): say why"),
        ({"KEEP": SwitchDecision("maybe", "x")}, "payout (network=tron): choose keep"),
        ({999999: SwitchDecision(KEEP, "x")}, "Switch 999999 is not held"),
    ],
    ids=["no-choice", "keep-without-reason", "unknown-action", "unknown-switch"],
)
def test_resolve__refuses_bad_decisions_naming_the_switch_and_writes_nothing(
    incident, commander, decisions, expected
):
    state = block_for(incident, commander)
    decisions = {state.pk if key == "KEEP" else key: value for key, value in decisions.items()}
    before = (TimelineEntry.objects.count(), FlagState.objects.count())
    with pytest.raises(ValidationError) as caught:
        incident_resolve(actor=commander, incident=incident, decisions=decisions)
    assert expected in _messages(caught.value)
    incident.refresh_from_db()
    assert incident.status == Status.INVESTIGATING
    assert (TimelineEntry.objects.count(), FlagState.objects.count()) == before


def test_resolve__only_for_who_runs_the_incident(incident, commander):
    block_for(incident, commander)
    with pytest.raises(PermissionDenied):
        incident_resolve(actor=UserFactory(roles=[OPS]), incident=incident, decisions={})


def test_resolve__an_unblock_the_person_may_not_make_is_refused_whole(incident, commander):
    """An incident commander blocks but may not unblock: the choice is refused, nothing
    is written (not even the keep of the other switch)."""
    payout = block_for(incident, commander)
    feed = block_for(incident, commander, key="feed.post", scope_kind="global", scope_value="")
    with pytest.raises(ValidationError) as caught:
        incident_resolve(
            actor=commander,
            incident=incident,
            decisions={
                payout.pk: SwitchDecision(KEEP, "reconciling"),
                feed.pk: SwitchDecision(UNBLOCK, ""),
            },
        )
    assert "feed.post (global): you may not unblock" in _messages(caught.value)
    assert not incident.timeline.filter(kind=EntryKind.DECISION).exists()
    assert incident.timeline.filter(kind=EntryKind.STATUS).count() == 0


def test_resolve__non_fund_unblock_applies_at_once(admins, django_capture_on_commit_callbacks):
    admin, _other = admins
    incident = declare(actor=admin)
    with django_capture_on_commit_callbacks(execute=True):
        feed = block_for(incident, admin, key="feed.post", scope_kind="global", scope_value="")
    with django_capture_on_commit_callbacks(execute=True):
        result = incident_resolve(
            actor=admin, incident=incident, decisions={feed.pk: SwitchDecision(UNBLOCK, "")}
        )
    assert [s.pk for s in result.unblocked] == [feed.pk]
    assert switches_held(incident) == []
    current = flag_services.current_state(flag("feed.post"), "global", "")
    assert current.state == "allowed" and current.incident_ref == incident.number
    assert [e.data["action"] for e in flag_entries(incident)] == ["blocked", "unblocked"]
    assert not ChangeRequest.objects.exists()


def test_resolve__fund_unblock_files_a_request_a_second_super_admin_approves(
    admins, django_capture_on_commit_callbacks
):
    requester, approver = admins
    incident = declare(actor=requester, title="Withdrawals delayed on Tron")
    with django_capture_on_commit_callbacks(execute=True):
        state = block_for(incident, requester)
    with django_capture_on_commit_callbacks(execute=True):
        result = incident_resolve(
            actor=requester,
            incident=incident,
            decisions={state.pk: SwitchDecision(UNBLOCK, "Tron node healthy again")},
        )
    incident.refresh_from_db()
    assert incident.status == Status.RESOLVED
    ((requested_state, change_request),) = result.requested
    assert requested_state.pk == state.pk and change_request.status == "pending"
    assert change_request.payload["incident_ref"] == incident.number
    # Nothing changed yet: still blocked, shown with its pending request.
    (held,) = switches_held(incident)
    assert held.pk == state.pk and held.pending_request.pk == change_request.pk
    (filed,) = change_request_entries(incident)
    assert filed.data["action"] == "created" and filed.data["change_request"] == change_request.pk
    # The requester cannot approve his own request.
    with pytest.raises(ApprovalRefused) as refused:
        approve(change_request, requester)
    assert refused.value.code == "own_request"
    with django_capture_on_commit_callbacks(execute=True):
        approve(change_request, approver, "checked the node")
    current = flag_services.current_state(flag("payout"), "network", "tron")
    assert current.state == "allowed" and current.change_request_id == change_request.pk
    assert switches_held(incident) == []
    kinds = [
        (entry.kind, entry.data.get("action"))
        for entry in incident.timeline.filter(
            kind__in=[EntryKind.FLAG, EntryKind.CHANGE_REQUEST]
        ).order_by("occurred_at", "id")
    ]
    assert kinds == [
        (EntryKind.FLAG, "blocked"),
        (EntryKind.CHANGE_REQUEST, "created"),
        (EntryKind.CHANGE_REQUEST, "applied"),
        (EntryKind.FLAG, "unblocked"),
    ]
    approved = change_request_entries(incident)[-1]
    assert approved.actor == approver and approved.data["decided_by"] == approver.username
    unblocked = flag_entries(incident)[-1]
    assert unblocked.actor == approver and unblocked.data["set_by"] == requester.username


def test_resolve__a_switch_whose_unblock_is_pending_needs_no_decision(
    admins, django_capture_on_commit_callbacks
):
    requester, approver = admins
    incident = declare(actor=requester)
    state = block_for(incident, requester)
    with django_capture_on_commit_callbacks(execute=True):
        change = flag_services.flag_state_set(
            actor=requester,
            flag="payout",
            state="allowed",
            scope_kind="network",
            scope_value="tron",
            reason="node healthy",
            incident_ref=incident.number,
        )
    result = incident_resolve(actor=requester, incident=incident, decisions={})
    assert [s.pk for s in result.already_requested] == [state.pk]
    with django_capture_on_commit_callbacks(execute=True):
        change_request_reject(
            actor=approver, change_request_id=change.change_request.pk, comment="not yet"
        )
    assert [e.data["action"] for e in change_request_entries(incident)] == [
        "created",
        "rejected",
    ]
    assert "not yet" in change_request_entries(incident)[-1].body


def test_change_request_receiver__is_idempotent_and_never_raises(
    admins, monkeypatch, django_capture_on_commit_callbacks
):
    requester, _approver = admins
    incident = declare(actor=requester)
    block_for(incident, requester)
    with django_capture_on_commit_callbacks(execute=True):
        change = flag_services.flag_state_set(
            actor=requester,
            flag="payout",
            state="allowed",
            scope_kind="network",
            scope_value="tron",
            reason="node healthy",
            incident_ref=incident.number,
        )
    receivers_mitigation.on_change_request_changed(
        ChangeRequest, change_request=change.change_request, action="created", actor=requester
    )
    assert len(change_request_entries(incident)) == 1

    def broken(*args, **kwargs):
        raise RuntimeError("timeline unavailable")

    monkeypatch.setattr(receivers_mitigation, "timeline_append", broken)
    receivers_mitigation.on_change_request_changed(
        ChangeRequest, change_request=change.change_request, action="rejected", actor=requester
    )
    assert len(change_request_entries(incident)) == 1


def test_status__resolving_while_holding_a_switch_sends_to_the_resolution_screen(
    incident, commander
):
    block_for(incident, commander)

    with pytest.raises(ValidationError) as caught:
        incident_set_status(actor=commander, incident=incident, status=Status.RESOLVED)

    message = " ".join(caught.value.message_dict["status"])
    assert "payout" in message and "resolution screen" in message
    incident.refresh_from_db()
    assert incident.status == Status.INVESTIGATING
    assert incident.resolved_at is None
    # Keeping it on the resolution screen resolves.
    (state,) = switches_held(incident)
    incident_resolve(
        actor=commander,
        incident=incident,
        decisions={state.pk: SwitchDecision(action=KEEP, reason="Tron node still syncing")},
    )
    incident.refresh_from_db()
    assert incident.status == Status.RESOLVED
