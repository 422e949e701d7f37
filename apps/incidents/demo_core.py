"""Demo incidents (core part): an open S2 "Withdrawals delayed on Tron" commanded by the
demo incident commander, with roles, notes and decisions; and a resolved S1 that other
parts give its post-mortem, switch and evidence.

Safe to run again: an incident already there (by title) is left as it is.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from apps.core.demo import register_demo_step
from apps.incidents.models import Incident, Severity
from apps.incidents.services import lifecycle
from apps.incidents.services.incidents import incident_declare
from apps.oncall.models import Team

OPEN_S2_TITLE = "Withdrawals delayed on Tron"
RESOLVED_S1_TITLE = "Duplicate refunds paid on Solana"


def _open_s2(users) -> Incident:
    commander = users["commander"]
    incident = Incident.objects.filter(title=OPEN_S2_TITLE).first()
    if incident is not None:
        return incident
    now = timezone.now()
    incident = incident_declare(
        actor=users["ops"],
        owner=commander,
        title=OPEN_S2_TITLE,
        severity=Severity.objects.get(code="S2"),
        summary="Tron withdrawals wait in the payout queue for over 40 minutes; other networks "
        "are paid on time.",
        customer_impact="Customers withdrawing USDT on Tron wait; no funds lost.",
        affected_actions=["payout"],
        started_at=now - timedelta(minutes=55),
        detected_at=now - timedelta(minutes=40),
    )
    for role, username in (("communications", "support"), ("ops", "ops"), ("finance", "finance")):
        lifecycle.incident_assign_role(
            actor=commander, incident=incident, role=role, person=users[username]
        )
    entries = (
        ("note", "Payout queue for tron: 212 pending, oldest 41 min.", False, False, 38),
        ("note", "TronGrid answers 429 on broadcast since 10:02 UTC.", False, True, 30),
        ("decision", "Freeze Tron payouts until the node provider confirms.", True, False, 25),
        ("decision", "Post a public notice every 30 minutes.", True, False, 20),
    )
    for kind, body, pinned, internal, minutes_ago in entries:
        lifecycle.incident_add_entry(
            actor=commander,
            incident=incident,
            kind=kind,
            body=body,
            pinned=pinned,
            internal_only=internal,
            occurred_at=now - timedelta(minutes=minutes_ago),
        )
    # The on-call demo's ops team is paged about it; the page runs its escalation policy
    # (steps go out when a worker runs, as with the portal's own pages).
    team = Team.objects.filter(slug="ops").first()
    if team is not None and team.escalation_policies.exists():
        lifecycle.incident_page_team(actor=commander, incident=incident, team=team)
    return lifecycle.incident_set_status(actor=commander, incident=incident, status="identified")


def _resolved_s1(users) -> Incident:
    commander = users["commander"]
    incident = Incident.objects.filter(title=RESOLVED_S1_TITLE).first()
    if incident is not None:
        return incident
    now = timezone.now()
    incident = incident_declare(
        actor=commander,
        title=RESOLVED_S1_TITLE,
        severity=Severity.objects.get(code="S1"),
        summary="A retried refund job paid 14 Solana refunds twice.",
        customer_impact="14 customers received their refund twice (total 3,120 USDC).",
        affected_actions=["refund"],
        started_at=now - timedelta(hours=3),
        detected_at=now - timedelta(hours=2, minutes=30),
    )
    lifecycle.incident_assign_role(
        actor=commander, incident=incident, role="finance", person=users["finance"]
    )
    lifecycle.incident_assign_role(
        actor=commander, incident=incident, role="scribe", person=users["ops"]
    )
    lifecycle.incident_add_entry(
        actor=commander,
        incident=incident,
        kind="decision",
        body="Block refunds on Solana while finance reconciles.",
        pinned=True,
        occurred_at=now - timedelta(hours=2, minutes=20),
    )
    lifecycle.incident_add_entry(
        actor=users["finance"],
        incident=incident,
        kind="note",
        body="All 14 duplicates identified; recovery requests sent.",
        occurred_at=now - timedelta(hours=1),
    )
    lifecycle.incident_set_status(actor=commander, incident=incident, status="mitigated")
    return lifecycle.incident_set_status(actor=commander, incident=incident, status="resolved")


def incidents_core_demo(ctx) -> None:
    open_s2 = _open_s2(ctx.users)
    resolved_s1 = _resolved_s1(ctx.users)
    ctx.say(
        f"Incidents: {open_s2.number} open S2 ({open_s2.title}), "
        f"{resolved_s1.number} resolved S1 ({resolved_s1.title})"
    )


register_demo_step("incidents-core", incidents_core_demo, order=500)
