"""Home page, health, metrics and error pages."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from apps.core import health, metrics
from apps.core.api.errors import json_error_response
from apps.core.rules import ANY_VERIFIED, PUBLIC, Rule, page_rule


@page_rule(Rule(perm=ANY_VERIFIED))
def home(request: HttpRequest) -> HttpResponse:
    roles = sorted(request.user.groups.values_list("name", flat=True))
    return render(request, "core/home.html", {"roles": roles})


@page_rule(PUBLIC)
@require_GET
@never_cache
def health_live(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers. Says nothing about versions or configuration."""
    return JsonResponse({"status": "ok"})


@page_rule(PUBLIC)
@require_GET
@never_cache
def health_ready(request: HttpRequest) -> JsonResponse:
    """Readiness: database, cache and broker answer; 503 naming which did not."""
    ok, checks = health.readiness()
    return JsonResponse(
        {"status": "ok" if ok else "unavailable", "checks": checks}, status=200 if ok else 503
    )


def _metrics_allowed(request: HttpRequest) -> bool:
    """A bearer token when METRICS_TOKEN is set; otherwise a direct loopback caller only.

    A request relayed by a reverse proxy on the same host also arrives from loopback, so
    one carrying forwarding headers is refused: it came from somewhere else.
    """
    token = settings.METRICS_TOKEN
    if token:
        scheme, _sep, given = request.headers.get("Authorization", "").partition(" ")
        return scheme.lower() == "bearer" and bool(given) and constant_time_compare(given, token)
    if "X-Forwarded-For" in request.headers or "Forwarded" in request.headers:
        return False
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False


@page_rule(PUBLIC)  # its own gate: a bearer token or a loopback caller
@require_GET
@never_cache
def metrics_view(request: HttpRequest) -> HttpResponse:
    if not _metrics_allowed(request):
        return HttpResponse(_("Forbidden"), status=403, content_type="text/plain")
    body, content_type = metrics.render()
    return HttpResponse(body, content_type=content_type)


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/v1/")


def not_found(request: HttpRequest, exception=None) -> HttpResponse:
    if _is_api(request):
        return json_error_response("not_found", _("Not found."), 404)
    return render(request, "errors/404.html", status=404)


def forbidden(request: HttpRequest, exception=None) -> HttpResponse:
    if _is_api(request):
        return json_error_response("permission_denied", _("You may not do this."), 403)
    return render(request, "errors/403.html", status=403)


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    if _is_api(request):
        return json_error_response("bad_request", _("Bad request."), 400)
    return render(request, "errors/400.html", status=400)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return json_error_response("server_error", _("Internal error; it has been logged."), 500)
    return render(request, "errors/500.html", status=500)
