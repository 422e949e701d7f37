"""Back office for launch plans: read-only. Plans, tasks and criteria change through the
portal and the API (services); the war-room log is append-only, so the admin offers no
add, change or delete for it at all."""

from __future__ import annotations

from django.contrib import admin

from apps.oncall.admin import ReadOnlyAdmin, ReadOnlyInline
from apps.warroom import models


class LaunchPhaseInline(ReadOnlyInline):
    model = models.LaunchPhase
    fields = ["position", "kind", "start_offset", "end_offset", "goal"]
    readonly_fields = fields


class RollbackCriterionInline(ReadOnlyInline):
    model = models.RollbackCriterion
    fields = ["position", "condition", "threshold", "action", "decision_owner"]
    readonly_fields = fields


@admin.register(models.LaunchPlan)
class LaunchPlanAdmin(ReadOnlyAdmin):
    list_display = ["name", "t0", "status", "created_by", "created_at"]
    list_filter = ["status"]
    search_fields = ["name"]
    list_select_related = ["created_by"]
    inlines = [LaunchPhaseInline, RollbackCriterionInline]


@admin.register(models.LaunchTask)
class LaunchTaskAdmin(ReadOnlyAdmin):
    list_display = ["title", "plan", "phase", "offset_label", "owner", "owner_team", "status"]
    list_filter = ["status", "phase__kind", "plan"]
    search_fields = ["title"]
    list_select_related = ["plan", "phase", "owner", "owner_team"]


@admin.register(models.LaunchLogEntry)
class LaunchLogEntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "plan", "author", "automatic", "text", "corrects"]
    list_filter = ["kind", "automatic", "plan"]
    search_fields = ["text"]
    list_select_related = ["plan", "author", "corrects"]

    def get_actions(self, request):
        # Not even the built-in "delete selected" action.
        return {}
