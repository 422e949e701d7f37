"""Demo post-mortem: the resolved S1 of the core demo gets its post-mortem written and
published, with three action items — one done, one in progress, one overdue.

Skipped when there is no resolved S1; safe to run again (a published post-mortem is left
as it is).
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from apps.core.demo import register_demo_step
from apps.incidents.models import ActionItemStatus, Incident, PostMortem, Status
from apps.incidents.services import postmortems as services

SECTIONS = {
    "summary": "A refund job retried after a timeout paid 14 Solana refunds twice. Refunds "
    "were blocked within 40 minutes and finance recovered 11 of the 14 payments.",
    "impact": "14 customers received their refund twice (3,120 USDC). No customer lost funds.",
    "root_cause": "The refund worker marked a refund paid only after the transaction "
    "confirmed; a retry after an RPC timeout broadcast it again under a new nonce.",
    "contributing_factors": "No idempotency key on refund broadcasts; the reconcile report "
    "runs once a day.",
    "what_went_well": "The kill switch stopped refunds at once; finance had the list of "
    "duplicates within the hour.",
    "what_went_wrong": "Detection came from a customer, 30 minutes after the first duplicate.",
    "prevention": "Broadcast refunds with an idempotency key; alert on two refunds to one "
    "address within an hour.",
}


def _resolved_s1() -> Incident | None:
    return (
        Incident.objects.filter(severity__code="S1", status=Status.RESOLVED)
        .select_related("severity", "owner")
        .order_by("declared_at", "id")
        .first()
    )


def postmortem_demo(ctx) -> None:
    incident = _resolved_s1()
    if incident is None:
        ctx.say("Post-mortem: no resolved S1 incident, skipped")
        return
    actor = incident.owner
    postmortem = PostMortem.objects.filter(incident=incident).first()
    if postmortem is None:
        postmortem = services.postmortem_create(actor=actor, incident=incident)
    if postmortem.is_published:
        ctx.say(f"Post-mortem of {incident.number}: already published")
        return
    postmortem = services.postmortem_update(actor=actor, postmortem=postmortem, **SECTIONS)
    today = timezone.localdate()
    finance = ctx.users.get("finance", actor)
    ops = ctx.users.get("ops", actor)
    if not postmortem.action_items.exists():
        for title, owner, due, status, link in (
            (
                "Broadcast refunds with an idempotency key",
                ops,
                today + timedelta(days=14),
                ActionItemStatus.IN_PROGRESS,
                "https://tracker.example.test/OPS-412",
            ),
            (
                "Alert on two refunds to one address within an hour",
                ops,
                today - timedelta(days=2),  # overdue: reminded to its owner
                ActionItemStatus.OPEN,
                "",
            ),
            (
                "Recover the last three duplicate refunds",
                finance,
                today + timedelta(days=3),
                ActionItemStatus.DONE,
                "",
            ),
        ):
            services.action_item_create(
                actor=actor,
                postmortem=postmortem,
                title=title,
                owner=owner,
                due_date=due,
                status=status,
                link=link,
            )
    if postmortem.state == "draft":
        postmortem = services.postmortem_submit(actor=actor, postmortem=postmortem)
    services.postmortem_publish(actor=actor, postmortem=postmortem)
    ctx.say(f"Post-mortem of {incident.number}: published with 3 action items (1 overdue)")


register_demo_step("incidents-postmortem", postmortem_demo, order=550)
