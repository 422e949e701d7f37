"""Demo status updates: the open S2 "Withdrawals delayed on Tron" has told staff and the
public what is going on (one internal update, one public first notice)."""

from __future__ import annotations

from apps.core.demo import register_demo_step

DEMO_INCIDENT_TITLE = "Withdrawals delayed on Tron"


def comms_demo(ctx) -> None:
    from apps.incidents.models import OPEN_STATUSES, Incident, StatusTemplate, StatusUpdate
    from apps.incidents.services.comms import status_update_send

    incident = (
        Incident.objects.filter(title=DEMO_INCIDENT_TITLE, status__in=OPEN_STATUSES)
        .select_related("owner", "severity")
        .first()
    )
    if incident is None:
        ctx.say(f"Status updates: no open incident '{DEMO_INCIDENT_TITLE}'; skipped.")
        return
    if StatusUpdate.objects.filter(incident=incident).exists():
        ctx.say(f"Status updates: {incident.number} already has its updates.")
        return
    actor = incident.owner
    has_impact = bool(incident.customer_impact.strip())

    def template(key, audience):
        return StatusTemplate.objects.filter(
            key=key, audience=audience, language="en", is_active=True
        ).first()

    internal_template = template("update", "internal") if has_impact else None
    status_update_send(
        actor=actor,
        incident=incident,
        audience="internal",
        language="en",
        template=internal_template,
        subject=None if internal_template else "[{severity}] {number}: {title} — {status}",
        body=None if internal_template else "Status: {status}.\n{message}",
        message=(
            "TRC-20 payouts are queued behind a stuck energy top-up; the payout engine is "
            "held by the kill switch while treasury refills the hot wallet."
        ),
    )
    public_template = template("first_notice", "public") if has_impact else None
    status_update_send(
        actor=actor,
        incident=incident,
        audience="public",
        language="en",
        template=public_template,
        subject=None if public_template else "{title}",
        body=None
        if public_template
        else (
            "We are aware of a problem: {title}.\nOur team is working on it. Current status: "
            "{status}.\nNext update by {next_update_at}."
        ),
    )
    ctx.say(f"Status updates: {incident.number} has one internal and one public update.")


register_demo_step("incidents-comms", comms_demo, order=560)
