from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    name = "apps.approvals"
    label = "approvals"
    verbose_name = _("Approvals")

    def ready(self) -> None:
        from auditlog.registry import auditlog
        from django.db.models.signals import post_migrate

        from apps.approvals import guard, models, registry
        from apps.approvals.handlers.roles import RoleChangeHandler
        from apps.core import navigation

        # The payload may carry values a handler masks when showing it; its SHA-256 is
        # what the audit trail keeps.
        auditlog.register(models.ChangeRequest, exclude_fields=["payload"])
        auditlog.register(models.FreezeWindow)
        auditlog.register(models.PersonBehind)
        # SQLite drops the decider guard's trigger when a migration rebuilds the table.
        post_migrate.connect(
            guard.reinstall_after_migrate, sender=self, dispatch_uid="approvals.decider_guard"
        )
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
