"""Demo data of the mitigation part: the open S2 "Withdrawals delayed on Tron" (made by
the core part's demo step) holds a blocked kill switch — payouts on the Tron network —
blocked by the incident commander with the incident linked, so its page shows the
switch, the timeline shows the block, and resolving it asks about the switch.

Safe to run again; skipped when the incident is absent.
"""

from __future__ import annotations

from apps.core.demo import register_demo_step

DEMO_INCIDENT_TITLE = "Withdrawals delayed on Tron"
DEMO_FLAG, DEMO_SCOPE_KIND, DEMO_SCOPE_VALUE = "payout", "network", "tron"
DEMO_REASON = "Demo: Tron withdrawals delayed; payouts on Tron paused while the node is replaced."


def mitigation_demo(ctx) -> None:
    from apps.flags.services import current_state
    from apps.flags.services.rules import resolve_flag
    from apps.incidents.models import OPEN_STATUSES, Incident
    from apps.incidents.selectors.mitigation import switches_held
    from apps.incidents.services.mitigation import incident_block_switch

    incident = (
        Incident.objects.filter(title=DEMO_INCIDENT_TITLE, status__in=OPEN_STATUSES)
        .order_by("-declared_at")
        .first()
    )
    if incident is None:
        ctx.say(f"Incidents: no open '{DEMO_INCIDENT_TITLE}' incident; no switch to hold.")
        return
    if switches_held(incident):
        ctx.say(f"Incidents: {incident.number} already holds a kill switch.")
        return
    flag = resolve_flag(DEMO_FLAG)
    in_force = current_state(flag, DEMO_SCOPE_KIND, DEMO_SCOPE_VALUE)
    if in_force is not None and in_force.state == flag.safe_state:
        ctx.say(f"Incidents: {DEMO_FLAG} is already blocked for {DEMO_SCOPE_VALUE}; left as is.")
        return
    actor = ctx.users.get("commander") or incident.owner
    incident_block_switch(
        actor=actor,
        incident=incident,
        flag=flag,
        scope_kind=DEMO_SCOPE_KIND,
        scope_value=DEMO_SCOPE_VALUE,
        reason=DEMO_REASON,
    )
    ctx.say(f"Incidents: {incident.number} holds {DEMO_FLAG} blocked for {DEMO_SCOPE_VALUE}.")


register_demo_step("incidents.mitigation", mitigation_demo, order=560)
