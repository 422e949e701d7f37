"""Back office for checklists (read-only: templates are edited and runs marked through the
services)."""

from __future__ import annotations

from django.contrib import admin

from apps.oncall.admin import ReadOnlyAdmin, ReadOnlyInline
from apps.warroom import models


class ChecklistTemplateItemInline(ReadOnlyInline):
    model = models.ChecklistTemplateItem
    fields = ["position", "title", "help_text", "evidence_required", "required"]
    readonly_fields = fields


@admin.register(models.ChecklistTemplate)
class ChecklistTemplateAdmin(ReadOnlyAdmin):
    list_display = ["name", "slug", "kind", "version", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "slug"]
    inlines = [ChecklistTemplateItemInline]


class ChecklistRunItemInline(ReadOnlyInline):
    model = models.ChecklistRunItem
    fields = ["position", "title", "required", "result", "marked_by", "marked_at", "note"]
    readonly_fields = fields


@admin.register(models.ChecklistRun)
class ChecklistRunAdmin(ReadOnlyAdmin):
    list_display = [
        "__str__",
        "environment",
        "launch",
        "launch_label",
        "status",
        "result",
        "started_at",
    ]
    list_filter = ["status", "result", "environment", "template"]
    list_select_related = ["template", "launch"]
    search_fields = ["template_name", "launch_label"]
    inlines = [ChecklistRunItemInline]


@admin.register(models.ChecklistItemMark)
class ChecklistItemMarkAdmin(ReadOnlyAdmin):
    list_display = ["item", "previous_result", "result", "actor", "at"]
    list_select_related = ["item", "actor"]
    list_filter = ["result"]
