"""Demo data of the alert intake: routes, a maintenance window, a few alert groups."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from apps.core.demo import register_demo_step


def alerts_demo(ctx) -> None:
    from apps.incidents.models import AlertRoute, MaintenanceWindow
    from apps.incidents.services import alerts_config
    from apps.incidents.services.alerts import delivery_process
    from apps.incidents.services.alerts_intake import delivery_store
    from apps.oncall.models import Team

    actor = ctx.users["admin"]
    teams = {team.slug: team for team in Team.objects.filter(slug__in=["backend", "ops"])}
    if len(teams) < 2 or AlertRoute.objects.filter(name="indexer").exists():
        return
    alerts_config.route_save(
        actor=actor, name="critical", matchers=['severity="critical"'], team=teams["ops"]
    )
    alerts_config.route_save(
        actor=actor,
        name="indexer",
        matchers=['service=~"indexer|explorer"'],
        team=teams["backend"],
        threshold_count=3,
        threshold_minutes=10,
    )
    now = timezone.now()
    if not MaintenanceWindow.objects.exists():
        alerts_config.window_create(
            actor=actor,
            matchers=['service="explorer"'],
            starts_at=now - timedelta(minutes=30),
            ends_at=now + timedelta(hours=2),
            reason="Explorer database upgrade",
        )
    stamp = (now - timedelta(minutes=12)).isoformat().replace("+00:00", "Z")

    def alert(name, status="firing", runbook=True, **labels):
        annotations = {"summary": f"{name} on {labels.get('instance', 'prod')}"}
        if runbook:
            annotations["runbook_url"] = f"https://runbooks.example.com/{name}"
        return {
            "status": status,
            "labels": {"alertname": name, **labels},
            "annotations": annotations,
            "startsAt": stamp,
            "endsAt": stamp if status == "resolved" else "0001-01-01T00:00:00Z",
            "generatorURL": "",
        }

    for alerts in (
        [alert("PayoutQueueStuck", severity="critical", service="payouts")],
        [alert("IndexerLag", service="indexer", instance=f"idx-{n}") for n in range(2)],
        [alert("ExplorerDown", service="explorer", severity="warning")],
        [alert("DiskAlmostFull", runbook=False, instance="bastion")],
    ):
        delivery = delivery_store(sender=actor, source="plain", payload={"alerts": alerts})
        delivery_process(delivery.pk)
    ctx.say("alerts: 2 routes, a maintenance window and 5 alert groups")


register_demo_step("incidents-alerts", alerts_demo, order=540)
