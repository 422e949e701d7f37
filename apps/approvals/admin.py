"""Back office: change requests and freeze windows, read-only.

Decisions need a fresh OTP code and the payload hash the approver was shown, and go
through the portal page or the API (``apps.approvals.services``); the admin never adds,
changes, decides or deletes a request or a window. It shows who filed each request and
the people behind it.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from apps.approvals import behind
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
    list_display = ["id", "kind", "summary", "status", "filed_by", "decided_by", "created_at"]
    list_filter = ["status", "kind", "freeze_exception", "bootstrap"]
    search_fields = ["target", "summary", "ticket", "requester__username"]
    date_hierarchy = "created_at"
    # The raw payload may hold values its handler masks; the diff and digest are shown.
    exclude = ["payload"]
    readonly_fields = ["filed_by", "people_behind_list"]
    actions = None

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("requester", "decided_by")
            .prefetch_related("people_behind__person")
        )

    @admin.display(description=_("filed by"))
    def filed_by(self, obj: ChangeRequest) -> str:
        return behind.describe(obj)["filed_by"]

    @admin.display(description=_("people behind it"))
    def people_behind_list(self, obj: ChangeRequest) -> str:
        return "; ".join(person["text"] for person in behind.describe(obj)["people"]) or "—"


@admin.register(FreezeWindow)
class FreezeWindowAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "starts_at", "ends_at", "ended_at", "created_by"]
    list_filter = ["kind"]
