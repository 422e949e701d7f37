"""The audit trail page and its export."""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from apps.accounts.policy import can
from apps.audit import exports, selectors, services
from apps.audit.filters import FILTERSETS
from apps.audit.forms import ExportForm
from apps.core.rules import Rule, page_rule

PAGE_SIZE = 50
KIND_LABELS = {
    "changes": _("Changes"),
    "events": _("Events"),
    "access": _("Access records"),
}
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


def _kind(request: HttpRequest) -> str:
    kind = request.GET.get("kind", "changes")
    return kind if kind in selectors.KINDS else "changes"


def _filtered(request: HttpRequest, kind: str):
    filterset = FILTERSETS[kind](
        request.GET, queryset=selectors.trail_records(user=request.user, kind=kind)
    )
    queryset = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    return filterset, queryset


def _active_filters(filterset) -> dict[str, str]:
    if not filterset.is_valid():
        return {}
    return {
        name: value.isoformat() if hasattr(value, "isoformat") else str(value)
        for name, value in filterset.form.cleaned_data.items()
        if value not in (None, "")
    }


def _shown(value, choices: dict | None):
    """One side of a recorded change as people read it ("None" is how nothing is stored)."""
    if value is None or value == "None":
        return None
    if choices is not None and str(value) in choices:
        return choices[str(value)]
    return value


def change_rows(entry) -> list[dict]:
    """A change record's fields with their labels, before and after (choices as labels).

    Read from the recorded changes by name: a field called ``items`` or ``values`` is a
    field like any other (a template looking up ``changes.items`` would get the field).
    """
    model = entry.content_type.model_class() if entry.content_type_id else None
    changes = entry.changes_dict if isinstance(entry.changes_dict, dict) else {}
    rows = []
    for name, change in changes.items():
        field = None
        if model is not None:
            try:
                field = model._meta.get_field(name)
            except FieldDoesNotExist:
                field = None
        label = getattr(field, "verbose_name", None) or name
        choices = (
            {str(key): text for key, text in field.flatchoices}
            if field is not None and getattr(field, "choices", None)
            else None
        )
        if isinstance(change, list | tuple) and len(change) == 2:
            before, after = change
        else:  # many-to-many changes are recorded as one description
            before, after = None, change
        rows.append(
            {
                "field": name,
                "label": capfirst(str(label)),
                "before": _shown(before, choices),
                "after": _shown(after, choices),
            }
        )
    return rows


def _kinds_nav(current: str) -> list[dict]:
    return [
        {"key": key, "label": label, "active": key == current} for key, label in KIND_LABELS.items()
    ]


@page_rule(Rule(perm=selectors.VIEW_PERMISSION))
@require_http_methods(["GET", "HEAD"])
def trail(request: HttpRequest) -> HttpResponse:
    kind = _kind(request)
    filterset, queryset = _filtered(request, kind)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    if kind == "changes":
        for entry in page:
            entry.change_rows = change_rows(entry)
    # The pagination links keep the filters.
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/trail.html",
        {
            "kind": kind,
            "kinds": _kinds_nav(kind),
            "filterset": filterset,
            "page": page,
            "query": query.urlencode(),
            "can_export": can(request.user, selectors.EXPORT_PERMISSION),
        },
    )


@page_rule(Rule(perm=selectors.EXPORT_PERMISSION))
@require_http_methods(["GET", "HEAD", "POST"])
def export(request: HttpRequest) -> HttpResponse:
    """GET: ask for the format and a reason. POST: log the export, then stream it."""
    kind = _kind(request)
    filterset, queryset = _filtered(request, kind)
    form = ExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and filterset.is_valid():
        export_format = form.cleaned_data["export_format"]
        services.trail_export_record(
            actor=request.user,
            kind=kind,
            export_format=export_format,
            filters=_active_filters(filterset),
            reason=form.cleaned_data["reason"],
            ticket=form.cleaned_data["ticket"],
            row_count=queryset.count(),
        )
        stream = exports.stream_csv if export_format == "csv" else exports.stream_json
        response = StreamingHttpResponse(
            stream(queryset, kind), content_type=CONTENT_TYPES[export_format]
        )
        stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
        response["Content-Disposition"] = (
            f'attachment; filename="audit-{kind}-{stamp}.{export_format}"'
        )
        response["Cache-Control"] = "no-store"
        return response
    return render(
        request,
        "audit/export.html",
        {
            "kind": kind,
            "kind_label": KIND_LABELS[kind],
            "filterset": filterset,
            "active_filters": _active_filters(filterset),
            "form": form,
        },
    )
