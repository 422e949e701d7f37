"""Running an incident through its services: ladder, severity, details, roles, notes,
pages and merging."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from apps.accounts.roles import FINANCE, OPS, SUPPORT
from apps.audit.models import AuditEvent
from apps.incidents.models import EntryKind, IncidentRole, RoleAssignment, Severity, Status
from apps.incidents.services import closing
from apps.incidents.services.incidents import can_run
from apps.incidents.services.lifecycle import (
    incident_add_entry,
    incident_assign_role,
    incident_declare_and_page,
    incident_edit,
    incident_end_role,
    incident_merge,
    incident_page_team,
    incident_set_severity,
    incident_set_status,
)
from apps.oncall.models import Page
from apps.oncall.services import page_acknowledge, page_resolve
from tests.factories import ServiceAccountFactory, UserFactory
from tests.incidents import core_fixtures
from tests.incidents.factories import commander, declare

pytestmark = pytest.mark.django_db

paging_team = core_fixtures.paging_team


def _kinds(incident):
    return list(incident.timeline.order_by("occurred_at", "id").values_list("kind", flat=True))


# --- the status ladder ----------------------------------------------------------------


def test_forward_skip__sets_every_passed_step_time_and_records_from_and_to():
    ic = commander()
    incident = declare(actor=ic)
    incident = incident_set_status(actor=ic, incident=incident, status=Status.RESOLVED)
    assert incident.status == Status.RESOLVED
    assert incident.acknowledged_at and incident.mitigated_at and incident.resolved_at
    entry = incident.timeline.get(kind=EntryKind.STATUS)
    assert entry.data == {"from": "investigating", "to": "resolved", "reason": ""}
    assert AuditEvent.objects.filter(name="incident.status_changed").count() == 1


def test_going_back_without_reason__refused_on_reason_and_nothing_written():
    ic = commander()
    incident = incident_set_status(actor=ic, incident=declare(actor=ic), status="mitigated")
    with pytest.raises(ValidationError) as caught:
        incident_set_status(actor=ic, incident=incident, status="identified", reason="  ")
    assert "reason" in caught.value.message_dict
    incident.refresh_from_db()
    assert incident.status == Status.MITIGATED
    assert _kinds(incident).count(EntryKind.STATUS) == 1


def test_going_back_with_reason__clears_the_later_times_and_keeps_the_reason():
    ic = commander()
    incident = incident_set_status(actor=ic, incident=declare(actor=ic), status="resolved")
    incident = incident_set_status(
        actor=ic, incident=incident, status="identified", reason="Errors came back"
    )
    assert incident.mitigated_at is None and incident.resolved_at is None
    assert incident.acknowledged_at is not None
    last = incident.timeline.filter(kind=EntryKind.STATUS).last()
    assert last.data["reason"] == "Errors came back" and last.data["to"] == "identified"


def test_close__blocked_by_registered_checks__every_reason_shown(monkeypatch):
    monkeypatch.setattr(
        closing,
        "CLOSE_CHECKS",
        ["tests.incidents.test_core_lifecycle.always_blocked"],
    )
    ic = commander()
    incident = incident_set_status(actor=ic, incident=declare(actor=ic), status="resolved")
    with pytest.raises(ValidationError) as caught:
        incident_set_status(actor=ic, incident=incident, status="closed")
    assert caught.value.message_dict["status"] == ["Post-mortem not published.", "Second."]
    incident.refresh_from_db()
    assert incident.status == Status.RESOLVED and incident.closed_at is None


def always_blocked(incident):
    return ["Post-mortem not published.", "Second."]


def test_closed_is_final__reopen_refused_with_why():
    ic = commander()
    incident = incident_set_status(actor=ic, incident=declare(actor=ic), status="closed")
    assert incident.closed_at is not None
    with pytest.raises(ValidationError) as caught:
        incident_set_status(actor=ic, incident=incident, status="investigating", reason="back")
    assert "closed" in caught.value.message_dict["status"][0]


def test_same_status_and_unknown_status_and_future_time__refused():
    ic = commander()
    incident = declare(actor=ic)
    for status, kwargs, field in [
        ("investigating", {}, "status"),
        ("merged", {}, "status"),
        ("bogus", {}, "status"),
        ("identified", {"at": timezone.now() + timedelta(hours=1)}, "at"),
    ]:
        with pytest.raises(ValidationError) as caught:
            incident_set_status(actor=ic, incident=incident, status=status, **kwargs)
        assert field in caught.value.message_dict


def test_status__someone_without_a_role__refused():
    incident = declare()
    with pytest.raises(PermissionDenied):
        incident_set_status(actor=UserFactory(roles=[OPS]), incident=incident, status="identified")


def test_status_signal__sent_with_previous_status():
    from apps.incidents.signals import incident_status_changed

    seen = []

    def receiver(sender, incident, previous, actor, **kwargs):
        seen.append((previous, incident.status))

    incident_status_changed.connect(receiver)
    try:
        ic = commander()
        incident_set_status(actor=ic, incident=declare(actor=ic), status="mitigated")
    finally:
        incident_status_changed.disconnect(receiver)
    assert seen == [("investigating", "mitigated")]


# --- severity and details -------------------------------------------------------------


def test_severity__changed_by_code_with_reason__timeline_and_refuses_unknown():
    ic = commander()
    incident = declare(actor=ic, severity="S2")
    incident = incident_set_severity(
        actor=ic, incident=incident, severity="S1", reason="Funds at risk"
    )
    assert incident.severity.code == "S1"
    entry = incident.timeline.get(kind=EntryKind.SEVERITY)
    assert entry.data == {"from": "S2", "to": "S1", "reason": "Funds at risk"}
    for bad in ("S9", "", "S1"):
        with pytest.raises(ValidationError) as caught:
            incident_set_severity(actor=ic, incident=incident, severity=bad)
        assert "severity" in caught.value.message_dict


def test_severity__inactive_level_refused():
    Severity.objects.filter(code="S3").update(is_active=False)
    ic = commander()
    with pytest.raises(ValidationError):
        incident_set_severity(actor=ic, incident=declare(actor=ic), severity="S3")


def test_edit__changed_fields_on_the_timeline_and_actions_checked():
    ic = commander()
    incident = declare(actor=ic)
    earlier = incident.detected_at - timedelta(hours=3)
    incident = incident_edit(
        actor=ic,
        incident=incident,
        title="Withdrawals delayed on Tron",
        affected_actions=["payout", "refund"],
        started_at=earlier,
    )
    assert incident.title == "Withdrawals delayed on Tron"
    assert incident.affected_actions == ["payout", "refund"]
    entry = incident.timeline.get(kind=EntryKind.EDIT)
    assert set(entry.data["changed"]) == {"title", "affected_actions", "started_at"}
    # Nothing changed: no entry.
    incident_edit(actor=ic, incident=incident, title="Withdrawals delayed on Tron")
    assert _kinds(incident).count(EntryKind.EDIT) == 1
    for kwargs, field in [
        ({"affected_actions": ["nope"]}, "affected_actions"),
        ({"affected_actions": "payout"}, "affected_actions"),
        ({"title": " "}, "title"),
        ({"started_at": incident.detected_at + timedelta(minutes=1)}, "started_at"),
        ({"detected_at": timezone.now() + timedelta(hours=2)}, "detected_at"),
    ]:
        with pytest.raises(ValidationError) as caught:
            incident_edit(actor=ic, incident=incident, **kwargs)
        assert field in caught.value.message_dict, kwargs


# --- roles ----------------------------------------------------------------------------


def test_assign_role__previous_holder_ended_and_grants_follow():
    ic = commander()
    incident = declare(actor=ic)
    alice, bob = UserFactory(roles=[SUPPORT]), UserFactory(roles=[FINANCE])
    incident_assign_role(actor=ic, incident=incident, role="communications", person=alice)
    assert can_run(alice, incident)
    incident_assign_role(actor=ic, incident=incident, role="communications", person=bob)
    assert can_run(bob, incident) and not can_run(alice, incident)
    history = list(
        RoleAssignment.objects.filter(incident=incident, role="communications").order_by("id")
    )
    assert [(a.person, a.ended_by) for a in history] == [(alice, ic), (bob, None)]
    assert history[0].ended_at is not None
    assert _kinds(incident).count(EntryKind.ROLE) == 2


def test_assign_role__grant_kept_while_another_role_is_held():
    ic = commander()
    incident = declare(actor=ic)
    alice, bob = UserFactory(roles=[SUPPORT]), UserFactory(roles=[SUPPORT])
    incident_assign_role(actor=ic, incident=incident, role="scribe", person=alice)
    incident_assign_role(actor=ic, incident=incident, role="ops", person=alice)
    incident_assign_role(actor=ic, incident=incident, role="scribe", person=bob)
    assert can_run(alice, incident)
    incident_end_role(actor=ic, incident=incident, role="ops")
    assert not can_run(alice, incident)


def test_commander_handover__owner_follows_and_old_commander_loses_the_grant():
    first = UserFactory(roles=[OPS])
    incident = declare(actor=first)
    second = UserFactory(roles=[OPS])
    incident_assign_role(actor=first, incident=incident, role="commander", person=second)
    incident.refresh_from_db()
    assert incident.owner == second
    assert not can_run(first, incident) and can_run(second, incident)
    assert (
        RoleAssignment.objects.filter(
            incident=incident, role=IncidentRole.COMMANDER, ended_at__isnull=True
        ).count()
        == 1
    )


def test_roles__bad_people_and_commander_end__refused():
    ic = commander()
    incident = declare(actor=ic)
    inactive = UserFactory(is_active=False)
    for person in (inactive, ServiceAccountFactory(), None):
        with pytest.raises(ValidationError) as caught:
            incident_assign_role(actor=ic, incident=incident, role="scribe", person=person)
        assert "person" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        incident_assign_role(actor=ic, incident=incident, role="commander", person=ic)
    assert "person" in caught.value.message_dict
    for role in ("commander", "scribe", "boss"):
        with pytest.raises(ValidationError) as caught:
            incident_end_role(actor=ic, incident=incident, role=role)
        assert "role" in caught.value.message_dict


# --- notes and decisions --------------------------------------------------------------


def test_entries__earlier_allowed_future_refused_kinds_limited():
    ic = commander()
    incident = declare(actor=ic)
    earlier = timezone.now() - timedelta(minutes=30)
    entry = incident_add_entry(
        actor=ic,
        incident=incident,
        kind="decision",
        body="Freeze Tron payouts",
        pinned=True,
        internal_only=True,
        occurred_at=earlier,
    )
    assert entry.pinned and entry.internal_only and entry.occurred_at == earlier
    for kwargs, field in [
        ({"kind": "status", "body": "x"}, "kind"),
        ({"kind": "note", "body": " "}, "body"),
        (
            {"kind": "note", "body": "x", "occurred_at": timezone.now() + timedelta(hours=1)},
            "occurred_at",
        ),
    ]:
        with pytest.raises(ValidationError) as caught:
            incident_add_entry(actor=ic, incident=incident, **kwargs)
        assert field in caught.value.message_dict


def test_entries__merged_incident_refuses_notes():
    ic = commander()
    duplicate, target = declare(actor=ic), declare(actor=ic)
    incident_merge(actor=ic, duplicate=duplicate, into=target, reason="Same outage")
    duplicate.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        incident_add_entry(actor=ic, incident=duplicate, kind="note", body="x")
    assert target.number in caught.value.message_dict["body"][0]


# --- pages ----------------------------------------------------------------------------


def test_page_team__page_about_the_incident_and_ack_resolve_on_the_timeline(paging_team):
    ic = commander()
    incident = declare(actor=ic)
    page = incident_page_team(actor=ic, incident=incident, team=paging_team["team"])
    assert page.subject == incident and page.policy == paging_team["policy"]
    incident.refresh_from_db()
    assert incident.team == paging_team["team"] and incident.acknowledged_at is None
    page_acknowledge(actor=paging_team["lead"], page=page)
    incident.refresh_from_db()
    assert incident.acknowledged_at is not None
    first_ack = incident.acknowledged_at
    page_resolve(actor=paging_team["lead"], page=page)
    entries = incident.timeline.filter(kind=EntryKind.PAGE).order_by("id")
    assert [e.data["event"] for e in entries] == ["sent", "acknowledged", "resolved"]
    assert entries[1].actor == paging_team["lead"]
    # A second page acknowledged later keeps the first acknowledgement time.
    second = incident_page_team(actor=ic, incident=incident, team=paging_team["team"])
    page_acknowledge(actor=paging_team["lead"], page=second)
    incident.refresh_from_db()
    assert incident.acknowledged_at == first_ack


def test_page_ack_of_a_page_about_nothing__no_timeline(paging_team):
    from apps.oncall.services import page_trigger

    page = page_trigger(actor=paging_team["lead"], team=paging_team["team"], title="Disk full")
    page_acknowledge(actor=paging_team["lead"], page=page)
    assert Page.objects.count() == 1


def test_declare_and_page__both_or_neither(paging_team):
    ic = commander()
    incident = incident_declare_and_page(
        actor=ic,
        title="Tron withdrawals delayed",
        severity=Severity.objects.get(code="S2"),
        page_team=paging_team["team"],
    )
    assert Page.objects.get().subject == incident
    assert _kinds(incident) == [EntryKind.DECLARED, EntryKind.PAGE]
    # Support may declare but not page: nothing is declared.
    with pytest.raises(PermissionDenied):
        incident_declare_and_page(
            actor=UserFactory(roles=[SUPPORT]),
            title="x",
            severity=Severity.objects.get(code="S3"),
            page_team=paging_team["team"],
        )
    assert Page.objects.count() == 1


# --- merging --------------------------------------------------------------------------


def test_merge__entries_copied_not_moved_and_both_sides_told():
    ic = commander()
    duplicate = declare(actor=ic, title="Tron slow", affected_actions=["payout"])
    target = declare(actor=ic, title="Withdrawals delayed")
    incident_add_entry(actor=ic, incident=duplicate, kind="note", body="Seen at 10:02")
    incident_merge(actor=ic, duplicate=duplicate, into=target, reason="Same outage")
    duplicate.refresh_from_db()
    target.refresh_from_db()
    assert duplicate.status == Status.MERGED and duplicate.merged_into == target
    assert target.affected_actions == ["payout"]
    assert _kinds(duplicate) == [EntryKind.DECLARED, EntryKind.NOTE, EntryKind.MERGE]
    copied = target.timeline.filter(source_incident=duplicate)
    assert sorted(copied.values_list("kind", flat=True)) == ["declared", "note"]
    assert copied.get(kind="note").body == "Seen at 10:02"
    assert target.timeline.get(kind=EntryKind.MERGE).data["merged"] == duplicate.number


def test_merge__itself_merged_closed_chain_and_no_reason__refused():
    ic = commander()
    a, b, c = declare(actor=ic), declare(actor=ic), declare(actor=ic)
    with pytest.raises(ValidationError) as caught:
        incident_merge(actor=ic, duplicate=a, into=a, reason="x")
    assert "into" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        incident_merge(actor=ic, duplicate=a, into=b, reason="")
    assert "reason" in caught.value.message_dict
    incident_merge(actor=ic, duplicate=a, into=b, reason="same")
    a.refresh_from_db()
    with pytest.raises(ValidationError):  # into a merged incident
        incident_merge(actor=ic, duplicate=c, into=a, reason="same")
    with pytest.raises(ValidationError):  # b has a merged into it: no chain b -> c
        incident_merge(actor=ic, duplicate=b, into=c, reason="same")
    closed = incident_set_status(actor=ic, incident=declare(actor=ic), status="closed")
    with pytest.raises(ValidationError) as caught:
        incident_merge(actor=ic, duplicate=c, into=closed, reason="same")
    assert "into" in caught.value.message_dict
