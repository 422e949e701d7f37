"""Back office: change requests and freeze windows, read-only.

Decisions need a fresh OTP code and go through the portal page or the API; the admin
never adds, changes or deletes a request or a window.
"""

from django.contrib import admin

from apps.approvals.models import ChangeRequest, FreezeWindow


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ChangeRequest)
class ChangeRequestAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "summary", "status", "requester", "decided_by", "created_at"]
    list_filter = ["status", "kind", "freeze_exception", "bootstrap"]
    search_fields = ["target", "summary", "ticket", "requester__username"]
    date_hierarchy = "created_at"
    # The raw payload may hold values its handler masks; the diff and digest are shown.
    exclude = ["payload"]


@admin.register(FreezeWindow)
class FreezeWindowAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "starts_at", "ends_at", "ended_at", "created_by"]
    list_filter = ["kind"]
