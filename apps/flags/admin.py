"""Back office for flags: read-only. Every change goes through apps.flags.services (the
portal panel and the API), so the direction rules and the two-person rule hold no
matter the door.
"""

from __future__ import annotations

from django.contrib import admin

from apps.accounts.policy import can
from apps.flags import models

VIEW = "flags.view_flag"


class ReadOnlyFlagsAdmin(admin.ModelAdmin):
    """Shown to people who may view flags; nobody adds, edits or deletes here."""

    def has_view_permission(self, request, obj=None):
        return can(request.user, VIEW)

    def has_module_permission(self, request):
        return can(request.user, VIEW)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return {}


@admin.register(models.Flag)
class FlagAdmin(ReadOnlyFlagsAdmin):
    list_display = ["key", "kind", "fund_related", "scopes", "created_at"]
    list_filter = ["kind", "fund_related"]
    search_fields = ["key", "description"]


@admin.register(models.FlagState)
class FlagStateAdmin(ReadOnlyFlagsAdmin):
    list_display = [
        "flag",
        "scope_kind",
        "scope_value",
        "state",
        "reason",
        "incident_ref",
        "actor",
        "source",
        "effective_from",
        "until",
    ]
    list_filter = ["state", "scope_kind", "source", "flag"]
    list_select_related = ["flag", "actor"]
    search_fields = ["flag__key", "scope_value", "reason", "incident_ref"]
    date_hierarchy = "effective_from"


@admin.register(models.ScheduledFlagChange)
class ScheduledFlagChangeAdmin(ReadOnlyFlagsAdmin):
    list_display = [
        "flag",
        "scope_kind",
        "scope_value",
        "state",
        "run_at",
        "until",
        "status",
        "requested_by",
        "change_request",
    ]
    list_filter = ["status", "flag"]
    list_select_related = ["flag", "requested_by", "change_request"]


@admin.register(models.FlagSubscription)
class FlagSubscriptionAdmin(ReadOnlyFlagsAdmin):
    list_display = ["channel", "flag_keys", "enabled", "created_by", "created_at"]
    list_select_related = ["channel", "created_by"]
