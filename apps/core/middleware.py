"""Request id, metrics, the JSON 404 under /v1/ and the input guard."""

from __future__ import annotations

import time

from django.http import HttpRequest, HttpResponse

from apps.core import context, metrics
from apps.core.bounds import NUL_NOT_ALLOWED, nul_paths
from apps.core.client_ip import client_ip


class RequestIdMiddleware:
    """Accept or make an X-Request-ID, bind it (and the lazy actor) for the request, echo it."""

    header = "X-Request-ID"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = context.clean_request_id(request.headers.get(self.header))
        request.request_id = request_id
        # The actor is read lazily: DRF replaces request.user inside the view for tokens.
        with context.bind(
            request_id=request_id,
            actor=lambda: getattr(request, "user", None),
            remote_addr=client_ip(request),
        ):
            response = self.get_response(request)
        response[self.header] = request_id
        return response


class MetricsMiddleware:
    """Counts requests and their latency per route template (never per raw path)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        route = match.route if match is not None and match.route else "unmatched"
        metrics.observe_request(
            method=request.method or "",
            route=route,
            status=response.status_code,
            seconds=time.perf_counter() - started,
        )
        return response


class DebugApiNotFoundMiddleware:
    """With DEBUG on, Django answers an unknown URL with its HTML debug page; under /v1/
    automation expects the same JSON 404 as in production. Installed only when DEBUG."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code == 404
            and request.path.startswith("/v1/")
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            from apps.core.views import not_found

            return not_found(request)
        return response


class InputGuardMiddleware:
    """Refuses a request carrying a NUL character (U+0000) before any view runs.

    PostgreSQL cannot store U+0000 in text or jsonb, nor compare a column with a string
    holding one, so such a value would otherwise end in a server error wherever it reached
    the database: a list filter, a path parameter, a form field, a JSON payload stored as
    jsonb. Checked here, once, for every page and every /v1/ endpoint: the path (named by
    its URL parameter), each query parameter, each cookie, each form field and, under
    /v1/, every key and string of a JSON body (named by its dotted path, e.g.
    ``payload.networks.0.name``). The API answers 400 ``validation_error`` in its error
    shape with a message per field; a page answers the 400 page listing the fields.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        fields = nul_fields(request)
        if fields:
            return _refuse_nul(request, fields)
        return self.get_response(request)


def _shown(name: str) -> str:
    return name.replace("\x00", "\\u0000")


def _path_fields(request: HttpRequest) -> list[str]:
    from django.urls import Resolver404, resolve

    try:
        match = resolve(request.path_info)
    except Resolver404:
        return []  # no route takes this path: it answers 404
    named = [
        name for name, value in match.kwargs.items() if isinstance(value, str) and "\x00" in value
    ]
    return named or ["path"]


def _json_fields(request: HttpRequest) -> list[str]:
    import json

    content_type = request.content_type or ""
    if not (content_type == "application/json" or content_type.endswith("+json")):
        return []
    try:
        document = json.loads(request.body or b"null")
    except ValueError:
        return []  # malformed: the API's parser answers it
    return [path or "non_field_errors" for path in nul_paths(document)]


def nul_fields(request: HttpRequest) -> list[str]:
    """Where ``request`` carries U+0000: path parameters, query, cookies, form, JSON body."""
    fields: list[str] = []
    if "\x00" in request.path_info:
        fields += _path_fields(request)
    for key, values in request.GET.lists():
        if "\x00" in key or any("\x00" in value for value in values):
            fields.append(_shown(key))
    for key, value in request.COOKIES.items():
        if "\x00" in key or "\x00" in value:
            fields.append(f"cookie.{_shown(key)}")
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        if request.path.startswith("/v1/"):
            fields += _json_fields(request)
        elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            for key, values in request.POST.lists():
                if "\x00" in key or any("\x00" in value for value in values):
                    fields.append(_shown(key))
    return list(dict.fromkeys(fields))


def _refuse_nul(request: HttpRequest, fields: list[str]) -> HttpResponse:
    from django.http import JsonResponse
    from django.shortcuts import render
    from django.utils.translation import gettext as _

    from apps.core.api.errors import error_body

    message = str(NUL_NOT_ALLOWED)
    if request.path.startswith("/v1/"):
        body = error_body(
            "validation_error",
            _("The request has invalid fields; see 'fields'."),
            {field: [message] for field in fields},
        )
        return JsonResponse(body, status=400)
    return render(
        request,
        "errors/400.html",
        {"bad_fields": [(field, message) for field in fields]},
        status=400,
    )
