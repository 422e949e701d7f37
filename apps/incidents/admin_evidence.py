"""Back office view of incident evidence: read-only.

Attached evidence is immutable, so the admin has no add, change or delete (attaching
goes through the incident's evidence page or the API, which call the services).
"""

from __future__ import annotations

from django.contrib import admin

from apps.incidents.models import Evidence


@admin.register(Evidence)
class EvidenceAdmin(admin.ModelAdmin):
    list_display = ["incident", "kind", "title", "size", "sha256", "added_by", "added_at"]
    list_filter = ["kind"]
    search_fields = ["incident__number", "title", "sha256", "original_filename"]
    list_select_related = ["incident", "added_by"]
    fields = [
        "incident",
        "kind",
        "title",
        "description",
        "original_filename",
        "content_type",
        "size",
        "sha256",
        "source",
        "added_by",
        "added_at",
    ]
    readonly_fields = fields
    actions = None

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
