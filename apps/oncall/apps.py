from django.apps import AppConfig
from django.apps import apps as django_apps
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class OncallConfig(AppConfig):
    name = "apps.oncall"
    label = "oncall"
    verbose_name = _("On call")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from apps.audit.labels import register_former_label
        from apps.core import labels, navigation
        from apps.oncall import models
        from apps.oncall.forms import DAY_CHOICES

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

        # Audit events and access records written before on call left the war room keep the
        # label they were hashed with (warroom.<model>); the trail's type filter finds them.
        for model in django_apps.get_app_config(self.label).get_models():
            register_former_label(model._meta.label_lower, f"warroom.{model._meta.model_name}")

        # The navigation keys and URL names stay those of the war room, where these pages
        # lived first (same paths, same "warroom" URL namespace).
        navigation.register(
            navigation.NavItem(
                key="warroom",
                label=_("On call"),
                url_name="warroom:board",
                permission="oncall.view_schedule",
                order=40,
            )
        )
        navigation.register(
            navigation.NavItem(
                key="warroom-pages",
                label=pgettext_lazy("on-call paging", "Pages"),
                url_name="warroom:page_list",
                permission="oncall.view_page",
                order=41,
            )
        )
