"""Freeze windows: frozen kinds are refused unless filed as an exception, and only an
incident commander (grant_freeze_exception) approves an exception."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.approvals.freeze import freeze_window_create
from apps.approvals.models import ChangeRequest, FreezeWindow
from apps.audit.models import LogEntry
from tests.approvals.conftest import RENAME_KIND, events, fresh_code, rename_request

pytestmark = pytest.mark.usefixtures("rename_handler", "super_admins")

URL = "/v1/approvals/"


@pytest.fixture
def config_freeze(make_user):
    commander = make_user("incident_commander")
    return freeze_window_create(
        actor=commander,
        name="Launch config freeze",
        kind="config_freeze",
        starts_at=timezone.now() - timedelta(hours=1),
        ends_at=timezone.now() + timedelta(hours=6),
        frozen_kinds=[RENAME_KIND],
        reason="T0 cutover",
    )


def _file(api, group, **extra):
    return api.post(
        URL,
        {
            "kind": RENAME_KIND,
            "payload": {"group": group.name, "new_name": "launch-crew"},
            "reason": "Needed for the cutover",
            **extra,
        },
        format="json",
    )


def test_change_request__frozen_kind_without_exception__refused_and_refusal_audited(
    make_user, verified_api_client, launch_group, config_freeze
):
    finance = make_user("finance")

    response = _file(verified_api_client(finance), launch_group)

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "frozen"
    assert "Launch config freeze" in error["message"]
    assert "freeze_exception_reason" in error["fields"]
    assert not ChangeRequest.objects.exists()
    refusal = events("approval.freeze_refused", actor=finance).get()
    assert refusal.data["kind"] == RENAME_KIND
    assert refusal.data["freeze_window"] == config_freeze.pk


def test_change_request__frozen_kind_refused_with_idempotency_key__refusal_still_audited(
    make_user, verified_api_client, launch_group, config_freeze
):
    finance = make_user("finance")

    response = verified_api_client(finance).post(
        URL,
        {
            "kind": RENAME_KIND,
            "payload": {"group": launch_group.name, "new_name": "x"},
            "reason": "r",
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY="frozen-1",
    )

    assert response.status_code == 409
    assert events("approval.freeze_refused", actor=finance).count() == 1


def test_freeze_exception__super_admin_refused_incident_commander_applies__audited(
    make_user, verified_api_client, launch_group, config_freeze, super_admins, rename_handler
):
    filed = _file(
        verified_api_client(make_user("finance")),
        launch_group,
        freeze_exception_reason="Wrong treasury address live; fix before opening",
    )
    assert filed.status_code == 201, filed.content
    change_request = ChangeRequest.objects.get(pk=filed.json()["id"])
    assert change_request.freeze_exception is True
    admin = super_admins[0]
    commander = make_user("incident_commander")

    refused = verified_api_client(admin).post(
        f"{URL}{change_request.pk}/approve", {"otp_code": fresh_code(admin)}, format="json"
    )
    approved = verified_api_client(commander).post(
        f"{URL}{change_request.pk}/approve", {"otp_code": fresh_code(commander)}, format="json"
    )

    assert refused.status_code == 403
    assert approved.status_code == 200, approved.content
    change_request.refresh_from_db()
    assert change_request.status == "applied"
    assert change_request.decided_by == commander
    launch_group.refresh_from_db()
    assert launch_group.name == "launch-crew"
    assert rename_handler.applied == [change_request.pk]
    applied = events("approval.applied", target_id=str(change_request.pk), actor=commander).get()
    assert applied.data["freeze_exception"] is True
    created = events("approval.created", target_id=str(change_request.pk)).get()
    assert created.data["freeze_window"] == config_freeze.pk
    assert LogEntry.objects.filter(
        content_type__model="changerequest", object_pk=str(change_request.pk), actor=commander
    ).exists()


def test_freeze_window__kind_not_listed__requests_accepted(
    make_user, verified_api_client, launch_group
):
    commander = make_user("incident_commander")
    freeze_window_create(
        actor=commander,
        name="Role freeze",
        kind="config_freeze",
        starts_at=timezone.now() - timedelta(minutes=5),
        ends_at=timezone.now() + timedelta(hours=1),
        frozen_kinds=["accounts.role_change"],
        reason="r",
    )

    response = _file(verified_api_client(make_user("finance")), launch_group)

    assert response.status_code == 201
    assert response.json()["freeze_exception"] is False


def test_freeze_window__started_after_filing__approval_refused_until_refiled(
    make_user, verified_api_client, launch_group, super_admins
):
    change_request = rename_request(make_user("finance"), launch_group)
    freeze_window_create(
        actor=make_user("incident_commander"),
        name="Late freeze",
        kind="code_freeze",
        starts_at=timezone.now() - timedelta(minutes=1),
        ends_at=timezone.now() + timedelta(hours=1),
        frozen_kinds=[],
        reason="r",
    )
    approver = super_admins[0]

    response = verified_api_client(approver).post(
        f"{URL}{change_request.pk}/approve", {"otp_code": fresh_code(approver)}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "frozen"
    change_request.refresh_from_db()
    assert change_request.status == "pending"


def test_freeze_windows_page__incident_commander_creates_and_ends__audited(
    make_user, verified_client
):
    commander = make_user("incident_commander")
    client = verified_client(commander)
    start = timezone.localtime() - timedelta(minutes=10)
    end = start + timedelta(hours=4)

    created = client.post(
        reverse("approvals:freeze_windows"),
        {
            "name": "Go-live freeze",
            "kind": "config_freeze",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": end.strftime("%Y-%m-%dT%H:%M"),
            "frozen_kinds": [RENAME_KIND],
            "reason": "Launch day",
        },
    )

    assert created.status_code == 302, created.content.decode()
    window = FreezeWindow.objects.get()
    assert window.frozen_kinds == [RENAME_KIND]
    assert window.created_by == commander
    assert events("freeze.created", target_id=str(window.pk), actor=commander).exists()
    page = client.get(reverse("approvals:freeze_windows")).content.decode()
    assert "Go-live freeze" in page

    ended = client.post(reverse("approvals:freeze_window_end", args=[window.pk]))

    assert ended.status_code == 302
    window.refresh_from_db()
    assert window.ended_by == commander
    assert events("freeze.ended", target_id=str(window.pk)).exists()


def test_freeze_windows_page__ends_before_start__field_error_nothing_saved(
    make_user, verified_client
):
    client = verified_client(make_user("super_admin"))
    start = timezone.localtime() + timedelta(hours=2)

    response = client.post(
        reverse("approvals:freeze_windows"),
        {
            "name": "Backwards",
            "kind": "code_freeze",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "reason": "r",
        },
    )

    assert response.status_code == 400
    assert not FreezeWindow.objects.exists()


@pytest.mark.parametrize("role", ["ops", "finance", "support", "reviewer"])
def test_freeze_windows_page__without_manage_freeze__cannot_create(
    role, make_user, verified_client
):
    client = verified_client(make_user(role))

    page = client.get(reverse("approvals:freeze_windows"))
    response = client.post(
        reverse("approvals:freeze_windows"),
        {"name": "x", "kind": "code_freeze", "reason": "r"},
    )

    assert page.status_code == 200
    assert response.status_code == 403
    assert not FreezeWindow.objects.exists()
