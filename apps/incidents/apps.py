from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "apps.incidents"
    label = "incidents"
    verbose_name = _("Incidents")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from apps.incidents import (
            models,
            navigation,  # noqa: F401  (registers the "Incidents" menu entry)
        )

        auditlog.register(models.Severity)
        auditlog.register(models.Incident)
        auditlog.register(models.RoleAssignment)

        from apps.incidents.services import lifecycle
        from apps.oncall.services.pages import page_acknowledged, page_resolved

        page_acknowledged.connect(
            lifecycle.on_page_acknowledged, dispatch_uid="incidents.page_acknowledged"
        )
        page_resolved.connect(lifecycle.on_page_resolved, dispatch_uid="incidents.page_resolved")
