"""Back office for notifications: read-only rows, changes through the services' actions.

Secrets are never shown: the admin displays whether one is set.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from apps.notify import services
from apps.notify.models import Channel, ContactMethod, OutboxMessage, OutboxStatus


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows are written by the services (pages and API); the admin reads and acts."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


def _run(modeladmin, request, queryset, service, done_message, **kwargs) -> None:
    done = 0
    for obj in queryset:
        try:
            service(actor=request.user, **{kwargs["arg"]: obj})
        except (PermissionDenied, ValidationError) as error:
            modeladmin.message_user(request, f"{obj}: {error}", level=messages.ERROR)
        else:
            done += 1
    if done:
        modeladmin.message_user(request, done_message % {"count": done}, level=messages.SUCCESS)


@admin.register(Channel)
class ChannelAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "destination", "secret_set", "enabled", "updated_at"]
    list_filter = ["kind", "enabled"]
    search_fields = ["name"]
    fields = ["name", "kind", "config", "secret_set", "enabled", "created_by", "created_at"]
    readonly_fields = fields
    actions = ["disable_channels", "send_test"]

    @admin.display(boolean=True, description=_("secret set"))
    def secret_set(self, obj: Channel) -> bool:
        return obj.has_secret

    @admin.action(description=_("Disable the selected channels"))
    def disable_channels(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            services.channel_disable,
            _("%(count)d channel(s) disabled."),
            arg="channel",
        )

    @admin.action(description=_("Send a test message to the selected channels"))
    def send_test(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            services.channel_send_test,
            _("%(count)d test message(s) queued."),
            arg="channel",
        )


@admin.register(ContactMethod)
class ContactMethodAdmin(ReadOnlyAdmin):
    list_display = ["user", "kind", "display_target", "label", "secret_set", "verified_at"]
    list_filter = ["kind"]
    search_fields = ["user__username", "label"]
    fields = ["user", "kind", "display_target", "label", "secret_set", "verified_at", "created_at"]
    readonly_fields = fields

    @admin.display(boolean=True, description=_("secret set"))
    def secret_set(self, obj: ContactMethod) -> bool:
        return obj.has_secret


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "subject", "destination_label", "event", "status", "attempts"]
    list_filter = ["status", "event"]
    search_fields = ["id", "subject", "dedupe_key"]
    date_hierarchy = "created_at"
    fields = [
        "id",
        "channel",
        "contact_method",
        "subject",
        "body",
        "event",
        "payload",
        "dedupe_key",
        "status",
        "attempts",
        "next_attempt_at",
        "lease_until",
        "last_error",
        "delivered_at",
        "created_at",
    ]
    readonly_fields = fields
    actions = ["retry_dead_letters"]

    @admin.action(description=_("Retry the selected dead letters"))
    def retry_dead_letters(self, request, queryset):
        _run(
            self,
            request,
            queryset.filter(status=OutboxStatus.DEAD),
            services.outbox_retry,
            _("%(count)d message(s) queued again."),
            arg="message",
        )
