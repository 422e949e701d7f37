"""Role-matrix entries of approvals: /v1/approvals/ and the approvals pages.

The objects: two super admins (so two-person changes are possible), one of whom files a
request granting ``finance`` to a support person. A matrix caller is never that
requester, so deciding is open to every other super admin; the approve call carries a
wrong code, which is a 400 for someone allowed to approve and a 403 for anyone else.
Cancelling is the requester's alone, so every matrix caller is refused.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from apps.accounts.roles import INCIDENT_COMMANDER, SUPER_ADMIN
from tests.factories import UserFactory
from tests.matrix import EVERY_ROLE, Entry

DECIDERS = {SUPER_ADMIN}
FREEZE_MANAGERS = {SUPER_ADMIN, INCIDENT_COMMANDER}


def _super_admins(ctx):
    return ctx.get(
        "super_admins",
        lambda: (UserFactory(roles=[SUPER_ADMIN]), UserFactory(roles=[SUPER_ADMIN])),
    )


def _request(ctx):
    def make():
        from apps.approvals.services import change_request_create

        requester = _super_admins(ctx)[0]
        person = UserFactory(roles=["support"])
        return change_request_create(
            actor=requester,
            kind="accounts.role_change",
            payload={"user": person.pk, "role": "finance", "action": "grant"},
            reason="matrix",
        )

    return ctx.get("change_request", make)


def _window(ctx):
    def make():
        from apps.approvals.freeze import freeze_window_create

        return freeze_window_create(
            actor=UserFactory(roles=[INCIDENT_COMMANDER]),
            name="matrix freeze",
            kind="code_freeze",
            starts_at=timezone.now() + timedelta(days=1),
            ends_at=timezone.now() + timedelta(days=2),
            frozen_kinds=["accounts.role_change"],
            reason="matrix",
        )

    return ctx.get("freeze_window", make)


def _role_change_body(ctx):
    _super_admins(ctx)
    person = UserFactory(roles=["support"])
    return {
        "kind": "accounts.role_change",
        "payload": {"user": person.pk, "role": "finance", "action": "grant"},
        "reason": "matrix",
    }


ENTRIES = [
    # --- /v1/ ------------------------------------------------------------------------
    Entry("approvals.api.list", "GET", "/v1/approvals/", roles=EVERY_ROLE),
    Entry(
        "approvals.api.create",
        "POST",
        "/v1/approvals/",
        roles={SUPER_ADMIN},
        data=_role_change_body,
        notes="the role-change kind needs accounts.assign_role",
    ),
    Entry(
        "approvals.api.detail",
        "GET",
        lambda ctx: f"/v1/approvals/{_request(ctx).pk}/",
        roles=EVERY_ROLE,
    ),
    Entry(
        "approvals.api.detail_without_slash",
        "GET",
        lambda ctx: f"/v1/approvals/{_request(ctx).pk}",
        roles=EVERY_ROLE,
    ),
    Entry(
        "approvals.api.approve",
        "POST",
        lambda ctx: f"/v1/approvals/{_request(ctx).pk}/approve",
        roles=DECIDERS,
        data={"otp_code": "000000x"},
    ),
    Entry(
        "approvals.api.reject",
        "POST",
        lambda ctx: f"/v1/approvals/{_request(ctx).pk}/reject",
        roles=DECIDERS,
        data={"comment": "matrix"},
    ),
    Entry(
        "approvals.api.cancel",
        "POST",
        lambda ctx: f"/v1/approvals/{_request(ctx).pk}/cancel",
        roles=set(),
        notes="only the requester, who is never a matrix caller",
    ),
    # --- portal pages ------------------------------------------------------------------
    Entry("approvals.page.inbox", "GET", "/approvals/", roles=EVERY_ROLE),
    Entry(
        "approvals.page.detail",
        "GET",
        lambda ctx: f"/approvals/{_request(ctx).pk}/",
        roles=EVERY_ROLE,
    ),
    Entry(
        "approvals.page.approve",
        "POST",
        lambda ctx: f"/approvals/{_request(ctx).pk}/approve/",
        roles=DECIDERS,
        data=lambda ctx: {"otp_code": "000000x", "payload_sha256": _request(ctx).payload_sha256},
    ),
    Entry(
        "approvals.page.reject",
        "POST",
        lambda ctx: f"/approvals/{_request(ctx).pk}/reject/",
        roles=DECIDERS,
        data={"comment": "matrix"},
    ),
    Entry(
        "approvals.page.cancel",
        "POST",
        lambda ctx: f"/approvals/{_request(ctx).pk}/cancel/",
        roles=set(),
    ),
    Entry("approvals.page.role_change_new", "GET", "/approvals/roles/new/", roles={SUPER_ADMIN}),
    Entry("approvals.page.freeze_windows", "GET", "/approvals/freeze/", roles=EVERY_ROLE),
    Entry(
        "approvals.page.freeze_window_create",
        "POST",
        "/approvals/freeze/",
        roles=FREEZE_MANAGERS,
        data={"name": "matrix", "kind": "code_freeze", "reason": "matrix"},
    ),
    Entry(
        "approvals.page.freeze_window_end",
        "POST",
        lambda ctx: f"/approvals/freeze/{_window(ctx).pk}/end/",
        roles=FREEZE_MANAGERS,
    ),
]
