"""A test-only URLConf: every real route plus probe pages, one of which declares nothing.

Used with ``@pytest.mark.urls("tests.accounts.urls_pages_probe")``.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import path

from apps.core.rules import Rule, page_rule
from opsportal.urls import handler400, handler403, handler404, handler500  # noqa: F401
from opsportal.urls import urlpatterns as real_urlpatterns

CALLS: list[str] = []  # what the probe views actually ran


def undeclared(request):
    CALLS.append("undeclared")
    return HttpResponse("ran")


@page_rule(get=Rule(perm="flags.view_flag"))
def get_only(request):
    CALLS.append(request.method)
    return HttpResponse("ran")


@page_rule(Rule(perm="oncall.change_schedule", object_level=True))
def object_page(request, pk):
    from django.shortcuts import get_object_or_404

    from apps.accounts.pages import check_object
    from apps.oncall.models import Schedule

    schedule = get_object_or_404(Schedule, pk=pk)
    check_object(request, "oncall.change_schedule", schedule)
    CALLS.append("object")
    return HttpResponse("ran")


urlpatterns = [
    path("probe/undeclared/", undeclared, name="probe_undeclared"),
    path("probe/get-only/", get_only, name="probe_get_only"),
    path("probe/schedules/<int:pk>/", object_page, name="probe_object"),
    *real_urlpatterns,
]
