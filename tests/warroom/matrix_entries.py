"""Role-matrix entries of the war room (see tests/matrix.py): the /v1/ on-call, teams,
escalation-policy and page endpoints, and the main portal pages.

Everyone verified reads who is on call, teams, policies and pages, and may acknowledge;
tokens read with ``oncall:read``. Ops and super admins run teams, schedules and
policies (team leads too, on their own team, through per-object grants: tested in
test_permissions.py); incident commanders may also page a team.
"""

from __future__ import annotations

from datetime import date, time, timedelta

from django.utils import timezone

from apps.accounts.roles import INCIDENT_COMMANDER, OPS, SUPER_ADMIN
from tests.factories import UserFactory
from tests.matrix import EVERY_ROLE, Entry

MANAGERS = {OPS, SUPER_ADMIN}
PAGERS = {OPS, SUPER_ADMIN, INCIDENT_COMMANDER}
READ = {"oncall:read"}


def _services():
    from apps.oncall import services

    return services


def _warroom_services():
    from apps.warroom import services

    return services


def _actor(ctx):
    return ctx.get("actor", lambda: UserFactory(roles=[OPS]))


def _member(ctx):
    return ctx.get("member", lambda: UserFactory(roles=["support"]))


def _team(ctx):
    def make():
        services = _services()
        team = services.team_create(
            actor=_actor(ctx), name=ctx.unique("Matrix team"), slug=ctx.unique("matrix-team")
        )
        services.team_member_add(actor=_actor(ctx), team=team, user=_member(ctx))
        return team

    return ctx.get("team", make)


def _schedule(ctx):
    return ctx.get(
        "schedule",
        lambda: _services().schedule_create(
            actor=_actor(ctx), team=_team(ctx), kind="primary", timezone_name="Europe/Warsaw"
        ),
    )


def _layer(ctx):
    return ctx.get(
        "layer",
        lambda: _services().layer_create(
            actor=_actor(ctx),
            schedule=_schedule(ctx),
            name="Daily",
            shift_kind="daily",
            shift_length=1,
            handoff_time=time(9, 0),
            start_date=date(2027, 1, 1),
            participants=[_member(ctx)],
        ),
    )


def _override(ctx):
    start = timezone.now() + timedelta(days=1)
    return ctx.get(
        "override",
        lambda: _services().override_create(
            actor=_actor(ctx),
            schedule=_schedule(ctx),
            user=_member(ctx),
            start=start,
            end=start + timedelta(hours=4),
        ),
    )


def _feed(ctx):
    return ctx.get(
        "feed",
        lambda: _services().feed_create(actor=_member(ctx), kind="person")[0],
    )


def _policy(ctx):
    return ctx.get(
        "policy",
        lambda: _services().policy_create(
            actor=_actor(ctx),
            team=_team(ctx),
            name="Matrix chain",
            steps=[{"kind": "notify_team_lead"}, {"kind": "wait", "wait_minutes": 30}],
        ),
    )


def _page(ctx):
    _policy(ctx)
    return ctx.get(
        "page",
        lambda: _services().page_trigger(actor=_actor(ctx), team=_team(ctx), title="Matrix page"),
    )


def _override_body(ctx):
    start = timezone.now() + timedelta(days=2)
    return {
        "user": _member(ctx).pk,
        "start": start.isoformat(),
        "end": (start + timedelta(hours=2)).isoformat(),
    }


ENTRIES = [
    # --- /v1/oncall --------------------------------------------------------------------
    Entry("warroom.api.oncall_now", "GET", "/v1/oncall/now", roles=EVERY_ROLE, scopes=READ),
    Entry(
        "warroom.api.schedules.list", "GET", "/v1/oncall/schedules/", roles=EVERY_ROLE, scopes=READ
    ),
    Entry(
        "warroom.api.schedules.create",
        "POST",
        "/v1/oncall/schedules/",
        roles=MANAGERS,
        data=lambda ctx: {"team": _team(ctx).slug, "kind": "backup", "timezone": "Asia/Jakarta"},
    ),
    Entry(
        "warroom.api.schedule.get",
        "GET",
        lambda ctx: f"/v1/oncall/schedules/{_schedule(ctx).pk}",
        roles=EVERY_ROLE,
        scopes=READ,
    ),
    Entry(
        "warroom.api.schedule.update",
        "PATCH",
        lambda ctx: f"/v1/oncall/schedules/{_schedule(ctx).pk}",
        roles=MANAGERS,
        data={"name": "Renamed"},
    ),
    Entry(
        "warroom.api.schedule.final",
        "GET",
        lambda ctx: f"/v1/oncall/schedules/{_schedule(ctx).pk}/final",
        roles=EVERY_ROLE,
        scopes=READ,
    ),
    Entry(
        "warroom.api.layers.create",
        "POST",
        lambda ctx: f"/v1/oncall/schedules/{_schedule(ctx).pk}/layers/",
        roles=MANAGERS,
        data=lambda ctx: {
            "name": "Weekly",
            "shift_kind": "weekly",
            "shift_length": 1,
            "handoff_time": "10:00",
            "start_date": "2027-01-04",
            "participants": [_member(ctx).pk],
        },
    ),
    Entry(
        "warroom.api.layer.update",
        "PATCH",
        lambda ctx: f"/v1/oncall/layers/{_layer(ctx).pk}",
        roles=MANAGERS,
        data={"handoff_time": "08:00"},
    ),
    Entry(
        "warroom.api.layer.end",
        "DELETE",
        lambda ctx: f"/v1/oncall/layers/{_layer(ctx).pk}",
        roles=MANAGERS,
    ),
    Entry(
        "warroom.api.overrides.list",
        "GET",
        lambda ctx: f"/v1/oncall/schedules/{_schedule(ctx).pk}/overrides/",
        roles=EVERY_ROLE,
        scopes=READ,
    ),
    Entry(
        "warroom.api.overrides.create",
        "POST",
        lambda ctx: f"/v1/oncall/schedules/{_schedule(ctx).pk}/overrides/",
        roles=MANAGERS,
        data=_override_body,
    ),
    Entry(
        "warroom.api.override.cancel",
        "POST",
        lambda ctx: f"/v1/oncall/overrides/{_override(ctx).pk}/cancel",
        roles=MANAGERS,
    ),
    Entry("warroom.api.feeds.list", "GET", "/v1/oncall/feeds/", roles=EVERY_ROLE),
    Entry(
        "warroom.api.feeds.create",
        "POST",
        "/v1/oncall/feeds/",
        roles=EVERY_ROLE,
        data={"kind": "person"},
    ),
    # Someone else's feed: a person may call, and gets 404 (only owners see their feeds).
    Entry(
        "warroom.api.feed.revoke",
        "POST",
        lambda ctx: f"/v1/oncall/feeds/{_feed(ctx).pk}/revoke",
        roles=EVERY_ROLE,
    ),
    Entry(
        "warroom.api.feed.rotate",
        "POST",
        lambda ctx: f"/v1/oncall/feeds/{_feed(ctx).pk}/rotate",
        roles=EVERY_ROLE,
    ),
    # --- /v1/teams -----------------------------------------------------------------------
    Entry("warroom.api.teams.list", "GET", "/v1/teams/", roles=EVERY_ROLE, scopes=READ),
    Entry(
        "warroom.api.teams.create",
        "POST",
        "/v1/teams/",
        roles=MANAGERS,
        data=lambda ctx: {"name": ctx.unique("New team"), "slug": ctx.unique("new-team")},
    ),
    Entry(
        "warroom.api.team.get",
        "GET",
        lambda ctx: f"/v1/teams/{_team(ctx).slug}",
        roles=EVERY_ROLE,
        scopes=READ,
    ),
    Entry(
        "warroom.api.team.update",
        "PATCH",
        lambda ctx: f"/v1/teams/{_team(ctx).slug}",
        roles=MANAGERS,
        data={"description": "matrix"},
    ),
    Entry(
        "warroom.api.team.members_add",
        "POST",
        lambda ctx: f"/v1/teams/{_team(ctx).slug}/members",
        roles=MANAGERS,
        data=lambda ctx: {"user": ctx.get("newcomer", lambda: UserFactory(roles=["finance"])).pk},
    ),
    Entry(
        "warroom.api.team.members_remove",
        "DELETE",
        lambda ctx: f"/v1/teams/{_team(ctx).slug}/members",
        roles=MANAGERS,
        data=lambda ctx: {"user": _member(ctx).pk},
    ),
    Entry(
        "warroom.api.team.lead",
        "POST",
        lambda ctx: f"/v1/teams/{_team(ctx).slug}/lead",
        roles=MANAGERS,
        data=lambda ctx: {"user": _member(ctx).pk},
    ),
    Entry(
        "warroom.api.team.test_page",
        "POST",
        lambda ctx: f"/v1/teams/{_team(ctx).slug}/test-page",
        roles=MANAGERS,
    ),
    # --- /v1/escalation-policies ---------------------------------------------------------
    Entry(
        "warroom.api.policies.list",
        "GET",
        "/v1/escalation-policies/",
        roles=EVERY_ROLE,
        scopes=READ,
    ),
    Entry(
        "warroom.api.policies.create",
        "POST",
        "/v1/escalation-policies/",
        roles=MANAGERS,
        data=lambda ctx: {
            "team": _team(ctx).slug,
            "name": ctx.unique("policy"),
            "steps": [{"kind": "notify_team_lead"}],
        },
    ),
    Entry(
        "warroom.api.policy.get",
        "GET",
        lambda ctx: f"/v1/escalation-policies/{_policy(ctx).pk}",
        roles=EVERY_ROLE,
        scopes=READ,
    ),
    Entry(
        "warroom.api.policy.update",
        "PATCH",
        lambda ctx: f"/v1/escalation-policies/{_policy(ctx).pk}",
        roles=MANAGERS,
        data={"description": "matrix"},
    ),
    # --- /v1/pages -------------------------------------------------------------------------
    Entry("warroom.api.pages.list", "GET", "/v1/pages/", roles=EVERY_ROLE, scopes=READ),
    Entry(
        "warroom.api.pages.trigger",
        "POST",
        "/v1/pages/",
        roles=PAGERS,
        data=lambda ctx: {"team": _policy(ctx).team.slug, "title": "matrix"},
    ),
    Entry(
        "warroom.api.page.get",
        "GET",
        lambda ctx: f"/v1/pages/{_page(ctx).pk}",
        roles=EVERY_ROLE,
        scopes=READ,
    ),
    Entry(
        "warroom.api.page.acknowledge",
        "POST",
        lambda ctx: f"/v1/pages/{_page(ctx).pk}/acknowledge",
        roles=EVERY_ROLE,
    ),
    Entry(
        "warroom.api.page.resolve",
        "POST",
        lambda ctx: f"/v1/pages/{_page(ctx).pk}/resolve",
        roles=EVERY_ROLE,
        data={"note": "matrix"},
    ),
    # --- portal pages ----------------------------------------------------------------------
    Entry("warroom.page.board", "GET", "/warroom/", roles=EVERY_ROLE),
    Entry(
        "warroom.page.team",
        "GET",
        lambda ctx: f"/warroom/teams/{_team(ctx).slug}/",
        roles=EVERY_ROLE,
    ),
    Entry(
        "warroom.page.schedule",
        "GET",
        lambda ctx: f"/warroom/schedules/{_schedule(ctx).pk}/",
        roles=EVERY_ROLE,
    ),
    Entry(
        "warroom.page.layer_new",
        "GET",
        lambda ctx: f"/warroom/schedules/{_schedule(ctx).pk}/layers/new",
        roles=MANAGERS,
    ),
    Entry(
        "warroom.page.override_new",
        "GET",
        lambda ctx: f"/warroom/schedules/{_schedule(ctx).pk}/overrides/new",
        roles=MANAGERS,
    ),
    Entry(
        "warroom.page.board_override",
        "POST",
        lambda ctx: f"/warroom/teams/{_schedule(ctx).team.slug}/override",
        roles=MANAGERS,
        data={},
    ),
    Entry(
        "warroom.page.policy",
        "GET",
        lambda ctx: f"/warroom/policies/{_policy(ctx).pk}/",
        roles=EVERY_ROLE,
    ),
    Entry(
        "warroom.page.policy_edit",
        "GET",
        lambda ctx: f"/warroom/policies/{_policy(ctx).pk}/edit",
        roles=MANAGERS,
    ),
    Entry("warroom.page.pages", "GET", "/warroom/pages/", roles=EVERY_ROLE),
    Entry(
        "warroom.page.page_detail",
        "GET",
        lambda ctx: f"/warroom/pages/{_page(ctx).pk}/",
        roles=EVERY_ROLE,
    ),
    Entry(
        "warroom.page.trigger",
        "POST",
        lambda ctx: f"/warroom/teams/{_policy(ctx).team.slug}/page",
        roles=PAGERS,
        data={"title": "matrix"},
    ),
    Entry(
        "warroom.page.test_page",
        "POST",
        lambda ctx: f"/warroom/teams/{_team(ctx).slug}/test-page",
        roles=MANAGERS,
    ),
    Entry(
        "warroom.page.launch_chain",
        "POST",
        lambda ctx: f"/warroom/teams/{_team(ctx).slug}/policies/launch-chain",
        roles=MANAGERS,
        data={},
    ),
    Entry("warroom.page.feeds", "GET", "/warroom/feeds/", roles=EVERY_ROLE),
]


# --- checklists ------------------------------------------------------------------------------
# Everyone verified reads templates, runs and reports (tokens with ``oncall:read``); ops,
# super admins, incident commanders and finance start runs and mark items; ops and super
# admins edit templates. Tokens never write.

from apps.accounts.roles import FINANCE  # noqa: E402

CHECKLIST_RUNNERS = {OPS, SUPER_ADMIN, INCIDENT_COMMANDER, FINANCE}


def _checklist_template(ctx):
    return ctx.get(
        "checklist_template",
        lambda: _warroom_services().checklist_template_create(
            actor=_actor(ctx),
            name=ctx.unique("Matrix checklist"),
            slug=ctx.unique("matrix-checklist"),
            items=[{"title": "First"}, {"title": "Second", "evidence_required": True}],
        ),
    )


def _checklist_run(ctx):
    return ctx.get(
        "checklist_run",
        lambda: _warroom_services().checklist_run_start(
            actor=_actor(ctx), template=_checklist_template(ctx)
        ),
    )


def _run_url(suffix: str = ""):
    return lambda ctx: f"/v1/checklists/runs/{_checklist_run(ctx).pk}{suffix}"


def _run_page(suffix: str = ""):
    return lambda ctx: f"/warroom/checklists/runs/{_checklist_run(ctx).pk}/{suffix}"


ENTRIES += [
    # /v1/checklists
    Entry(
        "warroom.api.checklists.templates",
        "GET",
        "/v1/checklists/templates/",
        roles=EVERY_ROLE,
        scopes=READ,
    ),
    Entry(
        "warroom.api.checklists.template",
        "GET",
        lambda ctx: f"/v1/checklists/templates/{_checklist_template(ctx).slug}",
        roles=EVERY_ROLE,
        scopes=READ,
    ),
    Entry(
        "warroom.api.checklists.runs",
        "GET",
        "/v1/checklists/runs/",
        roles=EVERY_ROLE,
        scopes=READ,
    ),
    Entry(
        "warroom.api.checklists.run_start",
        "POST",
        "/v1/checklists/runs/",
        roles=CHECKLIST_RUNNERS,
        data=lambda ctx: {"template": _checklist_template(ctx).slug},
    ),
    Entry(
        "warroom.api.checklists.run",
        "GET",
        _run_url(),
        roles=EVERY_ROLE,
        scopes=READ,
    ),
    Entry(
        "warroom.api.checklists.item_mark",
        "POST",
        _run_url("/items/1"),
        roles=CHECKLIST_RUNNERS,
        data={"result": "passed"},
    ),
    Entry(
        "warroom.api.checklists.run_complete",
        "POST",
        _run_url("/complete"),
        roles=CHECKLIST_RUNNERS,
        data={},
    ),
    Entry(
        "warroom.api.checklists.run_abandon",
        "POST",
        _run_url("/abandon"),
        roles=CHECKLIST_RUNNERS,
        data={"reason": "matrix"},
    ),
    Entry(
        "warroom.api.checklists.run_report",
        "GET",
        _run_url("/report.md"),
        roles=EVERY_ROLE,
        scopes=READ,
    ),
    # portal pages
    Entry("warroom.page.checklists", "GET", "/warroom/checklists/", roles=EVERY_ROLE),
    Entry(
        "warroom.page.checklist_start",
        "GET",
        "/warroom/checklists/start",
        roles=CHECKLIST_RUNNERS,
    ),
    Entry(
        "warroom.page.checklist_start_post",
        "POST",
        "/warroom/checklists/start",
        roles=CHECKLIST_RUNNERS,
        data=lambda ctx: {"template": _checklist_template(ctx).slug, "environment": "staging"},
    ),
    Entry(
        "warroom.page.checklist_template",
        "GET",
        lambda ctx: f"/warroom/checklists/templates/{_checklist_template(ctx).slug}/",
        roles=EVERY_ROLE,
    ),
    Entry(
        "warroom.page.checklist_template_new",
        "GET",
        "/warroom/checklists/templates/new",
        roles=MANAGERS,
    ),
    Entry(
        "warroom.page.checklist_template_edit",
        "GET",
        lambda ctx: f"/warroom/checklists/templates/{_checklist_template(ctx).slug}/edit",
        roles=MANAGERS,
    ),
    Entry("warroom.page.checklist_run", "GET", _run_page(), roles=EVERY_ROLE),
    Entry(
        "warroom.page.checklist_item_mark",
        "POST",
        lambda ctx: f"/warroom/checklists/runs/{_checklist_run(ctx).pk}/items/1",
        roles=CHECKLIST_RUNNERS,
        data={"i1-result": "passed"},
    ),
    Entry(
        "warroom.page.checklist_complete",
        "POST",
        lambda ctx: f"/warroom/checklists/runs/{_checklist_run(ctx).pk}/complete",
        roles=CHECKLIST_RUNNERS,
        data={},
    ),
    Entry(
        "warroom.page.checklist_abandon",
        "POST",
        lambda ctx: f"/warroom/checklists/runs/{_checklist_run(ctx).pk}/abandon",
        roles=CHECKLIST_RUNNERS,
        data={"reason": "matrix"},
    ),
    Entry("warroom.page.checklist_report", "GET", _run_page("report"), roles=EVERY_ROLE),
    Entry(
        "warroom.page.checklist_report_md",
        "GET",
        lambda ctx: f"/warroom/checklists/runs/{_checklist_run(ctx).pk}/report.md",
        roles=EVERY_ROLE,
    ),
    Entry(
        "warroom.page.checklist_report_pdf",
        "GET",
        lambda ctx: f"/warroom/checklists/runs/{_checklist_run(ctx).pk}/report.pdf",
        roles=EVERY_ROLE,
    ),
]


# --- launch plans and the war-room log (/v1/launches/, /warroom/launches/, /warroom/launch-log/)
# Everyone verified reads (tokens with oncall:read); ops, incident commanders and super
# admins run launches. A task's owners may also set its status and add notes to its log:
# the matrix's callers own no task, so they are refused (owners: test_launch_services.py).

LAUNCH_MANAGERS = {OPS, SUPER_ADMIN, INCIDENT_COMMANDER}


def _launch_actor(ctx):
    return ctx.get("launch_actor", lambda: UserFactory(roles=[INCIDENT_COMMANDER]))


def _launch(ctx):
    return ctx.get(
        "launch",
        lambda: _warroom_services().launch_plan_create(
            actor=_launch_actor(ctx),
            name=ctx.unique("Matrix launch"),
            t0=timezone.now() + timedelta(days=3),
        ),
    )


def _launch_task(ctx):
    def make():
        plan = _launch(ctx)
        return _warroom_services().launch_task_create(
            actor=_launch_actor(ctx),
            plan=plan,
            phase=plan.phases.get(kind="canary"),
            title="Matrix task",
            offset=timedelta(hours=-2),
            offset_unit="h",
        )

    return ctx.get("launch_task", make)


def _launch_url(suffix=""):
    return lambda ctx: f"/v1/launches/{_launch(ctx).pk}{suffix}"


def _launch_page(suffix=""):
    return lambda ctx: f"/warroom/launches/{_launch(ctx).pk}/{suffix}"


ENTRIES += [
    Entry("warroom.api.launches.list", "GET", "/v1/launches/", roles=EVERY_ROLE, scopes=READ),
    Entry(
        "warroom.api.launches.create",
        "POST",
        "/v1/launches/",
        roles=LAUNCH_MANAGERS,
        data=lambda ctx: {"name": ctx.unique("API launch"), "t0": "2027-03-28T09:00:00Z"},
    ),
    Entry("warroom.api.launch.get", "GET", _launch_url(), roles=EVERY_ROLE, scopes=READ),
    Entry(
        "warroom.api.launch.update",
        "PATCH",
        _launch_url(),
        roles=LAUNCH_MANAGERS,
        data={"description": "matrix"},
    ),
    Entry(
        "warroom.api.launch.status",
        "POST",
        _launch_url("/status"),
        roles=LAUNCH_MANAGERS,
        data={"status": "live"},
    ),
    Entry(
        "warroom.api.launch.tasks.list",
        "GET",
        _launch_url("/tasks/"),
        roles=EVERY_ROLE,
        scopes=READ,
    ),
    Entry(
        "warroom.api.launch.tasks.create",
        "POST",
        _launch_url("/tasks/"),
        roles=LAUNCH_MANAGERS,
        data={"phase": "canary", "title": "matrix", "offset": "T-30 min"},
    ),
    Entry(
        "warroom.api.launch.task.status",
        "POST",
        lambda ctx: f"/v1/launches/{_launch(ctx).pk}/tasks/{_launch_task(ctx).pk}/status",
        roles=LAUNCH_MANAGERS,
        data={"status": "in_progress"},
    ),
    Entry(
        "warroom.api.launch.criteria.list",
        "GET",
        _launch_url("/rollback-criteria/"),
        roles=EVERY_ROLE,
        scopes=READ,
    ),
    Entry(
        "warroom.api.launch.criteria.create",
        "POST",
        _launch_url("/rollback-criteria/"),
        roles=LAUNCH_MANAGERS,
        data={"condition": "matrix", "threshold": "error rate > 5%"},
    ),
    Entry(
        "warroom.api.launch.log.list",
        "GET",
        _launch_url("/log/"),
        roles=EVERY_ROLE,
        scopes=READ,
    ),
    Entry(
        "warroom.api.launch.log.append",
        "POST",
        _launch_url("/log/"),
        roles=LAUNCH_MANAGERS,
        data={"kind": "note", "text": "matrix"},
    ),
    Entry(
        "warroom.api.launches.log_all.list",
        "GET",
        "/v1/launches/log/",
        roles=EVERY_ROLE,
        scopes=READ,
    ),
    Entry(
        "warroom.api.launches.log_all.append",
        "POST",
        "/v1/launches/log/",
        roles=LAUNCH_MANAGERS,
        data={"kind": "note", "text": "matrix"},
    ),
    # --- pages ---------------------------------------------------------------------------
    Entry("warroom.page.launch_list", "GET", "/warroom/launches/", roles=EVERY_ROLE),
    Entry("warroom.page.launch_new", "GET", "/warroom/launches/new", roles=LAUNCH_MANAGERS),
    Entry("warroom.page.launch_detail", "GET", _launch_page(), roles=EVERY_ROLE),
    Entry("warroom.page.launch_countdown", "GET", _launch_page("countdown"), roles=EVERY_ROLE),
    Entry("warroom.page.launch_edit", "GET", _launch_page("edit"), roles=LAUNCH_MANAGERS),
    Entry(
        "warroom.page.launch_status",
        "POST",
        _launch_page("status"),
        roles=LAUNCH_MANAGERS,
        data={"status": "live"},
    ),
    Entry("warroom.page.launch_task_new", "GET", _launch_page("tasks/new"), roles=LAUNCH_MANAGERS),
    Entry(
        "warroom.page.launch_criterion_new",
        "POST",
        _launch_page("criteria/new"),
        roles=LAUNCH_MANAGERS,
        data={"criterion-condition": "matrix"},
    ),
    Entry(
        "warroom.page.launch_task_edit",
        "GET",
        lambda ctx: f"/warroom/launch-tasks/{_launch_task(ctx).pk}/edit",
        roles=LAUNCH_MANAGERS,
    ),
    Entry(
        "warroom.page.launch_task_status",
        "POST",
        lambda ctx: f"/warroom/launch-tasks/{_launch_task(ctx).pk}/status",
        roles=LAUNCH_MANAGERS,
        data=lambda ctx: {f"task-{_launch_task(ctx).pk}-status": "in_progress"},
    ),
    Entry("warroom.page.launch_log", "GET", "/warroom/launch-log/", roles=EVERY_ROLE),
    Entry(
        "warroom.page.launch_log_append",
        "POST",
        "/warroom/launch-log/append",
        roles=LAUNCH_MANAGERS,
        data=lambda ctx: {"plan": _launch(ctx).pk, "log-kind": "note", "log-text": "matrix"},
    ),
]


# --- the remaining on-call and checklist pages -------------------------------------------------
# Object pages check the loaded object (team leads pass through their grants, tested in
# test_permissions.py); a page of a person's own (feeds) answers 404 to everyone else.

ENTRIES += [
    Entry(
        "warroom.page.schedule_edit",
        "GET",
        lambda ctx: f"/warroom/schedules/{_schedule(ctx).pk}/edit",
        roles=MANAGERS,
    ),
    Entry(
        "warroom.page.layer_edit",
        "GET",
        lambda ctx: f"/warroom/layers/{_layer(ctx).pk}/edit",
        roles=MANAGERS,
    ),
    Entry(
        "warroom.page.layer_end",
        "POST",
        lambda ctx: f"/warroom/layers/{_layer(ctx).pk}/end",
        roles=MANAGERS,
    ),
    Entry(
        "warroom.page.override_cancel",
        "POST",
        lambda ctx: f"/warroom/overrides/{_override(ctx).pk}/cancel",
        roles=MANAGERS,
    ),
    Entry(
        "warroom.page.team_members",
        "POST",
        lambda ctx: f"/warroom/teams/{_team(ctx).slug}/members",
        roles=MANAGERS,
        data={},
    ),
    Entry(
        "warroom.page.policy_new",
        "GET",
        lambda ctx: f"/warroom/teams/{_team(ctx).slug}/policies/new",
        roles=MANAGERS,
    ),
    Entry(
        "warroom.page.page_acknowledge",
        "POST",
        lambda ctx: f"/warroom/pages/{_page(ctx).pk}/acknowledge",
        roles=EVERY_ROLE,
    ),
    Entry(
        "warroom.page.page_resolve",
        "POST",
        lambda ctx: f"/warroom/pages/{_page(ctx).pk}/resolve",
        roles=EVERY_ROLE,
    ),
    Entry(
        "warroom.page.page_ack_link",
        "GET",
        "/warroom/pages/ack/not-a-page-token/",
        roles=EVERY_ROLE,
        notes="The token only finds the page; the verified login is what authorises.",
    ),
    Entry(
        "warroom.page.feed_revoke",
        "POST",
        lambda ctx: f"/warroom/feeds/{_feed(ctx).pk}/revoke",
        roles=EVERY_ROLE,
    ),
    Entry(
        "warroom.page.feed_rotate",
        "POST",
        lambda ctx: f"/warroom/feeds/{_feed(ctx).pk}/rotate",
        roles=EVERY_ROLE,
    ),
    Entry(
        "warroom.page.ical_feed",
        "GET",
        f"/warroom/ical/{'x' * 43}.ics",
        public=True,
        notes="Calendar apps cannot log in: the secret address is the key (unknown: 404).",
    ),
    Entry(
        "warroom.page.checklist_item_evidence",
        "GET",
        lambda ctx: f"/warroom/checklists/runs/{_checklist_run(ctx).pk}/items/2/evidence",
        roles=EVERY_ROLE,
    ),
    Entry(
        "warroom.page.checklist_mark_evidence",
        "GET",
        "/warroom/checklists/marks/999999/evidence",
        roles=EVERY_ROLE,
    ),
]
