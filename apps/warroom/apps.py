from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WarroomConfig(AppConfig):
    name = "apps.warroom"
    label = "warroom"
    verbose_name = _("War room")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from apps.core import navigation
        from apps.warroom import models

        # Launch plans (the war-room log is append-only: auditlog records its inserts).
        auditlog.register(models.LaunchPlan)
        auditlog.register(models.LaunchPhase)
        auditlog.register(models.LaunchTask)
        auditlog.register(models.RollbackCriterion)
        auditlog.register(models.LaunchLogEntry)
        # Checklists: templates and runs; each item's marks are also kept as ChecklistItemMark.
        auditlog.register(models.ChecklistTemplate)
        auditlog.register(models.ChecklistTemplateItem)
        auditlog.register(models.ChecklistRun)
        auditlog.register(models.ChecklistRunItem)

        navigation.register(
            navigation.NavItem(
                key="warroom-launch",
                label=_("Launch"),
                url_name="warroom:launch_list",
                permission="warroom.view_launchplan",
                order=43,
            )
        )
        navigation.register(
            navigation.NavItem(
                key="warroom-checklists",
                label=_("Checklists"),
                url_name="warroom:checklist_list",
                permission="warroom.view_checklistrun",
                order=42,
            )
        )
