"""Back office for on call. Reads freely; every write goes through a service.

Versioned and append-only rows (layer versions, page steps and events, emitted feed
shifts) are read-only here: editing them would rewrite the past.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from apps.oncall import models, services


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def _report(modeladmin, request, func, queryset, done: str) -> None:
    count = 0
    for obj in queryset:
        try:
            func(obj)
            count += 1
        except (ValidationError, PermissionDenied) as error:
            modeladmin.message_user(request, f"{obj}: {error}", level=messages.ERROR)
    if count:
        modeladmin.message_user(request, done % {"count": count}, level=messages.SUCCESS)


class MembershipInline(ReadOnlyInline):
    model = models.Membership
    fields = ["user", "joined_at"]
    readonly_fields = fields


@admin.register(models.Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "lead", "channel"]
    search_fields = ["name", "slug"]
    fields = ["name", "slug", "description", "lead", "channel"]
    readonly_fields = ["lead"]
    inlines = [MembershipInline]

    def get_readonly_fields(self, request, obj=None):
        return ["slug", "lead"] if obj else ["lead"]

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            services.team_update(
                actor=request.user,
                team=obj,
                name=data["name"],
                description=data["description"],
                channel=data["channel"],
            )
        else:
            team = services.team_create(
                actor=request.user,
                name=data["name"],
                slug=data["slug"],
                description=data["description"],
            )
            if data.get("channel"):
                services.team_update(actor=request.user, team=team, channel=data["channel"])
            obj.pk = team.pk

    def save_related(self, request, form, formsets, change):
        """Memberships change through the team page (services), not here."""


class LayerVersionInline(ReadOnlyInline):
    model = models.LayerVersion
    fields = [
        "name",
        "priority",
        "shift_kind",
        "shift_length",
        "handoff_time",
        "start_date",
        "effective_from",
        "effective_until",
    ]
    readonly_fields = fields


@admin.register(models.Schedule)
class ScheduleAdmin(ReadOnlyAdmin):
    list_display = ["name", "team", "kind", "timezone"]
    list_filter = ["kind", "team"]


@admin.register(models.RotationLayer)
class RotationLayerAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "schedule", "created_at"]
    inlines = [LayerVersionInline]


@admin.register(models.Override)
class OverrideAdmin(ReadOnlyAdmin):
    list_display = ["schedule", "user", "start", "end", "cancelled_at", "reason"]
    list_filter = ["schedule"]
    actions = ["cancel_overrides"]

    @admin.action(description=_("Cancel the selected overrides from now on"))
    def cancel_overrides(self, request, queryset):
        _report(
            self,
            request,
            lambda o: services.override_cancel(actor=request.user, override=o),
            queryset,
            str(_("%(count)s override(s) cancelled.")),
        )


class StepInline(ReadOnlyInline):
    model = models.EscalationStep
    fields = [
        "position",
        "kind",
        "label",
        "schedule",
        "user",
        "wait_minutes",
        "repeat_from",
        "repeat_times",
    ]
    readonly_fields = fields


@admin.register(models.EscalationPolicy)
class EscalationPolicyAdmin(ReadOnlyAdmin):
    list_display = ["name", "team", "updated_at"]
    inlines = [StepInline]


class PageEventInline(ReadOnlyInline):
    model = models.PageEvent
    fields = ["created_at", "kind", "step_index", "repeat", "actor", "message"]
    readonly_fields = fields


@admin.register(models.Page)
class PageAdmin(ReadOnlyAdmin):
    list_display = ["id", "title", "team", "status", "is_test", "created_at", "acknowledged_by"]
    list_filter = ["status", "team", "is_test"]
    exclude = ["ack_token"]
    inlines = [PageEventInline]
    actions = ["acknowledge_pages"]

    @admin.action(description=_("Acknowledge the selected pages"))
    def acknowledge_pages(self, request, queryset):
        _report(
            self,
            request,
            lambda p: services.page_acknowledge(actor=request.user, page=p, via="admin"),
            queryset,
            str(_("%(count)s page(s) acknowledged.")),
        )


@admin.register(models.CalendarFeed)
class CalendarFeedAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "owner", "created_at", "revoked_at", "last_fetched_at"]
    exclude = ["token_hash"]
    actions = ["revoke_feeds"]

    @admin.action(description=_("Revoke the selected feeds"))
    def revoke_feeds(self, request, queryset):
        _report(
            self,
            request,
            lambda f: services.feed_revoke(actor=request.user, feed=f),
            queryset,
            str(_("%(count)s feed(s) revoked.")),
        )
