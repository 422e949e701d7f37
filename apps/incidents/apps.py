from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "apps.incidents"
    label = "incidents"
    verbose_name = _("Incidents")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from apps.incidents import models

        auditlog.register(models.Severity)
        auditlog.register(models.Incident)
        auditlog.register(models.RoleAssignment)

        # Alerts: gauges computed when /metrics is scraped.
        from apps.core.metrics import register_collector
        from apps.incidents.metrics_alerts import collect_alert_metrics

        register_collector(collect_alert_metrics)

        from apps.core import navigation

        navigation.register(
            navigation.NavItem(
                key="incidents-alerts",
                label=_("Alerts"),
                url_name="incidents:alert_groups",
                permission="incidents.view_alertgroup",
                order=51,
            )
        )
