"""Fixtures of the approvals tests: a test change kind that renames a Group, two super
admins, and fresh OTP codes."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError

from apps.approvals import registry
from apps.approvals.models import ChangeRequest
from apps.audit.models import AuditEvent
from tests.conftest import confirmed_totp_device, fresh_code  # noqa: F401  (shared helpers)

RENAME_KIND = "tests.group_rename"


class GroupRenameHandler(registry.ChangeHandler):
    """Renames a Group: the group's name is its version, so any rename is a new version."""

    kind = RENAME_KIND
    request_permission = "approvals.view_changerequest"

    def __init__(self) -> None:
        self.applied: list[int] = []

    def validate(self, payload: dict) -> dict:
        group = Group.objects.filter(name=payload.get("group") or "").first()
        new_name = str(payload.get("new_name") or "").strip()
        errors = {}
        if group is None:
            errors["group"] = ["No such group."]
        if not new_name:
            errors["new_name"] = ["A new name is required."]
        if errors:
            raise ValidationError(errors)
        return {"group_id": group.pk, "group": group.name, "new_name": new_name}

    def target(self, payload: dict) -> str:
        return f"tests.group:{payload['group_id']}"

    def current_version(self, target: str) -> str:
        group = Group.objects.filter(pk=int(target.split(":")[1])).first()
        return group.name if group else ""

    def diff(self, payload: dict) -> list[dict]:
        return [{"field": "name", "before": payload["group"], "after": payload["new_name"]}]

    def apply(self, *, change_request, actor) -> dict:
        group = Group.objects.get(pk=change_request.payload["group_id"])
        group.name = change_request.payload["new_name"]
        group.save()
        self.applied.append(change_request.pk)
        return {"group": group.pk, "name": group.name}

    def describe(self, payload: dict) -> str:
        return f"Rename group {payload['group']} to {payload['new_name']}"


@pytest.fixture
def rename_handler():
    handler = GroupRenameHandler()
    registry.register(handler)
    yield handler
    registry.unregister(RENAME_KIND)


@pytest.fixture
def launch_group(db):
    return Group.objects.create(name="launch-team")


@pytest.fixture
def super_admins(make_user):
    """Two super admins, so two-person changes are possible."""
    return make_user("super_admin"), make_user("super_admin")


def events(name: str, **filters):
    return AuditEvent.objects.filter(name=name, **filters)


def rename_request(requester, group, new_name="launch-crew", **fields) -> ChangeRequest:
    """File a rename through the service (for tests whose subject is the decision)."""
    from apps.approvals.services import change_request_create

    return change_request_create(
        actor=requester,
        kind=RENAME_KIND,
        payload={"group": group.name, "new_name": new_name},
        reason=fields.pop("reason", "Rename for the launch"),
        **fields,
    )
