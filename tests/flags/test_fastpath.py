"""The WSGI fast path of GET /v1/flags/{key}/evaluate answers exactly as Django does.

Both paths are driven through real WSGI: ``opsportal.wsgi.application`` (the wrapper in
front of Django) and ``django_application`` (Django alone), with the same environ.
How much faster the fast path is is a benchmark: ``uv run python -m bench.flags_fastpath``.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from django.test import RequestFactory
from django.utils import timezone
from prometheus_client.registry import REGISTRY

from apps.accounts.authentication import forget_cached_tokens
from apps.flags import evaluation
from apps.flags import fastpath as fastpath_module
from apps.flags.models import Flag, FlagState
from opsportal.wsgi import application, django_application
from tests.factories import ServiceAccountFactory, make_token

# What the comparison covers: every header either path sends except the request id,
# which is compared on its own (it is random unless the caller sends one).
RID = "case-rid-0001"


@contextmanager
def _test_db_connections_kept():
    """As django.test.Client does: the request signals must not close the test's
    connection (it holds the test transaction)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def environ(path, data=None, *, method="GET", **extra):
    factory = RequestFactory()
    request = factory.generic(method, path, **extra) if method != "GET" else None
    if request is None:
        request = factory.get(path, data or {}, **extra)
    return dict(request.environ)


def call(app, env):
    captured = {}

    def start_response(status, headers, exc_info=None):
        captured["status"] = status
        captured["headers"] = headers

    with _test_db_connections_kept():
        result = app(dict(env), start_response)
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
    headers = {}
    for name, value in captured["headers"]:
        headers[name.lower()] = value
    return int(captured["status"].split()[0]), headers, body


def fresh():
    """(wrapper, Django) built now: Django's middlewares read the settings when built."""
    django = WSGIHandler()
    return fastpath_module.FlagsEvaluateFastPath(django), django


def both(env):
    """(fast path answer, Django answer), each (status, headers, body)."""
    wrapper, django_app = fresh()
    fast = call(wrapper, env)
    forget_cached_tokens()
    django = call(django_app, env)
    forget_cached_tokens()
    return fast, django


def assert_same(fast, django):
    f_status, f_headers, f_body = fast
    d_status, d_headers, d_body = django
    assert f_status == d_status
    assert json.loads(f_body) == json.loads(d_body)
    assert f_body == d_body
    f_rid, d_rid = f_headers.pop("x-request-id"), d_headers.pop("x-request-id")
    assert f_headers == d_headers
    return f_rid, d_rid


def handled_by_fast_path(env, monkeypatch) -> bool:
    """Whether the wrapper answered itself (its Django app is swapped for a marker)."""
    seen = []

    def marker(environ, start_response):
        seen.append(True)
        start_response("418 I'm a teapot", [])
        return [b""]

    wrapper = fastpath_module.FlagsEvaluateFastPath(marker)
    status, _headers, _body = call(wrapper, env)
    return not seen


@pytest.fixture
def bearer():
    def _make(scopes=("flags:read",), **kwargs):
        _token, plaintext = make_token(scopes=list(scopes), **kwargs)
        return {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}

    return _make


@pytest.fixture(autouse=True)
def _fresh_token_cache():
    forget_cached_tokens()
    yield
    forget_cached_tokens()


def _block_round(key: str, round_id: str) -> None:
    FlagState.objects.create(
        flag=Flag.objects.get(key=key),
        scope_kind="round",
        scope_value=round_id,
        state="blocked",
        reason="fast path test",
        source="admin",
        effective_from=timezone.now() - timedelta(seconds=1),
    )


def _disabled_account():
    account = ServiceAccountFactory()
    account.is_active = False
    account.save(update_fields=["is_active"])
    return account


CASES = {
    "allowed": ({}, "/v1/flags/contribute/evaluate", {"round": "43"}, 200),
    "blocked_by_round": ({}, "/v1/flags/contribute/evaluate", {"round": "42"}, 200),
    "unknown_flag": ({}, "/v1/flags/contribut/evaluate", {"round": "42"}, 404),
    "bad_context_key": ({}, "/v1/flags/contribute/evaluate", {"planet": "mars"}, 400),
    "revoked": ({"revoked": True}, "/v1/flags/contribute/evaluate", {}, 401),
    "expired": ({"expires_in": timedelta(seconds=-5)}, "/v1/flags/contribute/evaluate", {}, 401),
    "no_flags_read": ({"scopes": ["flags:write"]}, "/v1/flags/contribute/evaluate", {}, 403),
    "ip_not_allowed": ({"allowed_ips": ["10.9.9.9"]}, "/v1/flags/contribute/evaluate", {}, 403),
    "account_disabled": ({"disabled": True}, "/v1/flags/contribute/evaluate", {}, 401),
}


@pytest.mark.parametrize("case", list(CASES))
def test_fast_path__same_answer_as_django(case, bearer, db, monkeypatch):
    token_kwargs, path, query, expected = CASES[case]
    _block_round("contribute", "42")
    token_kwargs = dict(token_kwargs)
    if token_kwargs.pop("disabled", False):
        token_kwargs["service_account"] = _disabled_account()
    auth = bearer(**token_kwargs)
    env = environ(path, data=query, HTTP_X_REQUEST_ID=RID, **auth)
    assert handled_by_fast_path(env, monkeypatch)
    fast, django = both(env)
    assert fast[0] == expected
    assert assert_same(fast, django) == (RID, RID)
    body = json.loads(fast[2])
    if expected == 200:
        assert body["allowed"] is (case == "allowed")
    else:
        assert body["error"]["request_id"] == RID
    if expected == 401:
        assert fast[1]["www-authenticate"] == 'Bearer realm="opsportal"'


def test_fast_path__error_codes(bearer, db):
    """The codes each refusal carries (the same as the Django path, compared above)."""
    codes = {}
    for name, kwargs in {
        "token_invalid": None,
        "token_revoked": {"revoked": True},
        "token_expired": {"expires_in": timedelta(seconds=-5)},
        "scope_missing": {"scopes": ["flags:write"]},
        "ip_not_allowed": {"allowed_ips": ["10.9.9.9"]},
        "account_disabled": {"service_account": _disabled_account()},
    }.items():
        if kwargs is None:
            auth = {"HTTP_AUTHORIZATION": "Bearer ops_nosuchprefix_nosuchsecret"}
        else:
            auth = bearer(**kwargs)
        status, _headers, body = call(application, environ("/v1/flags/contribute/evaluate", **auth))
        codes[name] = (status, json.loads(body)["error"]["code"])
    assert codes == {
        "token_invalid": (401, "token_invalid"),
        "token_revoked": (401, "token_revoked"),
        "token_expired": (401, "token_expired"),
        "scope_missing": (403, "scope_missing"),
        "ip_not_allowed": (403, "ip_not_allowed"),
        "account_disabled": (401, "account_disabled"),
    }
    status, _h, body = call(
        application, environ("/v1/flags/claim/evaluate", {"round": ["1", "2"]}, **bearer())
    )
    error = json.loads(body)["error"]
    assert (status, error["code"], list(error["fields"])) == (400, "invalid_context", ["round"])


def test_fast_path__unknown_token_and_malformed_header__same_as_django(db):
    for header in ("Bearer ops_nosuchprefix_nosuchsecret", "Bearer", "bearer a b"):
        env = environ("/v1/flags/contribute/evaluate", HTTP_AUTHORIZATION=header)
        fast, django = both(env)
        assert fast[0] == 401
        f_rid, d_rid = assert_same(
            (fast[0], fast[1], _without_rid(fast[2])),
            (django[0], django[1], _without_rid(django[2])),
        )
        assert json.loads(fast[2])["error"]["request_id"] == f_rid
        assert json.loads(django[2])["error"]["request_id"] == d_rid


def _without_rid(body: bytes) -> bytes:
    data = json.loads(body)
    data["error"]["request_id"] = None
    return json.dumps(data).encode()


def test_fast_path__request_id_made_or_honoured(bearer, db):
    auth = bearer()
    _status, headers, _body = call(application, environ("/v1/flags/contribute/evaluate", **auth))
    assert len(headers["x-request-id"]) == 32
    for given, kept in (("svc-abc.123:x", True), ("bad id with spaces", False)):
        env = environ("/v1/flags/contribute/evaluate", HTTP_X_REQUEST_ID=given, **auth)
        _status, headers, _body = call(application, env)
        assert (headers["x-request-id"] == given) is kept


@pytest.mark.parametrize(
    ("accept", "expected"),
    [("ru", "Флага 'nope' нет"), ("id-ID,id;q=0.9", "Tidak ada flag 'nope'"), ("", "No flag")],
)
def test_fast_path__message_translated_per_accept_language(bearer, db, accept, expected):
    env = environ(
        "/v1/flags/nope/evaluate", HTTP_ACCEPT_LANGUAGE=accept, HTTP_X_REQUEST_ID=RID, **bearer()
    )
    fast, django = both(env)
    assert_same(fast, django)
    assert json.loads(fast[2])["error"]["message"].startswith(expected)
    assert fast[1]["content-language"] == (accept[:2] or "en")
    # The fast path does not leave the caller's language active for the next request.
    from django.utils import translation

    translation.activate("en")
    call(fresh()[0], env)
    assert translation.get_language() == "en"


def test_fast_path__unknown_token_translated(db):
    env = environ(
        "/v1/flags/contribute/evaluate",
        HTTP_AUTHORIZATION="Bearer ops_nosuchprefix_nosuchsecret",
        HTTP_ACCEPT_LANGUAGE="ru",
        HTTP_X_REQUEST_ID=RID,
    )
    fast, django = both(env)
    assert_same(fast, django)
    assert json.loads(fast[2])["error"]["message"] == "Неизвестный API-токен."


def test_fast_path__production_security_headers(bearer, db, settings):
    """HSTS only on a secure request (per SECURE_PROXY_SSL_HEADER), like SecurityMiddleware."""
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    auth = bearer()
    secure = environ(
        "/v1/flags/contribute/evaluate",
        HTTP_X_FORWARDED_PROTO="https",
        HTTP_X_REQUEST_ID=RID,
        **auth,
    )
    assert handled_by_fast_path(secure, None)
    fast, django = both(secure)
    assert_same(fast, django)
    headers = fast[1]
    assert headers["strict-transport-security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["cross-origin-opener-policy"] == "same-origin"
    assert headers["x-frame-options"] == "DENY"
    assert headers["content-type"] == "application/json"
    assert "Accept-Language" in headers["vary"]
    plain = environ("/v1/flags/contribute/evaluate", HTTP_X_REQUEST_ID=RID, **auth)
    fast, django = both(plain)
    assert_same(fast, django)
    assert "strict-transport-security" not in fast[1]


def test_fast_path__ssl_redirect_and_bad_host_go_to_django(bearer, db, settings):
    auth = bearer()
    bad_host = environ("/v1/flags/contribute/evaluate", HTTP_HOST="evil.example", **auth)
    assert not handled_by_fast_path(bad_host, None)
    assert call(fresh()[0], bad_host)[0] == 400
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    plain = environ("/v1/flags/contribute/evaluate", **auth)
    assert not handled_by_fast_path(plain, None)
    status, headers, _body = call(fresh()[0], plain)
    assert status == 301 and headers["location"].startswith("https://")
    secure = environ("/v1/flags/contribute/evaluate", HTTP_X_FORWARDED_PROTO="https", **auth)
    assert handled_by_fast_path(secure, None)
    assert call(fresh()[0], secure)[0] == 200


@pytest.mark.parametrize("accept", ["*/*", "application/json", "application/*, text/html;q=0.5"])
def test_fast_path__accept_json__same_answer(bearer, db, accept):
    for path in ("/v1/flags/contribute/evaluate", "/v1/flags/nope/evaluate"):
        env = environ(path, HTTP_ACCEPT=accept, HTTP_X_REQUEST_ID=RID, **bearer())
        assert handled_by_fast_path(env, None)
        assert_same(*both(env))


@pytest.mark.parametrize(
    ("accept", "query"),
    [("text/html", {}), ("application/json; indent=4", {}), (None, {"format": "json"})],
)
def test_other_negotiation__goes_to_django(bearer, db, accept, query):
    """DRF answers 406, indents, or reads ?format=: left to Django."""
    extra = {"HTTP_ACCEPT": accept} if accept else {}
    env = environ("/v1/flags/nope/evaluate", query, HTTP_X_REQUEST_ID=RID, **extra, **bearer())
    assert not handled_by_fast_path(env, None)


@pytest.mark.parametrize(
    "kind", ["no_authorization", "post", "other_path", "session_cookie", "basic_auth"]
)
def test_other_requests_go_to_django(kind, bearer, db, settings):
    auth = bearer()
    env = {
        "no_authorization": lambda: environ("/v1/flags/contribute/evaluate"),
        "post": lambda: environ("/v1/flags/contribute/evaluate", method="POST", **auth),
        "other_path": lambda: environ("/v1/flags/contribute/", **auth),
        "session_cookie": lambda: environ(
            "/v1/flags/contribute/evaluate",
            HTTP_COOKIE=f"{settings.SESSION_COOKIE_NAME}=abc",
            **auth,
        ),
        "basic_auth": lambda: environ(
            "/v1/flags/contribute/evaluate", HTTP_AUTHORIZATION="Basic Zm9vOmJhcg=="
        ),
    }[kind]()
    assert not handled_by_fast_path(env, None)


def test_setting_off__everything_goes_to_django(bearer, db, settings):
    env = environ("/v1/flags/contribute/evaluate", **bearer())
    assert handled_by_fast_path(env, None)
    settings.FLAGS_FAST_PATH = False
    assert not handled_by_fast_path(env, None)
    assert call(application, env)[0] == 200


def test_unknown_middleware__everything_goes_to_django(bearer, db, settings):
    """A middleware the fast path does not mirror (e.g. the bench's X-Worker-Pid) turns
    it off rather than being skipped silently."""
    env = environ("/v1/flags/contribute/evaluate", **bearer())
    settings.MIDDLEWARE = ["bench.middleware.WorkerPidMiddleware", *settings.MIDDLEWARE]
    assert not handled_by_fast_path(env, None)
    settings.MIDDLEWARE = settings.MIDDLEWARE[1:]
    assert handled_by_fast_path(env, None)


def _request_counts() -> dict:
    counts = {}
    for family in REGISTRY.collect():
        if family.name == "opsportal_http_requests":
            for sample in family.samples:
                if sample.name.endswith("_total"):
                    labels = tuple(sorted(sample.labels.items()))
                    counts[labels] = sample.value
    return counts


def _counted(app, env) -> dict:
    before = _request_counts()
    call(app, env)
    after = _request_counts()
    return {
        key: value - before.get(key, 0)
        for key, value in after.items()
        if value != before.get(key, 0)
    }


def test_fast_path__metrics_same_series_as_django(bearer, db):
    auth = bearer()
    for path, status in (("/v1/flags/contribute/evaluate", "200"), ("/v1/flags/x/evaluate", "404")):
        env = environ(path, **auth)
        fast = _counted(application, env)
        django = _counted(django_application, env)
        assert fast == django
        ((labels, increment),) = fast.items()
        assert increment == 1
        assert dict(labels) == {
            "method": "GET",
            "route": "v1/flags/<str:key>/evaluate",
            "status": status,
        }


def test_fast_path__404_logged_like_django_with_request_id(bearer, db, caplog):
    env = environ("/v1/flags/nope/evaluate", HTTP_X_REQUEST_ID=RID, **bearer())
    records = {}
    for name, app in (("fast", application), ("django", django_application)):
        caplog.clear()
        with caplog.at_level("WARNING", logger="django.request"):
            call(app, env)
        records[name] = [
            (r.name, r.levelname, r.getMessage(), r.status_code, r.request.request_id)
            for r in caplog.records
            if r.name == "django.request"
        ]
    assert records["fast"] == records["django"]
    assert records["fast"] == [
        ("django.request", "WARNING", "Not Found: /v1/flags/nope/evaluate", 404, RID)
    ]


def test_fast_path__binds_request_context(bearer, db, monkeypatch):
    """Request id, actor and client address are bound while the flag is evaluated."""
    from apps.core import context

    seen = {}
    real = evaluation.evaluate

    def spy(key, ctx=None, **kwargs):
        seen.update(
            rid=context.get_request_id(), actor=context.get_actor(), ip=context.get_remote_addr()
        )
        return real(key, ctx, **kwargs)

    token, plaintext = make_token(scopes=["flags:read"])
    monkeypatch.setattr(evaluation, "evaluate", spy)
    env = environ(
        "/v1/flags/contribute/evaluate",
        HTTP_AUTHORIZATION=f"Bearer {plaintext}",
        HTTP_X_REQUEST_ID=RID,
    )
    assert call(application, env)[0] == 200
    assert seen == {"rid": RID, "actor": token.service_account, "ip": "127.0.0.1"}
    assert context.get_request_id() is None


def test_fast_path__warm__no_query(bearer, db, settings, django_assert_num_queries):
    from django.core.cache import cache

    settings.FLAGS_VERSION_SOURCE = "cache"
    settings.FLAGS_VERSION_CACHE_SECONDS = 300
    settings.API_TOKEN_CACHE_SECONDS = 300
    cache.delete(evaluation.VERSION_CACHE_KEY)
    env = environ("/v1/flags/contribute/evaluate", {"round": "42"}, **bearer())
    assert call(application, env)[0] == 200  # warm: token cached, snapshot loaded
    with django_assert_num_queries(0):
        answers = [call(application, env) for _ in range(5)]
    assert {status for status, _h, _b in answers} == {200}


@pytest.mark.parametrize(
    ("path", "query", "field"),
    [
        ("/v1/flags/contribute/evaluate", {"round": "4\x002"}, "round"),
        ("/v1/flags/contri\x00bute/evaluate", {}, "key"),
    ],
    ids=["nul-in-context", "nul-in-key"],
)
def test_nul_character__left_to_django__400_naming_the_field(bearer, db, path, query, field):
    env = environ(path, query, **bearer())

    assert not handled_by_fast_path(env, None)
    status, _headers, body = call(application, env)
    assert status == 400
    assert json.loads(body)["error"]["fields"] == {field: ["NUL characters are not allowed."]}
