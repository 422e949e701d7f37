"""The direction rules of flag states, through the services people and programs use."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from apps.approvals.models import ChangeRequest
from apps.approvals.services import ApprovalRefused
from apps.audit.models import AuditEvent, LogEntry
from apps.flags import evaluation, services
from apps.flags.handlers import KIND
from apps.flags.models import FlagState, StateSource
from tests.factories import make_token
from tests.flags.conftest import approve, fresh_code


def block(actor, key="contribute", **kwargs):
    kwargs.setdefault("reason", "Price feed lagging")
    return services.flag_state_set(actor=actor, flag=key, state="blocked", **kwargs)


def unblock(actor, key="contribute", **kwargs):
    kwargs.setdefault("reason", "Fixed and verified")
    return services.flag_state_set(actor=actor, flag=key, state="allowed", **kwargs)


# --- the safe direction -----------------------------------------------------------------


@pytest.mark.parametrize("role", ["ops", "commander", "admin"])
def test_block__one_person_on_duty__applies_at_once(people, role):
    result = block(people[role], scope_kind="round", scope_value="42", incident_ref="INC-42")

    assert result.applied and result.change_request is None
    row = result.state
    assert (row.state, row.scope_kind, row.scope_value) == ("blocked", "round", "42")
    assert row.actor == people[role] and row.source == StateSource.PORTAL
    assert row.incident_ref == "INC-42"
    decision = evaluation.evaluate("contribute", {"round": "42"})
    assert (decision.allowed, decision.reason, decision.state.id) == (
        False,
        "BLOCKED_SCOPE",
        row.pk,
    )
    event = AuditEvent.objects.get(name="flag.blocked")
    assert event.actor == people[role]
    assert event.data["state_id"] == row.pk and event.data["previous_state"] == "allowed"
    assert LogEntry.objects.get_for_object(row).count() == 1
    assert not ChangeRequest.objects.exists()


@pytest.mark.parametrize("role", ["finance", "reviewer"])
def test_block__role_without_block_permission__refused_and_nothing_written(people, role):
    with pytest.raises(PermissionDenied):
        block(people[role])
    assert not FlagState.objects.exists()


def test_block__gate_close_is_the_safe_direction(people):
    services.flag_state_set(
        actor=people["ops"], flag="public_live", state="open", reason="Public launch"
    )
    result = services.flag_state_set(
        actor=people["commander"], flag="public_live", state="closed", reason="S1 incident"
    )
    assert result.applied
    decision = evaluation.evaluate("public_live", {"user": "anyone"})
    assert (decision.allowed, decision.reason) == (False, "GATE_CLOSED")


# --- the risky direction ------------------------------------------------------------------


def test_unblock__fund_related__files_change_request_and_changes_nothing_until_approved(people):
    blocked = block(people["ops"]).state
    states_before = FlagState.objects.count()

    result = unblock(people["ops"], incident_ref="INC-7")

    assert not result.applied and result.state is None
    change_request = result.change_request
    assert change_request.kind == KIND and change_request.status == ChangeRequest.Status.PENDING
    assert change_request.requester == people["ops"]
    assert change_request.base_version == str(blocked.pk)
    assert change_request.payload["state"] == "allowed"
    assert FlagState.objects.count() == states_before
    assert not evaluation.evaluate("contribute").allowed

    # The requester cannot approve, and a wrong code changes nothing.
    with pytest.raises(ApprovalRefused) as refused:
        approve(change_request, people["ops"])
    assert refused.value.code in {"own_request", "permission_denied"}
    from apps.approvals.services import change_request_approve

    with pytest.raises(ApprovalRefused) as wrong_code:
        change_request_approve(
            actor=people["admin"], change_request_id=change_request.pk, otp_code="000000"
        )
    assert wrong_code.value.code == "otp_invalid"
    assert FlagState.objects.count() == states_before
    assert not evaluation.evaluate("contribute").allowed

    decided = approve(change_request, people["admin"])

    assert decided.status == ChangeRequest.Status.APPLIED
    row = FlagState.objects.latest("id")
    assert (row.state, row.source, row.change_request_id) == ("allowed", "approval", decided.pk)
    assert row.actor == people["ops"] and row.incident_ref == "INC-7"
    assert decided.apply_result["state_id"] == row.pk
    decision = evaluation.evaluate("contribute")
    assert (decision.allowed, decision.reason, decision.state.id) == (True, "ALLOWED", row.pk)
    assert AuditEvent.objects.get(name="flag.unblocked").actor == people["admin"]


def test_unblock__fund_related_by_super_admin__still_needs_a_second_super_admin(people):
    block(people["admin"], key="payout", scope_kind="network", scope_value="bsc")
    result = unblock(people["admin"], key="payout", scope_kind="network", scope_value="bsc")
    assert not result.applied
    with pytest.raises(ApprovalRefused):
        approve(result.change_request, people["admin"])
    assert approve(result.change_request, people["admin2"]).status == "applied"
    assert evaluation.evaluate("payout", {"network": "bsc"}).allowed


def test_unblock__scope_changed_while_pending__approval_is_a_conflict(people):
    block(
        people["ops"],
        scope_kind="round",
        scope_value="42",
        until=timezone.now() + timedelta(hours=1),
    )
    result = unblock(people["ops"], scope_kind="round", scope_value="42")
    # Meanwhile the incident commander makes the block permanent: a new state row.
    block(people["commander"], scope_kind="round", scope_value="42", reason="Exploit found")
    states = FlagState.objects.count()

    decided = approve(result.change_request, people["admin"])

    assert decided.status == ChangeRequest.Status.CONFLICT
    assert FlagState.objects.count() == states
    assert not evaluation.evaluate("contribute", {"round": "42"}).allowed


def test_unblock__non_fund__one_ops_applies(people):
    block(people["ops"], key="feed.post", reason="Spam wave")
    result = unblock(people["ops2"], key="feed.post", reason="Spam wave over")
    assert result.applied and result.state.state == "allowed"
    assert evaluation.evaluate("feed.post").allowed
    assert not ChangeRequest.objects.exists()


def test_unblock__incident_commander__refused(people):
    block(people["commander"], key="feed.post")
    with pytest.raises(PermissionDenied):
        unblock(people["commander"], key="feed.post")
    assert not evaluation.evaluate("feed.post").allowed


def test_gate_open__non_fund__one_ops(people):
    result = services.flag_state_set(
        actor=people["ops"], flag="public_live", state="open", reason="Public launch"
    )
    assert result.applied
    assert evaluation.evaluate("public_live").reason == "GATE_OPEN"


# --- support's user-scoped actions --------------------------------------------------------


def test_support__freezes_one_customers_claims(people):
    result = block(
        people["support"],
        key="claim",
        scope_kind="user",
        scope_value="cust-1042",
        reason="Referral farming suspected",
    )
    assert result.applied
    assert not evaluation.evaluate("claim", {"user": "cust-1042"}).allowed
    assert evaluation.evaluate("claim", {"user": "cust-7"}).allowed


def test_support__cannot_unfreeze_fund_claims_nor_block_globally(people):
    block(people["support"], key="claim", scope_kind="user", scope_value="cust-1042")
    with pytest.raises(PermissionDenied):
        unblock(people["support"], key="claim", scope_kind="user", scope_value="cust-1042")
    with pytest.raises(PermissionDenied):
        block(people["support"], key="claim", scope_kind="claim_type", scope_value="referral")
    with pytest.raises(PermissionDenied):
        block(people["support"], key="feed.post")
    # ops files the unfreeze; a super admin approves it.
    result = unblock(people["ops"], key="claim", scope_kind="user", scope_value="cust-1042")
    assert not result.applied
    approve(result.change_request, people["admin"])
    assert evaluation.evaluate("claim", {"user": "cust-1042"}).allowed


def test_support__blocks_and_unblocks_one_users_posting(people):
    block(people["support"], key="feed.post", scope_kind="user", scope_value="spammer_9")
    assert not evaluation.evaluate("feed.post", {"user": "spammer_9"}).allowed
    result = unblock(people["support"], key="feed.post", scope_kind="user", scope_value="spammer_9")
    assert result.applied
    assert evaluation.evaluate("feed.post", {"user": "spammer_9"}).allowed


# --- a state already in force ------------------------------------------------------------


def test_block__already_blocked__refused_with_a_clear_message(people):
    block(people["ops"], scope_kind="round", scope_value="42")
    with pytest.raises(ValidationError) as refused:
        block(people["ops2"], scope_kind="round", scope_value="42")
    error = refused.value.error_dict["state"][0]
    assert error.code == "already_current"
    assert "already blocked for round 42" in error.message % (error.params or {})
    assert FlagState.objects.count() == 1


def test_unblock__never_blocked__refused_as_default(people):
    with pytest.raises(ValidationError) as refused:
        unblock(people["ops"], key="feed.post")
    assert refused.value.error_dict["state"][0].code == "already_current"
    assert "(its default)" in refused.value.error_dict["state"][0].message


def test_block__temporary_then_permanent__is_a_change(people):
    until = timezone.now() + timedelta(hours=1)
    block(people["ops"], key="feed.post", until=until)
    with pytest.raises(ValidationError):
        block(people["ops"], key="feed.post", until=until - timedelta(minutes=5))
    assert block(people["ops"], key="feed.post", until=until + timedelta(hours=1)).applied
    assert block(people["ops"], key="feed.post").applied
    assert FlagState.objects.count() == 3


# --- service tokens -----------------------------------------------------------------------


def test_token__flags_write__blocks_and_files_fund_unblock(db, people):
    token, _plain = make_token(scopes=["flags:write"])
    account = token.service_account
    result = services.flag_state_set(
        actor=account,
        flag="payout",
        state="blocked",
        scope_kind="network",
        scope_value="tron",
        reason="Tron RPC forks",
        source="api",
        token=token,
    )
    assert result.applied and result.state.actor == account and result.state.source == "api"
    filed = services.flag_state_set(
        actor=account,
        flag="payout",
        state="allowed",
        scope_kind="network",
        scope_value="tron",
        reason="RPC healthy",
        source="api",
        token=token,
    )
    assert not filed.applied and filed.change_request.requester == account
    assert approve(filed.change_request, people["admin"]).status == "applied"
    assert evaluation.evaluate("payout", {"network": "tron"}).allowed


def test_token__non_fund_unblock__applies(db):
    token, _plain = make_token(scopes=["flags:write"])
    account = token.service_account
    services.flag_state_set(
        actor=account,
        flag="feed.post",
        state="blocked",
        reason="spam",
        source="api",
        token=token,
    )
    result = services.flag_state_set(
        actor=account, flag="feed.post", state="allowed", reason="ok", source="api", token=token
    )
    assert result.applied


@pytest.mark.parametrize("case", ["read_scope", "no_token", "other_accounts_token", "revoked"])
def test_token__without_write_scope_of_its_own__refused(db, case):
    token, _plain = make_token(
        scopes=["flags:read"] if case == "read_scope" else ["flags:write"],
        revoked=case == "revoked",
    )
    actor = token.service_account
    if case == "other_accounts_token":
        actor = make_token(scopes=["flags:write"])[0].service_account
    with pytest.raises(PermissionDenied):
        services.flag_state_set(
            actor=actor,
            flag="feed.post",
            state="blocked",
            reason="spam",
            source="api",
            token=None if case == "no_token" else token,
        )
    assert not FlagState.objects.exists()


def test_token__cannot_approve(db, people):
    token, _plain = make_token(scopes=["flags:write"])
    block(people["ops"], key="refund", scope_kind="network", scope_value="ethereum")
    filed = unblock(people["ops"], key="refund", scope_kind="network", scope_value="ethereum")
    from apps.approvals.services import change_request_approve

    with pytest.raises(ApprovalRefused) as refused:
        change_request_approve(
            actor=token.service_account,
            change_request_id=filed.change_request.pk,
            otp_code=fresh_code(people["admin"]),
        )
    assert refused.value.code == "service_account_refused"


# --- adding flags ------------------------------------------------------------------------


def test_flag_create__super_admin__adds_and_evaluates(people):
    created = services.flag_create(
        actor=people["admin"],
        key="bridge.withdraw",
        description="Bridge withdrawals",
        kind="kill_switch",
        fund_related=True,
        scopes=["network", "global"],
    )
    assert created.scopes == ["network"] and created.created_by == people["admin"]
    assert evaluation.evaluate("bridge.withdraw", {"network": "bsc"}).reason == "DEFAULT"
    assert AuditEvent.objects.filter(name="flag.created").count() == 1


def test_flag_create__ops__refused(people):
    with pytest.raises(PermissionDenied):
        services.flag_create(
            actor=people["ops"],
            key="x.y",
            description="d",
            kind="gate",
            fund_related=False,
            scopes=[],
        )


def test_flag_create__bad_input__field_errors(people):
    with pytest.raises(ValidationError) as refused:
        services.flag_create(
            actor=people["admin"],
            key="Contribute!",
            description=" ",
            kind="switch",
            fund_related="yes",
            scopes=["planet"],
        )
    assert set(refused.value.error_dict) == {"key", "description", "kind", "fund_related", "scopes"}
    with pytest.raises(ValidationError) as duplicate:
        services.flag_create(
            actor=people["admin"],
            key="contribute",
            description="again",
            kind="gate",
            fund_related=False,
            scopes=[],
        )
    assert duplicate.value.error_dict["key"][0].code == "unique"
