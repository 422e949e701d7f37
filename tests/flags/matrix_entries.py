"""Role-matrix entries of the flags app (see tests/matrix.py): every /v1/ flags route and
the main portal pages.

Everyone verified reads and evaluates flags; tokens do with ``flags:read``. Setting a
state: the safe direction (a global block of ``feed.post``) is ops, incident commanders
and super admins, and tokens with ``flags:write``; support may set user-scoped states
only, so a global block is refused for them. Super admins add flags; ops and super admins
schedule and cancel changes (people only).
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from apps.accounts.roles import INCIDENT_COMMANDER, OPS, SUPER_ADMIN, SUPPORT
from tests.factories import UserFactory
from tests.matrix import EVERY_ROLE, Entry

READ = {"flags:read"}
WRITE = {"flags:write"}
BLOCKERS = {OPS, INCIDENT_COMMANDER, SUPER_ADMIN}
SCHEDULERS = {OPS, SUPER_ADMIN}


def _scheduled(ctx):
    def make():
        from apps.flags import services
        from apps.flags.models import Flag

        return services.scheduled_change_create(
            actor=ctx.get("actor", lambda: UserFactory(roles=[OPS])),
            flag=Flag.objects.get(key="feed.post"),
            state="blocked",
            run_at=timezone.now() + timedelta(hours=3),
            reason="matrix maintenance",
        )

    return ctx.get("scheduled", make)


def _schedule_body(ctx):
    return {
        "flag": "feed.post",
        "state": "blocked",
        "run_at": (timezone.now() + timedelta(hours=5)).isoformat(),
        "reason": "matrix",
    }


ENTRIES = [
    # --- /v1/flags ---------------------------------------------------------------------
    Entry("flags.api.list", "GET", "/v1/flags/", roles=EVERY_ROLE, scopes=READ),
    Entry(
        "flags.api.create",
        "POST",
        "/v1/flags/",
        roles={SUPER_ADMIN},
        data=lambda ctx: {
            "key": ctx.unique("matrix.flag"),
            "description": "matrix",
            "kind": "kill_switch",
        },
    ),
    Entry("flags.api.detail", "GET", "/v1/flags/contribute/", roles=EVERY_ROLE, scopes=READ),
    Entry("flags.api.states", "GET", "/v1/flags/contribute/states", roles=EVERY_ROLE, scopes=READ),
    Entry(
        "flags.api.evaluate",
        "GET",
        "/v1/flags/contribute/evaluate?round=42&user=u-1",
        roles=EVERY_ROLE,
        scopes=READ,
    ),
    Entry(
        "flags.api.evaluate_batch",
        "POST",
        "/v1/flags/evaluate",
        roles=EVERY_ROLE,
        scopes=READ,
        data={"checks": [{"flag": "contribute", "context": {"round": "42"}}]},
    ),
    Entry("flags.api.snapshot", "GET", "/v1/flags/snapshot", roles=EVERY_ROLE, scopes=READ),
    Entry(
        "flags.api.set",
        "POST",
        "/v1/admin/system-flags/set",
        roles=BLOCKERS,
        scopes=WRITE,
        data={"flag": "feed.post", "state": "blocked", "reason": "matrix"},
    ),
    Entry(
        "flags.api.set_user_scope",
        "POST",
        "/v1/admin/system-flags/set",
        roles=BLOCKERS | {SUPPORT},
        scopes=WRITE,
        data={"flag": "feed.post", "state": "blocked", "scope": {"user": "u-1"}, "reason": "m"},
    ),
    Entry(
        "flags.api.scheduled.list",
        "GET",
        "/v1/flags/scheduled-changes",
        roles=EVERY_ROLE,
        scopes=READ,
    ),
    Entry(
        "flags.api.scheduled.create",
        "POST",
        "/v1/flags/scheduled-changes",
        roles=SCHEDULERS,
        data=_schedule_body,
    ),
    Entry(
        "flags.api.scheduled.cancel",
        "POST",
        lambda ctx: f"/v1/flags/scheduled-changes/{_scheduled(ctx).pk}/cancel",
        roles=SCHEDULERS,
        data={"reason": "matrix"},
    ),
    # --- portal pages ----------------------------------------------------------------------
    Entry("flags.page.panel", "GET", "/flags/", roles=EVERY_ROLE),
    Entry("flags.page.detail", "GET", "/flags/contribute/", roles=EVERY_ROLE),
    Entry("flags.page.scheduled", "GET", "/flags/scheduled/", roles=EVERY_ROLE),
    # feed.post accepts the user scope, so support gets the (user-scoped) form too.
    Entry("flags.page.block_form", "GET", "/flags/feed.post/block", roles=BLOCKERS | {SUPPORT}),
    Entry(
        "flags.page.block",
        "POST",
        "/flags/feed.post/block",
        roles=BLOCKERS | {SUPPORT},
        data={"scope_kind": "user", "scope_value": "u-2", "reason": "matrix"},
    ),
    Entry(
        "flags.page.unblock_form",
        "GET",
        "/flags/feed.post/unblock",
        roles={OPS, SUPER_ADMIN, SUPPORT},
    ),
    # Whoever sets user-scoped states may ask for a customer's unblock (claim: fund-related).
    Entry(
        "flags.page.request_unblock_form",
        "GET",
        "/flags/claim/request-unblock?scope_value=u-3",
        roles={OPS, SUPER_ADMIN, SUPPORT},
    ),
    Entry(
        "flags.page.request_unblock",
        "POST",
        "/flags/claim/request-unblock",
        roles={OPS, SUPER_ADMIN, SUPPORT},
        data={"scope_value": "u-3", "reason": "matrix"},
    ),
    Entry(
        "flags.page.schedule",
        "POST",
        "/flags/scheduled/",
        roles=SCHEDULERS,
        data={},
    ),
    Entry(
        "flags.page.scheduled_cancel",
        "POST",
        lambda ctx: f"/flags/scheduled/{_scheduled(ctx).pk}/cancel",
        roles=SCHEDULERS,
        data={"reason": "matrix"},
    ),
]
