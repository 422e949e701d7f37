"""Demo evidence: a small log file and a snapshot of rows on the resolved S1.

The resolved (or closed) S1 comes from another demo step; without one this step does
nothing. Safe to run again: an incident that already holds the demo log is left alone.
"""

from __future__ import annotations

from django.core.files.base import ContentFile

from apps.core.demo import register_demo_step
from apps.incidents.models import Evidence, Incident, Status
from apps.incidents.services.evidence import evidence_attach_file, evidence_snapshot_rows

LOG_TITLE = "Payout worker log around the wrong payouts"
DEMO_LOG = """\
2026-11-20T09:58:02Z INFO  payout-worker batch=8812 claims=214 fee_rule=v41
2026-11-20T09:58:03Z WARN  payout-worker fee rule v41 applied twice to claim 99120
2026-11-20T09:58:03Z ERROR payout-worker claim=99120 expected=120.00 paid=240.00 USDC
2026-11-20T09:58:04Z ERROR payout-worker claim=99121 expected=75.50 paid=151.00 USDC
2026-11-20T10:01:17Z INFO  flags payouts.claims blocked by commander (incident linked)
2026-11-20T10:01:18Z INFO  payout-worker paused: kill switch payouts.claims is blocked
"""


def evidence_demo(ctx) -> None:
    incident = (
        Incident.objects.filter(severity__code="S1", status__in=[Status.RESOLVED, Status.CLOSED])
        .select_related("owner")
        .order_by("declared_at", "id")
        .first()
    )
    if incident is None:
        ctx.say("Evidence: no resolved S1 in the demo, nothing attached.")
        return
    if Evidence.objects.filter(incident=incident, title=LOG_TITLE).exists():
        return
    actor = ctx.users.get("commander") or incident.owner
    evidence_attach_file(
        actor=actor,
        incident=incident,
        file=ContentFile(DEMO_LOG.encode(), name="payout-worker.log"),
        title=LOG_TITLE,
        description="Exported from the log store for 09:55-10:05 UTC.",
    )
    evidence_snapshot_rows(
        actor=actor,
        incident=incident,
        queryset_or_objects=[incident, *incident.role_assignments.all()],
        title="Incident and its roles at resolution",
    )
    ctx.say(f"Evidence: a log file and a snapshot attached to {incident.number}.")


# Late in the incidents' range: after the step that makes the resolved S1.
register_demo_step("incidents-evidence", evidence_demo, order=590)
