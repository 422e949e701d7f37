"""Back office for status updates: templates are edited through the services (placeholders
checked, audited); sent updates and reminders are read-only (they are what was sent)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from apps.incidents.models import StatusTemplate, StatusUpdate, UpdateReminder
from apps.incidents.services import comms as services
from apps.oncall.admin import ReadOnlyAdmin


class StatusTemplateAdminForm(forms.ModelForm):
    class Meta:
        model = StatusTemplate
        fields = ["key", "name", "audience", "language", "subject", "body", "is_active"]

    def clean(self):
        data = super().clean()
        probe = StatusTemplate(
            audience=data.get("audience") or self.instance.audience,
            subject=data.get("subject") or "",
            body=data.get("body") or "",
        )
        try:
            services.status_template_check(probe)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        return data


@admin.register(StatusTemplate)
class StatusTemplateAdmin(admin.ModelAdmin):
    form = StatusTemplateAdminForm
    list_display = ["key", "name", "audience", "language", "is_active", "updated_at"]
    list_filter = ["key", "audience", "language", "is_active"]
    search_fields = ["key", "name", "subject"]
    fields = ["key", "name", "audience", "language", "subject", "body", "is_active"]

    def get_readonly_fields(self, request, obj=None):
        return ["key", "audience", "language"] if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False  # sent updates name their template: switch it off instead

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            services.status_template_update(
                actor=request.user,
                template=obj,
                name=data["name"],
                subject=data["subject"],
                body=data["body"],
                is_active=data["is_active"],
            )
        else:
            created = services.status_template_create(
                actor=request.user,
                key=data["key"],
                name=data["name"],
                audience=data["audience"],
                language=data["language"],
                subject=data["subject"],
                body=data["body"],
                is_active=data["is_active"],
            )
            obj.pk = created.pk


@admin.register(StatusUpdate)
class StatusUpdateAdmin(ReadOnlyAdmin):
    list_display = ["incident", "audience", "language", "subject", "sent_by", "sent_at"]
    list_filter = ["audience", "language"]
    search_fields = ["incident__number", "subject"]
    list_select_related = ["incident", "sent_by"]


@admin.register(UpdateReminder)
class UpdateReminderAdmin(ReadOnlyAdmin):
    list_display = ["incident", "due_at", "repeat", "person", "sent_at"]
    list_select_related = ["incident", "person"]
