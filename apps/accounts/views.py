"""Login, MFA enrolment and verification, and the person's own profile page."""

from __future__ import annotations

from urllib.parse import urlencode

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts import lockout, mfa
from apps.accounts.forms import (
    CodeFirstLoginForm,
    EnrolForm,
    FreshCodeForm,
    PreferencesForm,
    VerifyForm,
)
from apps.accounts.models import BackupCodeDevice
from apps.accounts.policy import is_mfa_verified
from apps.accounts.services.mfa import (
    backup_codes_regenerate,
    mfa_verified_record,
    totp_enrolment_confirm,
    totp_enrolment_start,
)
from apps.accounts.services.profile import preferences_update
from apps.core.rules import ANY_METHOD, ANY_SIGNED_IN, ANY_VERIFIED, PUBLIC, Rule, page_rule
from apps.core.web.forms import apply_validation_error

# Warn when a person is down to this many backup codes.
LOW_BACKUP_CODES = 3


def _safe_next(request: HttpRequest, default: str | None = None) -> str:
    """The ``next`` target if it stays on this site, else the default page."""
    candidate = request.POST.get("next") or request.GET.get("next")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(default or settings.LOGIN_REDIRECT_URL)


def _with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


class PortalLoginView(auth_views.LoginView):
    """Password step. MFARequiredMiddleware then sends the session to enrolment or
    verification before anything else; lockout per address is django-axes's.

    For an account under a flood of failed logins (``lockout.under_flood``) the page asks
    for the second factor together with the password (CodeFirstLoginForm): a password
    sent alone is not even checked, and the answer asks for the code.
    """

    template_name = "accounts/login.html"
    page_rules = {ANY_METHOD: PUBLIC}
    code_first = False

    def get_form_class(self):
        return CodeFirstLoginForm if self.code_first else super().get_form_class()

    def post(self, request, *args, **kwargs):
        username = (request.POST.get("username") or "").strip()
        self.code_first = lockout.under_flood(username)
        if self.code_first and "code" not in request.POST:
            form = CodeFirstLoginForm(request, initial={"username": username})
            return self.render_to_response(self.get_context_data(form=form))
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)  # logs the person in (the password step)
        device = getattr(form, "device", None)
        if device is not None:  # the code came with the password: the session is verified
            _complete_second_factor(self.request, device)
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["expired"] = self.request.GET.get("expired") == "1"
        context["code_first"] = self.code_first
        return context


class PortalLogoutView(auth_views.LogoutView):
    """Logout is a POST (the base template's button)."""

    http_method_names = ["post", "options"]
    page_rules = {ANY_METHOD: PUBLIC}


def _refuse_service_account(request: HttpRequest) -> None:
    if getattr(request.user, "is_service_account", False):
        raise PermissionDenied(_("Service accounts do not use the portal."))


def _complete_second_factor(request: HttpRequest, device) -> None:
    """Mark the session verified with ``device``; clear the failure count."""
    request.session.cycle_key()
    django_otp.login(request, device)
    lockout.clear_failures(request, request.user.get_username())
    mfa_verified_record(actor=request.user, device=device)
    if isinstance(device, TOTPDevice):
        mfa.record_step_up(request)


@page_rule(Rule(perm=ANY_SIGNED_IN))
@never_cache
def mfa_enrol(request: HttpRequest) -> HttpResponse:
    """First login: scan the QR code, confirm with a code, receive the backup codes once."""
    _refuse_service_account(request)
    user = request.user
    next_url = _safe_next(request)
    if is_mfa_verified(user):
        return redirect("accounts:profile")
    if mfa.has_confirmed_device(user):
        return redirect(_with_next("accounts:mfa_verify", next_url))
    if lockout.is_locked(request, user.get_username()):
        return lockout.lockout_response(request)
    device = totp_enrolment_start(actor=user)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = totp_enrolment_confirm(
                actor=user, device=device, code=form.cleaned_data["code"]
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
            if hasattr(exc, "error_dict") and "code" in exc.error_dict:
                if lockout.second_factor_failed(request, user, stage="enrol"):
                    return lockout.lockout_response(request)
        else:
            device.refresh_from_db()
            _complete_second_factor(request, device)
            return render(
                request,
                "accounts/backup_codes.html",
                {"codes": codes, "next_url": next_url, "first_time": True},
            )
    context = {
        "form": form,
        "qr_code": mfa.qr_code_data_uri(device.config_url),
        "secret": mfa.base32_secret(device),
        "next_url": next_url,
    }
    return render(request, "accounts/mfa_enrol.html", context)


@page_rule(Rule(perm=ANY_SIGNED_IN))
@never_cache
def mfa_verify(request: HttpRequest) -> HttpResponse:
    """Second factor at login: a TOTP code, or one of the backup codes (each works once)."""
    _refuse_service_account(request)
    user = request.user
    next_url = _safe_next(request)
    if is_mfa_verified(user):
        return redirect(next_url)
    if not mfa.has_confirmed_device(user):
        return redirect(_with_next("accounts:mfa_enrol", next_url))
    if lockout.is_locked(request, user.get_username()):
        return lockout.lockout_response(request)
    form = VerifyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = mfa.verify_login_code(user, form.cleaned_data["code"])
        if device is None:
            form.add_error("code", _("This code is not valid or was already used."))
            if lockout.second_factor_failed(request, user, stage="verify"):
                return lockout.lockout_response(request)
        else:
            _complete_second_factor(request, device)
            if isinstance(device, BackupCodeDevice):
                left = device.remaining()
                if left <= LOW_BACKUP_CODES:
                    messages.warning(
                        request,
                        _("You have %(count)d backup codes left; make new ones on your profile.")
                        % {"count": left},
                    )
            return redirect(next_url)
    return render(request, "accounts/mfa_verify.html", {"form": form, "next_url": next_url})


def _profile_context(request: HttpRequest, **extra) -> dict:
    user = request.user
    context = {
        "preferences_form": PreferencesForm(
            initial={"timezone": user.timezone, "language": user.language}
        ),
        "backup_form": FreshCodeForm(),
        "totp_device": mfa.confirmed_totp_device(user),
        "backup_codes_left": mfa.remaining_backup_codes(user),
        "backup_code_count": settings.MFA_BACKUP_CODE_COUNT,
    }
    context.update(extra)
    return context


@page_rule(Rule(perm=ANY_VERIFIED))
@never_cache
def profile(request: HttpRequest) -> HttpResponse:
    """The person's own page: time zone, language, MFA devices, contact methods."""
    _refuse_service_account(request)
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            try:
                preferences_update(
                    actor=request.user,
                    user=request.user,
                    timezone=form.cleaned_data["timezone"],
                    language=form.cleaned_data["language"],
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("Your preferences were saved."))
                return redirect("accounts:profile")
        return render(
            request, "accounts/profile.html", _profile_context(request, preferences_form=form)
        )
    return render(request, "accounts/profile.html", _profile_context(request))


@page_rule(Rule(perm=ANY_VERIFIED))
@never_cache
@require_POST
def profile_backup_codes(request: HttpRequest) -> HttpResponse:
    """Make new backup codes (the old ones stop working); needs a fresh authenticator code."""
    _refuse_service_account(request)
    form = FreshCodeForm(request.POST)
    if form.is_valid():
        if mfa.step_up(request, form.cleaned_data["code"]):
            codes = backup_codes_regenerate(actor=request.user, user=request.user)
            return render(
                request,
                "accounts/backup_codes.html",
                {"codes": codes, "next_url": reverse("accounts:profile"), "first_time": False},
            )
        if getattr(request, "axes_locked_out", False):
            return lockout.lockout_response(request)
        form.add_error("code", _("This code is not valid or was already used."))
    return render(
        request, "accounts/profile.html", _profile_context(request, backup_form=form), status=400
    )
