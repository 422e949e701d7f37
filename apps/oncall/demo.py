"""Demo data for on call: teams with primary and backup rotas for backend, ops and
finance, an override, a weekend gap on finance, and the runbook's L1–L4 escalation chain.

Safe to run again: what exists is kept.
"""

from __future__ import annotations

from datetime import time, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from apps.core.demo import DEMO_EMAIL_DOMAIN, register_demo_step
from apps.oncall import services
from apps.oncall.models import EscalationPolicy, Override, Schedule, Team

# People who hold on-call duty but have no portal role in the demo (they cannot log in).
EXTRA_PEOPLE = (
    ("bima", "Bima", "Backend"),
    ("dewi", "Dewi", "Backend"),
    ("arif", "Arif", "Architect"),
    ("citra", "Citra", "CTO"),
)
TZ = "Europe/Warsaw"


def _extra_person(username: str, first: str, last: str):
    user_model = get_user_model()
    user = user_model.objects.filter(username=username).first()
    if user is None:
        user = user_model(username=username, first_name=first, last_name=last)
        user.email = f"{username}@{DEMO_EMAIL_DOMAIN}"
        user.set_unusable_password()
        user.full_clean()
        user.save()
    return user


def _team(actor, slug: str, name: str) -> Team:
    team = Team.objects.filter(slug=slug).first()
    return team or services.team_create(actor=actor, name=name, slug=slug)


def _schedule(actor, team: Team, kind: str) -> Schedule:
    schedule = team.schedules.filter(kind=kind).first()
    return schedule or services.schedule_create(actor=actor, team=team, kind=kind, timezone_name=TZ)


def _staff(actor, team: Team, members: list, lead) -> None:
    for member in members:
        services.team_member_add(actor=actor, team=team, user=member)
    services.team_set_lead(actor=actor, team=team, lead=lead)


def _rota(actor, schedule: Schedule, participants: list, **kwargs) -> None:
    if schedule.layers.exists():
        return
    services.layer_create(
        actor=actor,
        schedule=schedule,
        participants=participants,
        start_date=timezone.localdate() - timedelta(days=7),
        **kwargs,
    )


def warroom_demo(ctx) -> None:
    users = ctx.users
    actor = users["admin"]
    bima, dewi, arif, citra = (_extra_person(*person) for person in EXTRA_PEOPLE)

    backend = _team(actor, "backend", "Backend")
    ops = _team(actor, "ops", "Ops")
    finance = _team(actor, "finance", "Finance")
    support = _team(actor, "support", "Support")
    _staff(actor, backend, [bima, dewi], lead=bima)
    _staff(actor, ops, [users["ops"], users["commander"], users["admin2"]], lead=users["ops"])
    _staff(actor, finance, [users["finance"], users["admin"]], lead=users["finance"])
    _staff(actor, support, [users["support"], users["reviewer"]], lead=users["support"])

    daily = {"shift_kind": "daily", "shift_length": 1, "handoff_time": time(9, 0)}
    weekly = {"shift_kind": "weekly", "shift_length": 1, "handoff_time": time(9, 0)}
    _rota(actor, _schedule(actor, backend, "primary"), [bima, dewi], name="Daily", **daily)
    _rota(actor, _schedule(actor, backend, "backup"), [dewi, bima], name="Weekly", **weekly)
    _rota(
        actor,
        _schedule(actor, ops, "primary"),
        [users["ops"], users["commander"]],
        name="Daily",
        **daily,
    )
    _rota(actor, _schedule(actor, ops, "backup"), [users["admin2"]], name="Weekly", **weekly)
    # Weekdays only: the weekend is a coverage gap the board and the daily report show.
    _rota(
        actor,
        _schedule(actor, finance, "primary"),
        [users["finance"], users["admin"]],
        name="Weekdays",
        days_of_week=[0, 1, 2, 3, 4],
        **daily,
    )
    _rota(actor, _schedule(actor, finance, "backup"), [users["admin"]], name="Weekly", **weekly)

    backend_primary = backend.schedules.get(kind="primary")
    if not Override.objects.filter(schedule=backend_primary, reason__startswith="Demo:").exists():
        tomorrow = timezone.localtime() + timedelta(days=1)
        start = tomorrow.replace(hour=13, minute=0, second=0, microsecond=0)
        services.override_create(
            actor=actor,
            schedule=backend_primary,
            user=dewi,
            start=start,
            end=start + timedelta(hours=4),
            reason="Demo: Bima at the dentist",
        )

    for team in (backend, ops, finance):
        if not EscalationPolicy.objects.filter(team=team, name=services.LAUNCH_CHAIN_NAME).exists():
            services.policy_create_launch_chain(actor=actor, team=team, architect=arif, cto=citra)
    ctx.say(
        "War room: backend, ops, finance on call (primary + backup), an override tomorrow, "
        "a weekend gap on finance, L1–L4 escalation policies"
    )


register_demo_step("warroom", warroom_demo, order=300)


def reach_demo(ctx) -> None:
    """War-room channels on the demo's webhook receiver, and one test page whose
    deliveries the page shows once the worker has sent them."""
    import secrets

    from apps.notify.models import Channel
    from apps.notify.services import channel_create, channel_update
    from apps.oncall.models import Page

    actor = ctx.users["admin"]
    for team in Team.objects.filter(slug__in=["backend", "ops", "finance"]).order_by("name"):
        name = f"{team.name} war room (demo receiver)"
        url = f"{ctx.receiver_url}/channels/{team.slug}"
        channel = Channel.objects.filter(name=name).first()
        if channel is None:
            channel = channel_create(
                actor=actor,
                name=name,
                kind="webhook",
                config={"url": url},
                secret=secrets.token_urlsafe(24),
            )
        elif channel.config.get("url") != url:
            channel_update(actor=actor, channel=channel, config={"url": url})
        if team.channel_id is None:
            services.team_update(actor=actor, team=team, channel=channel)
    ops = Team.objects.filter(slug="ops").first()
    if ops is not None and not Page.objects.filter(team=ops, is_test=True).exists():
        page = services.page_send_test(actor=ctx.users["ops"], team=ops)
        ctx.say(
            f"War room: channels on the demo receiver; test page #{page.pk} for Ops "
            f"(its deliveries show on /warroom/pages/{page.pk}/ once the worker runs)"
        )
    else:
        ctx.say("War room: channels on the demo receiver")


# After the contact methods (order 305), so the test page reaches people.
register_demo_step("warroom-reach", reach_demo, order=306)
