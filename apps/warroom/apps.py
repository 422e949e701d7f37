from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class WarroomConfig(AppConfig):
    name = "apps.warroom"
    label = "warroom"
    verbose_name = _("War room")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from apps.core import labels, navigation
        from apps.warroom import models
        from apps.warroom.forms import DAY_CHOICES

        # Pages show these identifiers by their labels (page steps, layer days).
        labels.register("escalation_step", dict(models.EscalationStep.Kind.choices))
        labels.register("weekday", {str(number): name for number, name in DAY_CHOICES})

        # Schedules and everything they are made of are audited (JSON changes, m2m too).
        auditlog.register(models.Team, m2m_fields={"members"})
        auditlog.register(models.Membership)
        auditlog.register(models.Schedule)
        auditlog.register(models.RotationLayer)
        auditlog.register(models.LayerVersion)
        auditlog.register(models.LayerParticipant)
        auditlog.register(models.Override)
        auditlog.register(models.EscalationPolicy)
        auditlog.register(models.EscalationStep)
        auditlog.register(models.Page, exclude_fields=["ack_token"])
        auditlog.register(models.CalendarFeed, exclude_fields=["token_hash", "last_fetched_at"])
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
                key="warroom",
                label=_("On call"),
                url_name="warroom:board",
                permission="warroom.view_schedule",
                order=40,
            )
        )
        navigation.register(
            navigation.NavItem(
                key="warroom-pages",
                label=pgettext_lazy("on-call paging", "Pages"),
                url_name="warroom:page_list",
                permission="warroom.view_page",
                order=41,
            )
        )
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
