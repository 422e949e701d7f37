"""Back office for post-mortems and action items: read-only here. They are written on the
post-mortem editor and through the API, whose services keep the states, the read-only rule
of a published post-mortem and the audit trail."""

from __future__ import annotations

from django.contrib import admin

from apps.accounts.policy import can
from apps.incidents import models


class _ReadOnly(admin.ModelAdmin):
    view_permission = ""

    def has_view_permission(self, request, obj=None):
        return can(request.user, self.view_permission)

    def has_module_permission(self, request):
        return can(request.user, "incidents.view_incident")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return {}


@admin.register(models.PostMortem)
class PostMortemAdmin(_ReadOnly):
    view_permission = "incidents.view_postmortem"
    list_display = ["incident", "state", "owner", "due_at", "published_at", "reminders_sent"]
    list_filter = ["state"]
    search_fields = ["incident__number", "incident__title"]
    list_select_related = ["incident", "owner"]


@admin.register(models.ActionItem)
class ActionItemAdmin(_ReadOnly):
    view_permission = "incidents.view_actionitem"
    list_display = ["title", "postmortem", "owner", "due_date", "status", "reminders_sent"]
    list_filter = ["status"]
    search_fields = ["title", "postmortem__incident__number"]
    list_select_related = ["postmortem__incident", "owner"]
