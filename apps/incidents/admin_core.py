"""Back office for incidents (core part). Writes go through the services: severity levels
through ``severity_save``, an incident's title, summary and customer impact through
``incident_edit`` (its status, severity and roles change on the incident page or the
API). Role history and the timeline are read-only here: nobody adds, edits or deletes.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from apps.accounts.policy import can
from apps.incidents import models
from apps.incidents.services.lifecycle import incident_edit
from apps.incidents.services.severities import SEVERITY_FIELDS, severity_save

VIEW = "incidents.view_incident"
INCIDENT_EDITABLE = ("title", "summary", "customer_impact")


class _ReadOnly(admin.ModelAdmin):
    view_permission = VIEW

    def has_view_permission(self, request, obj=None):
        return can(request.user, self.view_permission)

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


@admin.register(models.Severity)
class SeverityAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "rank",
        "postmortem_required",
        "postmortem_due_hours",
        "update_interval_minutes",
        "is_active",
    ]
    fields = list(SEVERITY_FIELDS)

    def has_view_permission(self, request, obj=None):
        return can(request.user, "incidents.view_severity")

    def has_module_permission(self, request):
        return can(request.user, "incidents.view_severity")

    def has_add_permission(self, request):
        return can(request.user, "incidents.add_severity")

    def has_change_permission(self, request, obj=None):
        return can(request.user, "incidents.change_severity")

    def has_delete_permission(self, request, obj=None):
        return False  # incidents keep their level; deactivate it instead

    def get_actions(self, request):
        return {}

    def save_model(self, request, obj, form, change):
        values = {name: form.cleaned_data[name] for name in SEVERITY_FIELDS}
        saved = severity_save(actor=request.user, severity=obj if change else None, **values)
        obj.pk = saved.pk


class RoleInline(admin.TabularInline):
    model = models.RoleAssignment
    fields = ["role", "person", "assigned_at", "assigned_by", "ended_at", "ended_by"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(models.Incident)
class IncidentAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "severity", "status", "owner", "declared_at"]
    list_filter = ["status", "severity"]
    list_select_related = ["severity", "owner"]
    search_fields = ["number", "title", "summary"]
    date_hierarchy = "declared_at"
    editable_fields = INCIDENT_EDITABLE
    fields = [
        "number",
        "title",
        "summary",
        "customer_impact",
        "severity",
        "status",
        "owner",
        "team",
        "affected_actions",
        "merged_into",
        "declared_by",
        "started_at",
        "detected_at",
        "declared_at",
        "acknowledged_at",
        "mitigated_at",
        "resolved_at",
        "closed_at",
        "next_update_due_at",
    ]
    readonly_fields = [f for f in fields if f not in INCIDENT_EDITABLE]
    inlines = [RoleInline]

    def has_view_permission(self, request, obj=None):
        return can(request.user, VIEW)

    def has_module_permission(self, request):
        return can(request.user, VIEW)

    def has_add_permission(self, request):
        return False  # declare on the portal or through the API

    def has_change_permission(self, request, obj=None):
        return can(request.user, "incidents.change_incident", obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return {}

    def save_model(self, request, obj, form, change):
        values = {name: form.cleaned_data[name] for name in self.editable_fields}
        try:
            incident_edit(actor=request.user, incident=obj, **values)
        except ValidationError as error:
            messages.error(request, "; ".join(error.messages))


@admin.register(models.RoleAssignment)
class RoleAssignmentAdmin(_ReadOnly):
    list_display = ["incident", "role", "person", "assigned_at", "ended_at"]
    list_filter = ["role"]
    list_select_related = ["incident", "person"]
    search_fields = ["incident__number", "person__username"]


@admin.register(models.TimelineEntry)
class TimelineEntryAdmin(_ReadOnly):
    view_permission = "incidents.view_timelineentry"
    list_display = ["incident", "kind", "occurred_at", "actor", "pinned", "internal_only"]
    list_filter = ["kind", "pinned", "internal_only"]
    list_select_related = ["incident", "actor"]
    search_fields = ["incident__number", "body"]
    date_hierarchy = "occurred_at"
    readonly_fields = [
        "incident",
        "kind",
        "body",
        "pinned",
        "internal_only",
        "data",
        "actor",
        "source_incident",
        "occurred_at",
        "created_at",
    ]
