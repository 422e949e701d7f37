"""Evidence of an incident: the list with the upload form, and verified downloads."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from apps.accounts.pages import Rule, check_object, page_rule
from apps.core.uploads import upload_limit, upload_refusal
from apps.core.web.forms import apply_validation_error
from apps.core.web.pages import paginate
from apps.incidents.forms.evidence import EvidenceUploadForm
from apps.incidents.selectors.evidence import evidence_incidents, evidence_list
from apps.incidents.services.evidence import (
    EvidenceTampered,
    download_filename,
    evidence_attach_file,
    evidence_read_verified,
    max_bytes,
    served_content_type,
    too_large_message,
)
from apps.incidents.services.incidents import RUN_PERMISSION, can_run

READ = Rule(perm=("incidents.view_incident", "incidents.view_evidence"))
# The panel shows the newest pieces; the evidence page pages through all of them.
PANEL_ROWS = 20


def panel(request: HttpRequest, incident) -> dict:
    """The incident page's evidence section (two queries whatever the incident holds)."""
    rows = list(evidence_list(user=request.user, incident=incident)[: PANEL_ROWS + 1])
    return {
        "evidence_rows": rows[:PANEL_ROWS],
        "evidence_more": len(rows) > PANEL_ROWS,
        "evidence_form": EvidenceUploadForm(),
        "evidence_can_add": can_run(request.user, incident),
        "evidence_max_bytes": max_bytes(),
    }


@page_rule(get=READ, post=Rule(perm=RUN_PERMISSION, object_level=True))
@upload_limit("EVIDENCE_MAX_BYTES")
def evidence_page(request: HttpRequest, number: str) -> HttpResponse:
    incident = get_object_or_404(evidence_incidents(user=request.user), number=number)
    form = EvidenceUploadForm()
    status = 200
    if request.method == "POST":
        check_object(request, RUN_PERMISSION, incident)
        refused = upload_refusal(request)
        form = EvidenceUploadForm(request.POST, request.FILES)
        if refused is not None:
            form.is_valid()
            form.add_error("file", too_large_message(refused.limit))
            status = 413
        elif form.is_valid():
            try:
                evidence = evidence_attach_file(
                    actor=request.user,
                    incident=incident,
                    file=form.cleaned_data["file"],
                    title=form.cleaned_data["title"],
                    description=form.cleaned_data["description"],
                )
            except ValidationError as error:
                apply_validation_error(form, error)
                status = 400
            else:
                messages.success(
                    request,
                    _("Evidence attached; SHA-256 %(sha256)s.") % {"sha256": evidence.sha256},
                )
                if request.POST.get("back") == "incident":  # sent from the incident page
                    return redirect(
                        reverse("incidents:detail", args=[incident.number]) + "#panel-evidence"
                    )
                return redirect("incidents:evidence", number=incident.number)
        else:
            status = 400
    page = paginate(request, evidence_list(user=request.user, incident=incident))
    return render(
        request,
        "incidents/evidence/list.html",
        {
            "incident": incident,
            "page": page,
            "form": form,
            "can_add": can_run(request.user, incident),
            "max_bytes": max_bytes(),
        },
        status=status,
    )


@page_rule(READ)
def evidence_download(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    incident = get_object_or_404(evidence_incidents(user=request.user), number=number)
    evidence = get_object_or_404(evidence_list(user=request.user, incident=incident), pk=pk)
    try:
        content = evidence_read_verified(actor=request.user, evidence=evidence)
    except EvidenceTampered:
        return render(
            request,
            "incidents/evidence/refused.html",
            {"incident": incident, "evidence": evidence},
            status=409,
        )
    return evidence_file_response(content, evidence)


def evidence_file_response(content, evidence) -> FileResponse:
    """The verified bytes as an attachment that no browser renders or sniffs."""
    response = FileResponse(
        content,
        as_attachment=True,
        filename=download_filename(evidence),
        content_type=served_content_type(evidence),
    )
    response["Content-Length"] = str(evidence.size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    response["X-Evidence-SHA256"] = evidence.sha256
    return response
