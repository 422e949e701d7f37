"""Admin for API tokens: a read-only list, and a "revoke" action that calls the service.

Nothing is added, changed or deleted here; tokens are created on the portal pages or the
API, where the secret is shown once. The token hash is never shown.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts import policy
from apps.accounts.models import ApiToken
from apps.accounts.services.tokens import MANAGE_PERMISSION, token_revoke


class TokenStatusFilter(admin.SimpleListFilter):
    title = gettext_lazy("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [
            ("active", gettext_lazy("active")),
            ("revoked", gettext_lazy("revoked")),
            ("expired", gettext_lazy("expired")),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "active":
            return queryset.active()
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        if self.value() == "expired":
            return queryset.filter(revoked_at__isnull=True, expires_at__lte=now)
        return queryset


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "prefix",
        "service_account",
        "scope_list",
        "expires_at",
        "last_used_at",
        "last_used_ip",
        "revoked_at",
    ]
    list_filter = [TokenStatusFilter, "service_account"]
    search_fields = ["name", "prefix", "service_account__username"]
    list_select_related = ["service_account"]
    # Listed explicitly so that token_hash never appears.
    fields = [
        "service_account",
        "name",
        "prefix",
        "scopes",
        "allowed_ips",
        "expires_at",
        "created_at",
        "created_by",
        "last_used_at",
        "last_used_ip",
        "revoked_at",
        "revoked_by",
    ]
    readonly_fields = fields
    actions = ["revoke_tokens"]

    @admin.display(description=gettext_lazy("scopes"))
    def scope_list(self, obj: ApiToken) -> str:
        return ", ".join(obj.scopes or [])

    def _may_manage(self, request) -> bool:
        return policy.can(request.user, MANAGE_PERMISSION)

    def has_module_permission(self, request) -> bool:
        return self._may_manage(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._may_manage(request)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_revoke_permission(self, request) -> bool:
        return self._may_manage(request)

    @admin.action(description=gettext_lazy("Revoke the selected tokens"), permissions=["revoke"])
    def revoke_tokens(self, request, queryset) -> None:
        revoked = 0
        for token in queryset.filter(revoked_at__isnull=True):
            try:
                token_revoke(actor=request.user, token=token, reason=_("Revoked in the admin."))
            except (PermissionDenied, ValidationError) as exc:
                self.message_user(request, f"{token}: {exc}", level=messages.ERROR)
            else:
                revoked += 1
        self.message_user(
            request, _("%(count)d token(s) revoked.") % {"count": revoked}, level=messages.SUCCESS
        )
