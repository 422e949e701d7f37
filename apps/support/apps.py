from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_default_replies(sender, **kwargs):
    from apps.support.reply_defaults import ensure_default_replies

    ensure_default_replies()


class SupportConfig(AppConfig):
    name = "apps.support"
    label = "support"
    verbose_name = _("Support")

    def ready(self) -> None:
        from auditlog.registry import auditlog

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
        # The playbook's canned replies exist after every migrate (and a test's flush);
        # replies a support lead changed are left as they are.
        post_migrate.connect(
            _ensure_default_replies, sender=self, dispatch_uid="support.ensure_default_replies"
        )
