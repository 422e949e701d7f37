"""A WSGI fast path for ``GET /v1/flags/{key}/evaluate`` called with a Bearer token.

Services call this endpoint before every guarded action, and Django's middleware stack
plus DRF's dispatch cost far more than the evaluation itself. ``FlagsEvaluateFastPath``
wraps the Django WSGI application (opsportal/wsgi.py) and answers exactly this request
itself, with the same status, body and headers as the Django path:

- authentication is DRF's ``TokenAuthentication`` and the scope check is the view's own
  ``Rule`` through ``ActionPermission``; errors go through the API's exception handler,
  so codes, messages and the error envelope are the same;
- the answer is ``evaluate_query``, the function the view calls;
- the response gets what the middlewares would add: X-Request-ID (a valid incoming one
  is kept), the security headers (SecurityMiddleware, XFrameOptionsMiddleware and the
  CSP middleware themselves run on it), Vary, Content-Language and Content-Length;
- the request context (request id, actor, client address) is bound, the language is
  chosen per Accept-Language / language cookie as LocaleMiddleware does, the metrics are
  counted under the route label Django records, Django's request signals are sent (the
  database connections are managed as usual) and 4xx answers are logged by
  ``django.request`` like Django does.

Anything else goes to Django unchanged: another method or path, no ``Bearer``
Authorization, a session cookie, a host outside ALLOWED_HOSTS (Django answers 400), a
plain-HTTP request while SECURE_SSL_REDIRECT is on (Django redirects), or an unexpected
error (Django answers it, with its own 500 handling). ``FLAGS_FAST_PATH=false`` turns it
off.
"""

from __future__ import annotations

import re
import time
from contextlib import nullcontext
from types import SimpleNamespace

from django.conf import settings
from django.core import signals
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpResponse, JsonResponse
from django.test.signals import setting_changed
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.log import log_response
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer

from apps.accounts.api.permissions import ActionPermission
from apps.accounts.authentication import TokenAuthentication
from apps.core import context, metrics
from apps.core.api.errors import exception_handler
from apps.core.client_ip import client_ip

PATH = re.compile(r"^/v1/flags/(?P<key>[^/]+)/evaluate$")
REQUEST_ID_HEADER = "X-Request-ID"

# The middleware stack this path mirrors. Any other middleware in settings.MIDDLEWARE
# (e.g. the bench's X-Worker-Pid or cProfile middleware) turns the fast path off: what it
# would do to the request is unknown here, so Django answers.
MIRRORED_MIDDLEWARE = frozenset(
    {
        "apps.core.middleware.RequestIdMiddleware",
        "apps.core.middleware.DebugApiNotFoundMiddleware",
        "django.middleware.security.SecurityMiddleware",
        "whitenoise.middleware.WhiteNoiseMiddleware",
        "apps.core.middleware.MetricsMiddleware",
        "apps.core.middleware.InputGuardMiddleware",
        # Limits the bodies of the views that take files; an evaluation has none.
        "apps.core.uploads.UploadLimitMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.locale.LocaleMiddleware",
        "django.middleware.common.CommonMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django_otp.middleware.OTPMiddleware",
        "apps.accounts.middleware.SessionLifetimeMiddleware",
        "apps.accounts.middleware.MFARequiredMiddleware",
        "apps.accounts.middleware.UserPreferencesMiddleware",
        # Page rules leave /v1/ to the API's own action_rules: nothing to mirror.
        "apps.accounts.pages.PageRuleMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
        "csp.middleware.CSPMiddleware",
        "axes.middleware.AxesMiddleware",
    }
)

# Built on first use and dropped when a setting changes (tests override settings).
_state: dict = {}


def _reset_state(**kwargs) -> None:
    _state.clear()


setting_changed.connect(_reset_state, dispatch_uid="flags-fastpath-reset")


def _prepared() -> dict:
    """The middlewares whose response work is reused, the route label, the view class."""
    if _state:
        return _state
    from csp.middleware import CSPMiddleware
    from django.middleware.clickjacking import XFrameOptionsMiddleware
    from django.middleware.security import SecurityMiddleware
    from django.urls import Resolver404, resolve

    from apps.flags.api.views import FlagEvaluateView

    try:
        match = resolve("/v1/flags/fast-path-probe/evaluate")
    except Resolver404:
        match = None
    view_class = getattr(getattr(match, "func", None), "view_class", None)
    csp_path = "csp.middleware.CSPMiddleware"
    view = FlagEvaluateView()
    if hasattr(view, "get") and not hasattr(view, "head"):
        view.head = view.get  # as View.setup() does, for DRF's Allow header
    _state.update(
        # Only when the URL map still routes the path to the view being mirrored, behind
        # the middlewares being mirrored.
        routed=view_class is FlagEvaluateView and set(settings.MIDDLEWARE) <= MIRRORED_MIDDLEWARE,
        route=match.route if match is not None and match.route else "unmatched",
        view=FlagEvaluateView,
        allow=", ".join(view.allowed_methods),
        security=SecurityMiddleware(lambda request: None),
        xframe=XFrameOptionsMiddleware(lambda request: None)
        if "django.middleware.clickjacking.XFrameOptionsMiddleware" in settings.MIDDLEWARE
        else None,
        csp=CSPMiddleware(lambda request: None) if csp_path in settings.MIDDLEWARE else None,
        session_cookie=settings.SESSION_COOKIE_NAME,
    )
    return _state


def _render_error(exc: exceptions.APIException, request) -> tuple[int, bytes, dict]:
    """Status, body and extra headers of a DRF error, as the API's exception handler and
    DRF's APIView.handle_exception make them."""
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        exc.auth_header = TokenAuthentication().authenticate_header(request)
    response = exception_handler(exc, {})
    # The unrendered Response's own Content-Type is not what DRF sends; keep the rest
    # (WWW-Authenticate).
    headers = {name: value for name, value in response.items() if name != "Content-Type"}
    return response.status_code, JSONRenderer().render(response.data), headers


def _add_csp(request, response: HttpResponse, state: dict) -> None:
    """The CSP middleware's headers. The policy depends on the settings only (this path
    never asks for a nonce), so the middleware builds it once and it is reused."""
    if "csp_headers" not in state:
        from csp.constants import HEADER, HEADER_REPORT_ONLY

        probe = HttpResponse(content_type="application/json")
        state["csp"].process_request(request)
        state["csp"].process_response(request, probe)
        state["csp_headers"] = [
            (name, probe[name]) for name in (HEADER, HEADER_REPORT_ONLY) if name in probe
        ]
        state["csp_excluded"] = {
            name: tuple((getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES") or ())
            for name, setting in (
                (HEADER, "CONTENT_SECURITY_POLICY"),
                (HEADER_REPORT_ONLY, "CONTENT_SECURITY_POLICY_REPORT_ONLY"),
            )
        }
    if response.status_code in (404, 500) and settings.DEBUG:
        return  # the middleware leaves debug pages alone
    for name, value in state["csp_headers"]:
        excluded = state["csp_excluded"][name]
        if name not in response and not (excluded and request.path_info.startswith(excluded)):
            response[name] = value


_ACCEPT_OK: dict[str, bool] = {}


def _plain_json_accepted(accept: str | None) -> bool:
    """Would DRF's content negotiation pick plain ``application/json`` for this Accept
    header? Anything else (406, a media type with parameters such as ``indent``) is left
    to Django. Decided by DRF itself, once per distinct header value."""
    if accept is None:
        return True
    known = _ACCEPT_OK.get(accept)
    if known is not None:
        return known
    from rest_framework.negotiation import DefaultContentNegotiation

    probe = SimpleNamespace(
        query_params={}, META={"HTTP_ACCEPT": accept}, headers={"accept": accept}
    )
    try:
        _renderer, media_type = DefaultContentNegotiation().select_renderer(probe, [JSONRenderer()])
        ok = media_type == JSONRenderer.media_type
    except exceptions.APIException:
        ok = False
    if len(_ACCEPT_OK) >= 256:
        _ACCEPT_OK.clear()
    _ACCEPT_OK[accept] = ok
    return ok


class FlagsEvaluateFastPath:
    """WSGI wrapper: answers token calls of GET /v1/flags/{key}/evaluate without Django's
    middleware stack; everything else goes to ``app``."""

    def __init__(self, app):
        self.app = app

    def _eligible(self, environ) -> bool:
        if environ.get("REQUEST_METHOD") != "GET":
            return False
        path = environ.get("PATH_INFO", "")
        if not PATH.match(path):
            return False
        # A NUL character anywhere is refused by the input guard; Django answers it.
        if "\x00" in path or "%00" in environ.get("QUERY_STRING", ""):
            return False
        parts = environ.get("HTTP_AUTHORIZATION", "").split()
        # TokenAuthentication judges only the Bearer scheme (case-insensitive).
        if not parts or parts[0].lower() != "bearer":
            return False
        if not getattr(settings, "FLAGS_FAST_PATH", True):
            return False
        state = _prepared()
        if not state["routed"]:
            return False
        cookies = environ.get("HTTP_COOKIE")
        if cookies and (state["session_cookie"] in cookies or "\\0" in cookies):
            return False
        # DRF's ?format= override and content negotiation: only the plain JSON answer here.
        if "format=" in environ.get("QUERY_STRING", ""):
            return False
        return _plain_json_accepted(environ.get("HTTP_ACCEPT"))

    def __call__(self, environ, start_response):
        if not self._eligible(environ):
            return self.app(environ, start_response)
        started = time.perf_counter()
        request = WSGIRequest(environ)
        try:
            request.get_host()  # ALLOWED_HOSTS, as CommonMiddleware checks it
        except DisallowedHost:
            return self.app(environ, start_response)  # Django answers 400
        if settings.SECURE_SSL_REDIRECT and not request.is_secure():
            return self.app(environ, start_response)  # Django redirects to https
        match = PATH.match(request.path_info)
        if match is None:
            return self.app(environ, start_response)
        signals.request_started.send(sender=self.__class__, environ=environ)
        try:
            response = self._answer(request, match["key"], started)
        except Exception:
            # Not ours to judge: Django answers it with its own error handling.
            signals.request_finished.send(sender=self.__class__)
            return self.app(environ, start_response)
        status = f"{response.status_code} {response.reason_phrase}"
        start_response(status, [*response.items()])
        body = [response.content]
        signals.request_finished.send(sender=self.__class__)
        return body

    def _answer(self, request, key: str, started: float) -> HttpResponse:
        state = _prepared()
        request_id = context.clean_request_id(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id
        language = translation.get_language_from_request(request, check_path=False)
        # translation.override, skipped when the language is already the active one.
        switch = language != translation.get_language()
        with (
            context.bind(request_id=request_id, actor=None, remote_addr=client_ip(request)),
            translation.override(language) if switch else nullcontext(),
        ):
            request.LANGUAGE_CODE = translation.get_language()
            headers = {"Allow": state["allow"]}
            try:
                response = JsonResponse(self._evaluate(request, key, state))
            except exceptions.APIException as exc:
                status, body, extra = _render_error(exc, request)
                response = HttpResponse(body, status=status, content_type="application/json")
                headers.update(extra)
            for name, value in headers.items():
                response[name] = value
            self._finish(request, response, state, started)
        response[REQUEST_ID_HEADER] = request_id
        return response

    def _evaluate(self, request, key: str, state: dict) -> dict:
        from apps.flags.api.views import evaluate_query

        result = TokenAuthentication().authenticate(request)
        if result is None:  # not a Bearer header after all; _eligible rules this out
            raise exceptions.NotAuthenticated()
        account, token = result
        permission = ActionPermission()
        caller = SimpleNamespace(method="GET", auth=token, user=account)
        if not permission.has_permission(caller, state["view"]):
            raise exceptions.PermissionDenied(detail=permission.message, code=permission.code)
        return evaluate_query(key, request.GET)

    def _finish(self, request, response: HttpResponse, state: dict, started: float) -> None:
        """What the middlewares do on the way out, innermost first."""
        if state["csp"] is not None:
            _add_csp(request, response, state)
        if state["xframe"] is not None:
            state["xframe"].process_response(request, response)
        # LocaleMiddleware, then SessionMiddleware (the lazy user read the session).
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        # CommonMiddleware.
        response.headers["Content-Length"] = str(len(response.content))
        if response.status_code >= 400:
            log_response(
                "%s: %s",
                response.reason_phrase,
                request.path,
                response=response,
                request=request,
            )
        metrics.observe_request(
            method="GET",
            route=state["route"],
            status=response.status_code,
            seconds=time.perf_counter() - started,
        )
        state["security"].process_response(request, response)
