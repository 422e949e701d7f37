from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupportConfig(AppConfig):
    name = "apps.support"
    label = "support"
    verbose_name = _("Support")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from apps.approvals import registry
        from apps.flags.services.unblock_request import UserScopeUnblockHandler
        from apps.support import (
            navigation,  # noqa: F401  (registers the "Support" menu entry)
        )
        from apps.support.models import CannedReply

        # Canned replies are configuration that support leads manage: every change is in
        # the audit trail. The read models (customers, wallets, transactions …) are data
        # fed by the platform, not configuration: each ingested batch writes one audit
        # event with its counts instead (a row per record would serialise ingestion on
        # the audit chain's lock).
        auditlog.register(CannedReply)
        # A support person asks for a customer's fund-related flag (their frozen claims)
        # to be turned back on: a change request a super admin approves.
        registry.register(UserScopeUnblockHandler())
