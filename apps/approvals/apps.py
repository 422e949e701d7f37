from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    name = "apps.approvals"
    label = "approvals"
    verbose_name = _("Approvals")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from apps.approvals import models, registry
        from apps.approvals.handlers.roles import RoleChangeHandler
        from apps.core import navigation

        # The payload may carry values a handler masks when showing it; its SHA-256 is
        # what the audit trail keeps.
        auditlog.register(models.ChangeRequest, exclude_fields=["payload"])
        auditlog.register(models.FreezeWindow)
        registry.register(RoleChangeHandler())
        navigation.register(
            navigation.NavItem(
                key="approvals",
                label=_("Approvals"),
                url_name="approvals:inbox",
                permission="approvals.view_changerequest",
                order=30,
            )
        )
