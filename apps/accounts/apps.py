from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles(sender, **kwargs):
    from apps.accounts.roles import sync_role_permissions

    sync_role_permissions()


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from apps.accounts import models, policy, signals
        from apps.accounts.roles import ROLE_LABELS
        from apps.core import labels, navigation

        labels.register("role", ROLE_LABELS)

        navigation.set_permission_checker(policy.navigation_checker)
        navigation.register(
            navigation.NavItem(
                key="people",
                label=_("People"),
                url_name="accounts:people",
                permission="accounts.view_user",
                order=90,
            )
        )
        navigation.register(
            navigation.NavItem(
                key="lockouts",
                label=_("Lockouts"),
                url_name="accounts:lockouts",
                permission="accounts.view_loginlockout",
                order=91,
            )
        )
        # Login stamps and audit events for logins and lockouts.
        signals.connect()
        # Role changes are m2m changes on User.groups; auditlog records them.
        auditlog.register(
            models.User,
            m2m_fields={"groups"},
            exclude_fields=["password", "last_login"],
        )
        auditlog.register(
            models.ApiToken, exclude_fields=["token_hash", "last_used_at", "last_used_ip"]
        )
        auditlog.register(models.ApiTokenScopeChange)
        auditlog.register(models.LoginLockout)
        # Keep every role's permissions equal to apps.accounts.roles after each migrate.
        post_migrate.connect(_sync_roles, dispatch_uid="accounts.sync_roles")
