"""Back-office admin for accounts. Writes go through apps.accounts.services.

The whole admin site is OTP-gated: only an MFA-verified session of an active staff
person gets in; its login page is the portal's (password, then MFA).
"""

from django import forms
from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.models import Group
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_otp.admin import OTPAdminSite

from apps.accounts import admin_tokens  # noqa: F401  (service accounts and tokens)
from apps.accounts.models import User
from apps.accounts.policy import can, is_mfa_verified
from apps.accounts.roles import ROLES
from apps.accounts.services.roles import (
    role_grant,
    role_revoke,
    validate_role_grant,
    validate_role_revoke,
)


class OTPGatedAdminSite(OTPAdminSite):
    """The admin, reachable only with an MFA-verified session (django-otp's OTPAdminSite).

    Its own login form is replaced by the portal login, so there is one login door with
    one lockout.
    """

    def has_permission(self, request):
        return super().has_permission(request) and is_mfa_verified(request.user)

    def login(self, request, extra_context=None):
        if request.user.is_authenticated and is_mfa_verified(request.user):
            # Verified but not staff: the admin is not for this person.
            raise PermissionDenied
        target = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index")
        return redirect_to_login(target, login_url=reverse("accounts:login"))


admin.site.__class__ = OTPGatedAdminSite


# django-otp's own device admins show TOTP secrets and plaintext static codes: keep them out.
def _unregister_secret_admins() -> None:
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    for model in (TOTPDevice, StaticDevice):
        if admin.site.is_registered(model):
            admin.site.unregister(model)


_unregister_secret_admins()


class UserRolesForm(forms.ModelForm):
    """Only the roles are editable; each change is checked by the role services."""

    groups = forms.ModelMultipleChoiceField(
        label=_("Roles"),
        queryset=Group.objects.filter(name__in=list(ROLES)).order_by("name"),
        required=False,
        widget=admin.widgets.FilteredSelectMultiple(_("roles"), is_stacked=False),
    )

    class Meta:
        model = User
        fields = ["groups"]

    def clean(self):
        cleaned = super().clean()
        if self.errors or "groups" not in cleaned:
            return cleaned
        wanted = set(cleaned["groups"])
        held = set(self.instance.groups.filter(name__in=list(ROLES)))
        problems = []
        for group in sorted(wanted - held, key=lambda g: g.name):
            problems += self._problems(validate_role_grant, group)
        for group in sorted(held - wanted, key=lambda g: g.name):
            problems += self._problems(validate_role_revoke, group)
        if problems:
            raise ValidationError(problems)
        return cleaned

    def _problems(self, validator, group) -> list:
        try:
            validator(actor=self.request_user, user=self.instance, role=group)
        except ValidationError as exc:
            return exc.messages
        except PermissionDenied:
            return [_("You may not grant or remove roles.")]
        return []


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    """People and service accounts, read-only except for roles. No password or secret
    is shown; people are not added or deleted here."""

    form = UserRolesForm
    list_display = ["username", "email", "roles_display", "is_active", "is_service_account"]
    list_filter = ["is_active", "is_service_account", "groups"]
    search_fields = ["username", "email", "first_name", "last_name"]
    ordering = ["username"]
    readonly_fields = [
        "username",
        "first_name",
        "last_name",
        "email",
        "is_active",
        "is_staff",
        "is_service_account",
        "timezone",
        "language",
        "last_login",
        "date_joined",
    ]
    fields = [*readonly_fields[:7], "groups", *readonly_fields[7:]]

    @admin.display(description=_("roles"))
    def roles_display(self, obj):
        return ", ".join(sorted(g.name for g in obj.groups.all()))

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.request_user = request.user
        return form

    def has_module_permission(self, request):
        return can(request.user, "accounts.view_user")

    def has_view_permission(self, request, obj=None):
        return can(request.user, "accounts.view_user")

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_service_account:
            return False
        return can(request.user, "accounts.assign_role")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        # Nothing but the roles is editable, and those are saved in save_related.
        return None

    def save_related(self, request, form, formsets, change):
        user = form.instance
        wanted = set(form.cleaned_data.get("groups", []))
        held = set(user.groups.filter(name__in=list(ROLES)))
        for group in sorted(wanted - held, key=lambda g: g.name):
            role_grant(actor=request.user, user=user, role=group)
        for group in sorted(held - wanted, key=lambda g: g.name):
            role_revoke(actor=request.user, user=user, role=group)
