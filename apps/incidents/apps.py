from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "apps.incidents"
    label = "incidents"
    verbose_name = _("Incidents")

    def ready(self) -> None:
        # The seeded severity levels and status update templates exist after every migrate
        # and a test's flush (only refilled when their table is empty).
        post_migrate.connect(
            _ensure_defaults, sender=self, dispatch_uid="incidents.ensure_defaults"
        )
        from auditlog.registry import auditlog

        from apps.incidents import (
            models,
            navigation,  # noqa: F401  (registers the "Incidents" menu entry)
            receivers_postmortems,  # noqa: F401  (starts post-mortems on resolution)
        )
        from apps.incidents.selectors.postmortems import register_metrics

        register_metrics()

        auditlog.register(models.Severity)
        auditlog.register(models.Incident)
        auditlog.register(models.RoleAssignment)

        from apps.incidents.services import lifecycle
        from apps.oncall.services.pages import page_acknowledged, page_resolved

        page_acknowledged.connect(
            lifecycle.on_page_acknowledged, dispatch_uid="incidents.page_acknowledged"
        )
        page_resolved.connect(lifecycle.on_page_resolved, dispatch_uid="incidents.page_resolved")

        from apps.incidents import receivers_mitigation

        receivers_mitigation.connect()

        from apps.incidents import receivers_alerts

        receivers_alerts.connect()

        # Alerts: gauges computed when /metrics is scraped.
        from apps.core.metrics import register_collector
        from apps.incidents.metrics_alerts import collect_alert_metrics

        register_collector(collect_alert_metrics)

        from apps.core import navigation as core_navigation

        core_navigation.register(
            core_navigation.NavItem(
                key="incidents-alerts",
                label=_("Alerts"),
                url_name="incidents:alert_groups",
                permission="incidents.view_alertgroup",
                order=51,
            )
        )


def _ensure_defaults(sender, using="default", **kwargs) -> None:
    from apps.incidents.migrations._comms_seed_0002 import TEMPLATES
    from apps.incidents.migrations._severities_0001 import DEFAULT_SEVERITIES
    from apps.incidents.models import Severity, StatusTemplate

    if not Severity.objects.using(using).exists():
        Severity.objects.using(using).bulk_create(
            Severity(
                code=code,
                name=name,
                description=description,
                rank=rank,
                postmortem_required=required,
                postmortem_due_hours=due,
                update_interval_minutes=interval,
            )
            for code, name, description, rank, required, due, interval in DEFAULT_SEVERITIES
        )
    if not StatusTemplate.objects.using(using).exists():
        StatusTemplate.objects.using(using).bulk_create(
            StatusTemplate(
                key=key, audience=audience, language=language, name=name, subject=subject, body=body
            )
            for (key, audience, language), (name, subject, body) in TEMPLATES.items()
        )
