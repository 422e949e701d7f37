"""A test-only URLConf for the API conventions: views that exist only to be probed.

Used with ``@pytest.mark.urls("tests.core.urls_failclosed")``. The real /v1/ routes are
included too, so the same client reaches both.
"""

from __future__ import annotations

from django.urls import include, path
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.api.permissions import ANY_TOKEN, ANY_VERIFIED, Rule
from apps.core import views as core_views
from apps.core.api.errors import ApiError

CALLS: list[str] = []  # what the probe views actually ran


class HalfDeclaredView(APIView):
    """GET is declared; POST and DELETE are served but have no rule."""

    action_rules = {"get": Rule(perm=ANY_VERIFIED, scope=ANY_TOKEN)}

    def get(self, request):
        return Response({"ok": True})

    def post(self, request):
        CALLS.append("post")
        return Response({"ran": True}, status=201)

    def delete(self, request):
        CALLS.append("delete")
        return Response(status=204)


class UndeclaredView(APIView):
    """No action_rules at all."""

    def get(self, request):
        CALLS.append("get")
        return Response({"ran": True})


class ScopedView(APIView):
    action_rules = {"get": Rule(perm="accounts.view_user", scope="flags:read")}

    def get(self, request):
        return Response({"ok": True})


class TokenOnlyView(APIView):
    action_rules = {"get": Rule(perm=None, scope="flags:read")}

    def get(self, request):
        return Response({"ok": True})


class NumbersView(GenericAPIView):
    action_rules = {"get": Rule(perm=ANY_VERIFIED, scope=ANY_TOKEN)}

    def get(self, request):
        page = self.paginate_queryset(list(range(1, 251)))
        return self.get_paginated_response(page)


class ConflictView(APIView):
    action_rules = {"get": Rule(perm=ANY_VERIFIED, scope=ANY_TOKEN)}

    def get(self, request):
        raise ApiError("It clashes.", code="clash", status_code=409, fields={"x": ["bad"]})


class BrokenView(APIView):
    action_rules = {"get": Rule(perm=ANY_VERIFIED, scope=ANY_TOKEN)}

    def get(self, request):
        raise RuntimeError("boom")


probe_patterns = [
    path("half", HalfDeclaredView.as_view()),
    path("undeclared", UndeclaredView.as_view()),
    path("scoped", ScopedView.as_view()),
    path("token-only", TokenOnlyView.as_view()),
    path("numbers", NumbersView.as_view()),
    path("conflict", ConflictView.as_view()),
    path("broken", BrokenView.as_view()),
]

urlpatterns = [
    path("v1/probe/", include(probe_patterns)),
    path("v1/", include(("apps.accounts.api.urls", "api"))),
]

handler404 = core_views.not_found
handler500 = core_views.server_error
handler403 = core_views.forbidden
handler400 = core_views.bad_request
