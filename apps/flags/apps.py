from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_runbook_flags(sender, **kwargs):
    from apps.flags.runbook import ensure_runbook_flags

    ensure_runbook_flags()


class FlagsConfig(AppConfig):
    name = "apps.flags"
    label = "flags"
    verbose_name = _("Flags")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from apps.approvals import registry
        from apps.core import labels
        from apps.flags import (
            models,
            navigation,  # noqa: F401  (registers the "Flags" menu entry)
        )
        from apps.flags.handlers import FlagStateChangeHandler, FlagUnblockRequestHandler
        from apps.flags.scopes import ScopeKind

        registry.register(FlagStateChangeHandler())
        registry.register(FlagUnblockRequestHandler())
        # Pages name scope kinds by their labels.
        labels.register("flag_scope", dict(ScopeKind.choices))
        # Every flag, state, scheduled change and subscription is in the audit trail.
        auditlog.register(models.Flag)
        auditlog.register(models.FlagState)
        auditlog.register(models.FlagStateLapse)
        auditlog.register(models.ScheduledFlagChange)
        auditlog.register(models.FlagSubscription)
        # The runbook's switches exist after every migrate (and a test's flush).
        post_migrate.connect(
            _ensure_runbook_flags, sender=self, dispatch_uid="flags.ensure_runbook_flags"
        )
