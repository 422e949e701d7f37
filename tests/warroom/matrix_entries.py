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
