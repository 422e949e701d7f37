"""Demo data: a launch-day picture of the kill switches, made through the services.

- ``contribute`` held globally for the first 24 h (runbook §11.6) and blocked for round 42
  with an incident reference; a scheduled re-open 24 h ahead, filed by ``admin`` and
  approved in advance by ``admin2`` with a code from the demo authenticator;
- a support freeze of one customer's claims (``claim`` for user ``cust-1042``);
- the ``public_live`` gate opened for two allow-listed users (soft launch).

Safe to run again: a second run finds the demo states and leaves them.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from apps.core.demo import demo_device, fresh_totp_code, register_demo_step

DEMO_MARK = "Demo:"
ALLOW_LISTED = ("dev-alice", "dev-budi")


def flags_demo(ctx) -> None:
    from apps.approvals.services import change_request_approve
    from apps.flags import services
    from apps.flags.models import FlagState, ScheduledFlagChange

    if FlagState.objects.filter(reason__startswith=DEMO_MARK).exists():
        ctx.say("Flags: demo states already present.")
        return
    ops, support, admin = ctx.users["ops"], ctx.users["support"], ctx.users["admin"]
    services.flag_state_set(
        actor=ops,
        flag="contribute",
        state="blocked",
        reason="Demo: fundraising held for the first 24 h after public launch (runbook 11.6).",
    )
    services.flag_state_set(
        actor=ops,
        flag="contribute",
        state="blocked",
        scope_kind="round",
        scope_value="42",
        reason="Demo: round 42 price feed is lagging; contributions paused.",
        incident_ref="INC-DEMO-1",
    )
    services.flag_state_set(
        actor=support,
        flag="claim",
        state="blocked",
        scope_kind="user",
        scope_value="cust-1042",
        reason="Demo: referral farming suspected; claims frozen pending review (12.4 B).",
    )
    for user_ref in ALLOW_LISTED:
        services.flag_state_set(
            actor=ops,
            flag="public_live",
            state="open",
            scope_kind="user",
            scope_value=user_ref,
            reason="Demo: soft launch allow-list (runbook 11.6).",
        )
    scheduled = services.scheduled_change_create(
        actor=admin,
        flag="contribute",
        state="allowed",
        run_at=timezone.now() + timedelta(hours=24),
        reason="Demo: open fundraising 24 h after public launch once monitoring is stable.",
    )
    device = demo_device("admin2")
    if scheduled.change_request is not None and device is not None:
        change_request_approve(
            actor=ctx.users["admin2"],
            change_request_id=scheduled.change_request_id,
            otp_code=fresh_totp_code(device),
            comment="Demo: approved in advance.",
        )
        scheduled = ScheduledFlagChange.objects.get(pk=scheduled.pk)
    ctx.say(
        "Flags: contribute held (and blocked for round 42), claims of cust-1042 frozen, "
        f"public_live open for {', '.join(ALLOW_LISTED)}; contribute re-opens in 24 h "
        f"(scheduled change #{scheduled.pk}, {scheduled.status})."
    )


register_demo_step("flags", flags_demo, order=200)
