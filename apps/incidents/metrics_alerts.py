"""Alert figures for /metrics, computed at scrape time (a few grouped counts)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count
from prometheus_client.core import GaugeMetricFamily

METRICS_DAYS = 30


def collect_alert_metrics() -> Iterable[GaugeMetricFamily]:
    from apps.incidents.models import AlertDelivery, AlertGroup
    from apps.incidents.selectors.alerts import alert_metrics

    figures = alert_metrics(days=METRICS_DAYS, top=10)
    by_route = GaugeMetricFamily(
        "opsportal_alerts_by_route",
        f"Firing alerts received in the last {METRICS_DAYS} days, by route ('' = no route).",
        labels=["route"],
    )
    for row in figures["by_route"]:
        by_route.add_metric([row["route"]], row["alerts"])
    yield by_route
    noisiest = GaugeMetricFamily(
        "opsportal_alerts_noisiest_rules",
        f"The 10 alert names with the most firing alerts in the last {METRICS_DAYS} days.",
        labels=["alertname"],
    )
    for row in figures["noisiest"]:
        noisiest.add_metric([row["alertname"]], row["alerts"])
    yield noisiest
    groups = GaugeMetricFamily("opsportal_alert_groups", "Alert groups by state.", labels=["state"])
    counts = dict(
        AlertGroup.objects.values_list("state").annotate(n=Count("id")).values_list("state", "n")
    )
    for state in AlertGroup.State.values:
        groups.add_metric([state], counts.get(state, 0))
    yield groups
    yield GaugeMetricFamily(
        "opsportal_alert_deliveries_unprocessed",
        "Alert deliveries stored but not processed yet.",
        value=AlertDelivery.objects.filter(processed_at__isnull=True).count(),
    )
