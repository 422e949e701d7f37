"""The role × endpoint matrix: who may call what, declared once, tested for every caller.

Every endpoint (each ``/v1/`` route and method, and the portal pages) is an ``Entry``
saying which roles and which token scopes are allowed. ``tests/test_role_matrix.py``
calls each entry as every caller in ``CALLERS`` — a verified person holding each role of
``apps.accounts.roles.ROLES``, an anonymous visitor, a person who has not passed MFA, a
token without the needed scope and a token with it — and checks:

- allowed: the status is not 401 or 403 (and a page does not send the caller to log in
  or to MFA);
- denied: 401 or 403 (a page may instead redirect to the login or MFA page).

It also walks the URL resolver and fails for any ``/v1/`` route and method (schema and
docs aside) and any portal page (every route outside ``/v1/``, the admin and static files)
that no entry covers, so a new endpoint or page without a matrix entry is caught.

How an app adds its entries
---------------------------
Create ``tests/<app>/matrix_entries.py`` with a module-level ``ENTRIES`` list; it is
collected automatically (``collect_entries``). For example::

    from apps.accounts.roles import OPS, SUPER_ADMIN
    from tests.matrix import Entry, EVERY_ROLE

    ENTRIES = [
        Entry("flags.api.list", "GET", "/v1/flags/", roles=EVERY_ROLE, scopes={"flags:read"}),
        Entry(
            "flags.api.block",
            "POST",
            lambda ctx: f"/v1/flags/{ctx.get('flag', FlagFactory).key}/block",
            roles={OPS, SUPER_ADMIN},
            scopes={"flags:write"},
            data=lambda ctx: {"reason": "matrix"},
        ),
    ]

- ``url`` is a string or ``callable(ctx)``; ``data`` (the body of a POST/PUT/PATCH) too.
  ``ctx.get(name, factory)`` makes an object once per test and hands the same one to the
  URL and the body; ``ctx.unique(prefix)`` gives a fresh name.
- ``roles``: the roles whose verified holders are allowed (``EVERY_ROLE`` for all).
- ``scopes``: the token scopes that are allowed; empty (the default) means tokens are
  always refused (people-only endpoints); ``ANY_TOKEN`` admits every valid token.
- ``public=True``: everyone, anonymous included, is allowed (health checks and the like);
  a public page may still send its visitor to the login page (logging out does).
- ``signed_in=True``: every signed-in person, MFA passed or not (MFA enrolment).
- ``/v1/`` bodies are sent as JSON, page bodies as a form.
"""

from __future__ import annotations

import importlib
import itertools
import pkgutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver, resolve

from apps.accounts.roles import ROLES, SUPER_ADMIN
from apps.accounts.scopes import SCOPES

ANONYMOUS = "anonymous"
UNVERIFIED = "unverified person"
TOKEN_WITHOUT_SCOPE = "token without scope"
TOKEN_WITH_SCOPE = "token with the scope"
CALLERS: list[str] = [*ROLES, ANONYMOUS, UNVERIFIED, TOKEN_WITHOUT_SCOPE, TOKEN_WITH_SCOPE]

EVERY_ROLE = frozenset(ROLES)
ANY_TOKEN = "*"  # as ``scopes``: every valid token, whatever its scopes

# /v1/ routes that need no entry: the OpenAPI document and its viewer are public.
EXEMPT_API_URL_NAMES = {"schema", "docs"}
API_PREFIX = "/v1/"
# Routes outside /v1/ that are not portal pages: the OTP-gated Django admin and Django's
# language switch (each has its own gate; see apps.accounts.pages.is_exempt).
EXEMPT_PAGE_PREFIXES = ("/admin/", "/i18n/", "/static/", "/media/")
HTTP_METHODS = ("get", "post", "put", "patch", "delete")


_UNIQUE = itertools.count(1)  # names stay unique across every Ctx of a run


class Ctx:
    """Objects an entry's URL and body need, each made once per test on first use."""

    def __init__(self) -> None:
        self._objects: dict[str, Any] = {}

    def get(self, name: str, factory: Callable[[], Any]) -> Any:
        if name not in self._objects:
            self._objects[name] = factory()
        return self._objects[name]

    def unique(self, prefix: str = "matrix") -> str:
        return f"{prefix}-{next(_UNIQUE)}"


@dataclass(frozen=True)
class Entry:
    id: str
    method: str
    url: str | Callable[[Ctx], str]
    roles: frozenset[str] | set[str] = frozenset()
    scopes: frozenset[str] | set[str] | str = frozenset()
    data: dict | Callable[[Ctx], dict] | None = None
    public: bool = False
    # A page for every signed-in person, MFA passed or not (enrolment, verification).
    signed_in: bool = False
    notes: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "method", self.method.upper())
        object.__setattr__(self, "roles", frozenset(self.roles))
        if self.scopes != ANY_TOKEN:
            object.__setattr__(self, "scopes", frozenset(self.scopes))
        unknown_roles = set(self.roles) - set(ROLES)
        if unknown_roles:
            raise ValueError(f"{self.id}: unknown roles {sorted(unknown_roles)}")
        if self.scopes != ANY_TOKEN:
            unknown_scopes = set(self.scopes) - set(SCOPES)
            if unknown_scopes:
                raise ValueError(f"{self.id}: unknown scopes {sorted(unknown_scopes)}")

    # --- building the call -----------------------------------------------------------
    def build_url(self, ctx: Ctx) -> str:
        return self.url(ctx) if callable(self.url) else self.url

    def build_data(self, ctx: Ctx) -> dict | None:
        return self.data(ctx) if callable(self.data) else self.data

    @property
    def tokens_allowed(self) -> bool:
        return self.scopes == ANY_TOKEN or bool(self.scopes)

    # --- who is let in ---------------------------------------------------------------
    def token_scopes_for(self, caller: str) -> list[str]:
        """The scopes of the token a token caller holds for this entry."""
        if caller == TOKEN_WITH_SCOPE:
            if self.scopes == ANY_TOKEN or not self.scopes:
                # People-only endpoints are tried with the most powerful token there is.
                return list(SCOPES)
            return sorted(self.scopes)
        if self.scopes == ANY_TOKEN:
            return []
        return [scope for scope in SCOPES if scope not in self.scopes]

    def allows(self, caller: str) -> bool:
        if self.public:
            return True
        if self.signed_in and caller in (*ROLES, UNVERIFIED):
            return True
        if caller in ROLES:
            return caller in self.roles
        if caller in (ANONYMOUS, UNVERIFIED):
            return False
        if caller == TOKEN_WITH_SCOPE:
            return self.tokens_allowed
        if caller == TOKEN_WITHOUT_SCOPE:
            return self.scopes == ANY_TOKEN
        raise ValueError(f"unknown caller {caller!r}")


def collect_entries() -> list[Entry]:
    """Every ``ENTRIES`` of every ``tests/<app>/matrix_entries.py``, ids unique."""
    import tests

    entries: list[Entry] = []
    for module_info in sorted(pkgutil.iter_modules(tests.__path__), key=lambda m: m.name):
        if not module_info.ispkg:
            continue
        name = f"tests.{module_info.name}.matrix_entries"
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        entries.extend(getattr(module, "ENTRIES", []))
    seen: set[str] = set()
    for entry in entries:
        if entry.id in seen:
            raise ValueError(f"duplicate matrix entry id {entry.id!r}")
        seen.add(entry.id)
    return entries


# --- the callers -------------------------------------------------------------------------


class Callers:
    """Every caller of the matrix made once (a verified person per role, a person who has not
    passed MFA, a token for every scope set the entries need), for many cases to share.

    Each case gets a fresh session copied from the caller's (one row, no login signals) or
    the token, so what one case does to its session (logging out, idling) stays in it.
    """

    def __init__(self, entries: Iterable[Entry]) -> None:
        from rest_framework.test import APIClient

        from tests.conftest import confirmed_totp_device, verify_session
        from tests.factories import UserFactory, make_token

        self.sessions: dict[str, dict] = {}
        for caller in [*ROLES, UNVERIFIED]:
            client = APIClient()
            if caller == UNVERIFIED:
                # The strongest role, an enrolled device, but the session has not passed MFA.
                person = UserFactory(roles=[SUPER_ADMIN])
                confirmed_totp_device(person)
                client.force_login(person, backend="apps.accounts.backends.HumanModelBackend")
            else:
                verify_session(client, UserFactory(roles=[caller]))
            self.sessions[caller] = dict(client.session.items())
        scope_sets = {
            tuple(entry.token_scopes_for(caller))
            for entry in entries
            for caller in (TOKEN_WITH_SCOPE, TOKEN_WITHOUT_SCOPE)
        }
        self.tokens = {scopes: make_token(scopes=list(scopes))[1] for scopes in scope_sets}

    def client(self, caller: str, entry: Entry):
        import time

        from django.conf import settings
        from django.contrib.sessions.backends.db import SessionStore
        from rest_framework.test import APIClient

        from apps.accounts.middleware import SESSION_LAST_SEEN, SESSION_LOGIN_AT

        client = APIClient()
        if caller in self.sessions:
            session = SessionStore()
            session.update(self.sessions[caller])
            session[SESSION_LOGIN_AT] = session[SESSION_LAST_SEEN] = time.time()
            session.create()
            client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
        elif caller in (TOKEN_WITH_SCOPE, TOKEN_WITHOUT_SCOPE):
            plaintext = self.tokens[tuple(entry.token_scopes_for(caller))]
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
        elif caller != ANONYMOUS:
            raise ValueError(f"unknown caller {caller!r}")
        return client


class Prepared:
    """Each entry's URL and body with the objects they need, made once for every caller.

    Made inside the module's transaction, each in a savepoint: an entry whose objects
    cannot sit beside the others' (one pending change per target, say) is made again in
    each case instead (``None``). Each case's changes to them roll back with the case.
    """

    def __init__(self, entries: Iterable[Entry]) -> None:
        from django.db import transaction

        self.calls: dict[str, tuple[str, dict | None] | None] = {}
        for entry in entries:
            ctx = Ctx()
            try:
                with transaction.atomic():
                    self.calls[entry.id] = (entry.build_url(ctx), entry.build_data(ctx))
            except Exception:  # noqa: BLE001 - made per case instead, where it fails loudly
                self.calls[entry.id] = None

    def url_and_data(self, entry: Entry) -> tuple[str, dict | None]:
        prepared = self.calls.get(entry.id)
        if prepared is None:
            ctx = Ctx()
            return entry.build_url(ctx), entry.build_data(ctx)
        return prepared


def call(client, entry: Entry, url: str, data: dict | None):
    method = getattr(client, entry.method.lower())
    if entry.method in ("GET", "HEAD", "DELETE", "OPTIONS") and data is None:
        return method(url)
    if url.startswith(API_PREFIX):
        return method(url, data or {}, format="json")
    # Pages take form posts (the API client's default format is JSON).
    return method(url, data or {}, format="multipart")


LOGIN_PREFIXES = ("/accounts/login/", "/accounts/mfa/")


def was_denied(response, url: str, *, mfa_pages_allowed: bool = False) -> bool:
    """401/403, or a page sending its caller to log in (or, unless the caller may be on the
    MFA pages anyway, to MFA enrolment or verification)."""
    if response.status_code in (401, 403):
        return True
    if url.startswith(API_PREFIX):
        return False
    location = response.get("Location", "") if response.status_code in (301, 302) else ""
    return location.startswith(LOGIN_PREFIXES[:1] if mfa_pages_allowed else LOGIN_PREFIXES)


# --- completeness ------------------------------------------------------------------------


def _methods_of(callback) -> set[str]:
    actions = getattr(callback, "actions", None)
    if actions:  # a DRF ViewSet route: the methods it maps
        return {method.upper() for method in actions if method in HTTP_METHODS}
    view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if view_class is not None:
        return {method.upper() for method in HTTP_METHODS if hasattr(view_class, method)}
    return {"*"}  # a function view: any entry on the route covers it


def _walk(patterns: Iterable, prefix: str) -> Iterable[tuple[str, str | None, Any]]:
    for pattern in patterns:
        part = str(pattern.pattern)
        # Joined as django.urls.ResolverMatch.route joins them: an inner "^" is dropped.
        route = prefix + (part[1:] if prefix and part.startswith("^") else part)
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route, pattern.name, pattern.callback


def page_routes() -> set[tuple[str, str]]:
    """(route, METHOD) for every portal page: every URL pattern outside /v1/, the admin and
    static files. A function page is one route ("*"): any entry on it covers it."""
    routes: set[tuple[str, str]] = set()
    for route, _name, _callback in _walk(get_resolver().url_patterns, ""):
        path = "/" + route.lstrip("^")
        if path.startswith(API_PREFIX) or path.startswith(EXEMPT_PAGE_PREFIXES):
            continue
        routes.add((route, "*"))
    return routes


def uncovered_routes(entries: Iterable[Entry]) -> list[str]:
    """Every /v1/ endpoint and portal page no entry covers, as "METHOD /route"."""
    ctx = Ctx()
    covered: set[tuple[str, str]] = set()
    for entry in entries:
        url = entry.build_url(ctx).split("?", 1)[0]
        route = resolve(url).route
        covered.add((route, entry.method))
        covered.add((route, "*"))
    return sorted(
        f"{method} /{route}"
        for route, method in api_routes() | page_routes()
        if (route, method) not in covered and (route, "*") not in covered
    )


def api_routes() -> set[tuple[str, str]]:
    """(route, METHOD) for every /v1/ endpoint, as ``ResolverMatch.route`` spells routes."""
    routes: set[tuple[str, str]] = set()
    for route, name, callback in _walk(get_resolver().url_patterns, ""):
        if not ("/" + route).startswith(API_PREFIX) or name in EXEMPT_API_URL_NAMES:
            continue
        for method in _methods_of(callback):
            routes.add((route, method))
    return routes
