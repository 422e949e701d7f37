"""Back office of the support app: canned replies, edited through the services.

The read models (customers, wallets, transactions …) are deliberately not in the admin:
their pages mask personal data, log every look in the access log and answer from indexes
without a COUNT, which a changelist with ``search_fields`` would not.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from apps.accounts.policy import can
from apps.support.models import CannedReply
from apps.support.services import replies as services

MANAGE = "support.manage_cannedreply"
VIEW = "support.view_customer"


class CannedReplyAdminForm(forms.ModelForm):
    """Checks what the service checks (known placeholders, key form) before saving."""

    class Meta:
        model = CannedReply
        fields = ["key", "language", "title", "body", "is_active"]

    def clean(self):
        cleaned = super().clean()
        instance = self.instance
        try:
            services.clean_reply(
                key=cleaned.get("key", instance.key),
                language=cleaned.get("language", instance.language),
                title=cleaned.get("title"),
                body=cleaned.get("body"),
            )
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                self.add_error(name if name in self.fields else None, messages)
        return cleaned


@admin.register(CannedReply)
class CannedReplyAdmin(admin.ModelAdmin):
    form = CannedReplyAdminForm
    list_display = ["key", "language", "title", "is_active", "updated_at", "updated_by"]
    list_filter = ["language", "is_active"]
    search_fields = ["key", "title"]
    fields = ["key", "language", "title", "body", "is_active"]
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        return ["key", "language"] if obj is not None else []

    def has_module_permission(self, request):
        return can(request.user, VIEW)

    def has_view_permission(self, request, obj=None):
        return can(request.user, VIEW)

    def has_add_permission(self, request):
        return can(request.user, MANAGE)

    def has_change_permission(self, request, obj=None):
        return can(request.user, MANAGE)

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: usage counts and the audit trail keep their reply

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            saved = services.reply_update(
                actor=request.user,
                reply=obj,
                title=data["title"],
                body=data["body"],
                is_active=data["is_active"],
            )
        else:
            saved = services.reply_create(
                actor=request.user,
                key=data["key"],
                language=data["language"],
                title=data["title"],
                body=data["body"],
                is_active=data["is_active"],
            )
        obj.pk = saved.pk
