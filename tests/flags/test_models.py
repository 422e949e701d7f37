"""The flags' data: the runbook switches, append-only states, constraints, roles."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from apps.flags.models import Flag, FlagState, FlagStateImmutable
from tests.flags.conftest import flag

RUNBOOK = {
    # key: (kind, fund_related, scopes that must be accepted)
    "project.submit": ("kill_switch", False, {"user"}),
    "round.approve": ("kill_switch", False, {"round"}),
    "contribute": ("kill_switch", True, {"round"}),
    "finalize": ("kill_switch", True, {"round"}),
    "claim": ("kill_switch", True, {"claim_type", "user"}),
    "payout": ("kill_switch", True, {"network"}),
    "refund": ("kill_switch", True, {"network"}),
    "feed.post": ("kill_switch", False, {"user"}),
    "ama.join_token": ("kill_switch", False, set()),
    "public_live": ("gate", False, {"user"}),
}


def test_migration__creates_the_runbook_switches(db):
    flags = {f.key: f for f in Flag.objects.all()}
    assert set(RUNBOOK) <= set(flags)
    for key, (kind, fund_related, scopes) in RUNBOOK.items():
        assert flags[key].kind == kind, key
        assert flags[key].fund_related is fund_related, key
        assert scopes <= set(flags[key].scopes), key
        assert len(flags[key].description) > 40, key
        assert flags[key].default_state == ("closed" if kind == "gate" else "allowed")


def _row(**fields) -> FlagState:
    values = {
        "flag": flag("contribute"),
        "state": "blocked",
        "reason": "r",
        "scope_kind": "global",
        "scope_value": "",
    }
    values.update(fields)
    row = FlagState(**values)
    row.save()
    return row


def test_state__append_only__no_update_or_delete_through_the_orm(db):
    row = _row()
    row.reason = "rewritten"
    with pytest.raises(FlagStateImmutable):
        row.save()
    with pytest.raises(FlagStateImmutable):
        row.delete()
    with pytest.raises(FlagStateImmutable):
        FlagState.objects.filter(pk=row.pk).update(reason="x")
    with pytest.raises(FlagStateImmutable):
        FlagState.objects.filter(pk=row.pk).delete()
    with pytest.raises(FlagStateImmutable):
        FlagState.objects.bulk_update([row], ["reason"])
    row.refresh_from_db()
    assert row.reason == "r"


def test_flag__with_states__cannot_be_deleted(db):
    _row()
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        flag("contribute").delete()


@pytest.mark.parametrize(
    "fields",
    [
        {"reason": ""},
        {"scope_kind": "round", "scope_value": ""},
        {"scope_kind": "global", "scope_value": "42"},
        {"state": "maybe"},
        {"until": "past"},
    ],
    ids=["empty-reason", "scope-without-value", "global-with-value", "bad-state", "until-early"],
)
def test_state__database_constraints(db, fields):
    if fields.get("until") == "past":
        fields = {"until": timezone.now() - timedelta(hours=1), "effective_from": timezone.now()}
    with pytest.raises(IntegrityError), transaction.atomic():
        _row(**fields)


@pytest.mark.postgres
def test_state__postgres_trigger_refuses_update_and_delete(db):
    row = _row()
    for sql in (
        "UPDATE flags_flagstate SET reason = 'x' WHERE id = %s",
        "DELETE FROM flags_flagstate WHERE id = %s",
    ):
        with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql, [row.pk])
    row.refresh_from_db()
    assert row.reason == "r"


def test_roles__flags_permissions(db):
    def perms(role):
        group = Group.objects.get(name=role)
        return {p.codename for p in group.permissions.filter(content_type__app_label="flags")}

    assert {"block_flag", "unblock_flag", "set_user_scope", "schedule_change"} <= perms("ops")
    assert "add_flag" in perms("super_admin") and "add_flag" not in perms("ops")
    assert perms("incident_commander") >= {"block_flag", "view_flag"}
    assert "unblock_flag" not in perms("incident_commander")
    assert perms("support") >= {"set_user_scope", "view_flag"}
    assert "block_flag" not in perms("support")
    assert (
        perms("finance")
        == perms("reviewer")
        == {
            "view_flag",
            "view_flagstate",
            "view_scheduledflagchange",
        }
    )
