"""Read-only back office for the audit trail: nobody adds, changes or deletes rows here.

django-auditlog registers its own admin for the LogEntry model it is configured with
(ours); it is replaced by the read-only one below.
"""

from __future__ import annotations

from django.contrib import admin

from apps.accounts.policy import can
from apps.audit.models import AccessLogEntry, AuditEvent, LogEntry
from apps.audit.selectors import VIEW_PERMISSION


class ReadOnlyAuditAdmin(admin.ModelAdmin):
    """Lists and shows audit rows to those who may view the trail; never writes."""

    date_hierarchy = "timestamp"
    list_per_page = 50
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_view_permission(self, request, obj=None) -> bool:
        return can(request.user, VIEW_PERMISSION)

    def has_module_permission(self, request) -> bool:
        return can(request.user, VIEW_PERMISSION)


if admin.site.is_registered(LogEntry):
    admin.site.unregister(LogEntry)


@admin.register(LogEntry)
class LogEntryAdmin(ReadOnlyAuditAdmin):
    list_display = ["timestamp", "actor", "action", "content_type", "object_pk", "object_repr"]
    list_filter = ["action", "content_type"]
    list_select_related = ["actor", "content_type"]
    search_fields = ["object_repr", "object_pk", "request_id", "cid", "actor__username"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAuditAdmin):
    list_display = ["timestamp", "actor", "name", "target_type", "target_id", "target_repr"]
    list_filter = ["name"]
    list_select_related = ["actor"]
    search_fields = ["name", "target_repr", "target_id", "request_id", "actor__username"]


@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(ReadOnlyAuditAdmin):
    list_display = ["timestamp", "actor", "what", "subject_type", "subject_id", "ticket"]
    list_filter = ["what", "subject_type"]
    list_select_related = ["actor"]
    search_fields = ["subject_repr", "subject_id", "ticket", "request_id", "actor__username"]
