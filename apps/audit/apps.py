from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "apps.audit"
    label = "audit"
    verbose_name = _("Audit")

    def ready(self) -> None:
        from apps.audit import writers
        from apps.core import events, navigation

        events.register_writers(event=writers.write_event, access=writers.write_access)
        navigation.register(
            navigation.NavItem(
                key="audit",
                label=_("Audit"),
                url_name="audit:trail",
                permission="audit.view_audit_trail",
                order=95,
            )
        )
