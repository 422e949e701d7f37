from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SeedconfigConfig(AppConfig):
    name = "apps.seedconfig"
    label = "seedconfig"
    verbose_name = _("Seed configuration")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from apps.approvals import registry
        from apps.core import navigation
        from apps.seedconfig import models
        from apps.seedconfig.handlers import SeedConfigChangeHandler

        registry.register(SeedConfigChangeHandler())
        navigation.register(
            navigation.NavItem(
                key="seedconfig",
                label=_("Configuration"),
                url_name="seedconfig:current",
                permission="seedconfig.view_config",
                order=40,
            )
        )
        # RPC endpoints are secrets: never in the change records.
        auditlog.register(models.Network, exclude_fields=["rpc_endpoints"])
        for model in (
            models.Asset,
            models.TreasuryWallet,
            models.FeeRule,
            models.FeeSplit,
            models.AssetLimit,
            models.PhaseVolumeCap,
        ):
            auditlog.register(model)
        auditlog.register(models.ConfigVersion, exclude_fields=["snapshot", "diff"])
