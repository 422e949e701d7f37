"""A checklist run's report as Markdown and as PDF, with times in the reader's time zone.

The PDF embeds the vendored DejaVu Sans fonts (apps/warroom/fonts), so English,
Indonesian and Russian text render the same on any machine.
"""

from __future__ import annotations

import logging
import zoneinfo
from datetime import datetime
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.display import person_label
from apps.warroom.models import ChecklistRun, ChecklistRunItem

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT_REGULAR = FONT_DIR / "DejaVuSans.ttf"
FONT_BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"

# fpdf2 subsets the fonts with fontTools, which logs every table it prunes at INFO.
logging.getLogger("fontTools").setLevel(logging.WARNING)


def format_time(value: datetime | None, tz: zoneinfo.ZoneInfo | None = None) -> str:
    """``2027-03-28 09:00:05 +02:00 (Europe/Warsaw)``; an empty answer for no time."""
    if value is None:
        return ""
    tz = tz or timezone.get_current_timezone()
    local = timezone.localtime(value, tz)
    offset = local.strftime("%z")
    offset = f"{offset[:3]}:{offset[3:]}" if offset else ""
    return f"{local:%Y-%m-%d %H:%M:%S} {offset} ({getattr(tz, 'key', str(tz))})"


def result_label(value: str) -> str:
    labels = {**dict(ChecklistRunItem.Result.choices), **dict(ChecklistRun.Result.choices)}
    return str(labels.get(value, value or "—"))


def _items(run: ChecklistRun) -> list[ChecklistRunItem]:
    return list(run.items.all())


def _evidence(item: ChecklistRunItem) -> str:
    parts = []
    if item.evidence_text:
        parts.append(item.evidence_text)
    if item.evidence_file:
        parts.append(
            _("file %(name)s (%(size)s bytes, SHA-256 %(sha)s)")
            % {
                "name": item.evidence_file_name,
                "size": item.evidence_size or 0,
                "sha": item.evidence_sha256,
            }
        )
    return "; ".join(parts)


def _marks(run: ChecklistRun) -> list[tuple[ChecklistRunItem, object]]:
    rows = [(item, mark) for item in _items(run) for mark in item.marks.all()]
    return sorted(rows, key=lambda row: (row[1].at, row[1].pk))


def _run_status(run: ChecklistRun) -> str:
    if run.status == ChecklistRun.Status.COMPLETED:
        return result_label(run.result)
    return str(run.get_status_display())


def _header_rows(run: ChecklistRun, tz) -> list[tuple[str, str]]:
    rows = [
        (_("Checklist"), f"{run.template_name} (v{run.template_version})"),
        (_("Environment"), str(run.get_environment_display())),
    ]
    if run.launch_id:
        launch = run.launch
        rows.append(
            (
                _("Launch plan"),
                _("%(name)s (#%(id)s, %(status)s; T0 %(t0)s)")
                % {
                    "name": launch.name,
                    "id": launch.pk,
                    "status": launch.get_status_display(),
                    "t0": format_time(launch.t0, tz),
                },
            )
        )
    if run.launch_label:
        rows.append((_("For"), run.launch_label))
    rows += [
        (_("Status"), str(run.get_status_display())),
        (_("Result"), result_label(run.result) if run.result else "—"),
        (_("Started"), f"{format_time(run.started_at, tz)} — {person_label(run.started_by)}"),
    ]
    if run.completed_at:
        label = _("Completed") if run.status == ChecklistRun.Status.COMPLETED else _("Abandoned")
        rows.append(
            (label, f"{format_time(run.completed_at, tz)} — {person_label(run.completed_by)}")
        )
    if run.closing_note:
        rows.append((_("Closing note"), run.closing_note))
    rows.append((_("Time zone"), getattr(tz, "key", str(tz))))
    return rows


# --- Markdown ------------------------------------------------------------------------------


def _md(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return (
        (text or "")
        .replace("\\", "\\\\")
        .replace("|", "\\|")
        .replace("\r\n", "\n")
        .replace("\n", "<br>")
    )


def render_markdown(run: ChecklistRun, tz: zoneinfo.ZoneInfo | None = None) -> str:
    tz = tz or timezone.get_current_timezone()
    lines = [f"# {_md(run.template_name)} — {_('run')} #{run.pk}", ""]
    for label, value in _header_rows(run, tz):
        lines.append(f"- **{label}:** {_md(value)}")
    lines += [
        "",
        f"## {_('Items')}",
        "",
        "| # | {} | {} | {} | {} | {} | {} |".format(
            _("Item"), _("Required"), _("Result"), _("By"), _("When"), _("Note / evidence")
        ),
        "|---|---|---|---|---|---|---|",
    ]
    for item in _items(run):
        details = " — ".join(x for x in (_md(item.note), _md(_evidence(item))) if x)
        flags = _("yes") if item.required else _("no")
        if item.evidence_required:
            flags += ", " + _("evidence")
        lines.append(
            "| {} | {} | {} | {} | {} | {} | {} |".format(
                item.position,
                _md(item.title),
                flags,
                result_label(item.result).upper(),
                _md(person_label(item.marked_by)) if item.marked_by else "—",
                format_time(item.marked_at, tz) or "—",
                details or "—",
            )
        )
    marks = _marks(run)
    if marks:
        lines += ["", f"## {_('Audit trail')}", ""]
        for item, mark in marks:
            text = _("%(when)s — %(who)s: item %(n)s %(from)s → %(to)s") % {
                "when": format_time(mark.at, tz),
                "who": person_label(mark.actor),
                "n": item.position,
                "from": result_label(mark.previous_result),
                "to": result_label(mark.result),
            }
            if mark.note:
                text += f" — {mark.note}"
            lines.append(f"- {_md(text)}")
    lines += [
        "",
        _("Generated %(when)s.") % {"when": format_time(timezone.now(), tz)},
        "",
    ]
    return "\n".join(lines)


# --- PDF -----------------------------------------------------------------------------------


def render_pdf(run: ChecklistRun, tz: zoneinfo.ZoneInfo | None = None) -> bytes:
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    tz = tz or timezone.get_current_timezone()
    pdf = FPDF(format="A4")
    pdf.set_title(f"{run.template_name} #{run.pk}")
    pdf.set_creator("OpsPortal")
    pdf.add_font("DejaVu", "", str(FONT_REGULAR))
    pdf.add_font("DejaVu", "B", str(FONT_BOLD))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    def line(text: str, *, size: int = 10, bold: bool = False, height: float = 5.5) -> None:
        pdf.set_font("DejaVu", "B" if bold else "", size)
        pdf.set_x(pdf.l_margin)
        pdf.multi_cell(width, height, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    line(f"{run.template_name} — {_('run')} #{run.pk}", size=15, bold=True, height=8)
    pdf.ln(2)
    for label, value in _header_rows(run, tz):
        line(f"{label}: {value}")
    pdf.ln(3)
    line(_("Items"), size=12, bold=True, height=7)
    for item in _items(run):
        pdf.ln(1.5)
        line(
            f"{item.position}. [{result_label(item.result).upper()}] {item.title}",
            bold=True,
        )
        if item.marked_at:
            line(
                _("By %(who)s at %(when)s")
                % {"who": person_label(item.marked_by), "when": format_time(item.marked_at, tz)},
                size=9,
            )
        if item.note:
            line(_("Note: %(note)s") % {"note": item.note}, size=9)
        evidence = _evidence(item)
        if evidence:
            line(_("Evidence: %(evidence)s") % {"evidence": evidence}, size=9)
        if not item.required:
            line(_("(optional item)"), size=8)
    marks = _marks(run)
    if marks:
        pdf.ln(3)
        line(_("Audit trail"), size=12, bold=True, height=7)
        for item, mark in marks:
            text = _("%(when)s — %(who)s: item %(n)s %(from)s → %(to)s") % {
                "when": format_time(mark.at, tz),
                "who": person_label(mark.actor),
                "n": item.position,
                "from": result_label(mark.previous_result),
                "to": result_label(mark.result),
            }
            if mark.note:
                text += f" — {mark.note}"
            line(text, size=8, height=4.5)
    pdf.ln(3)
    line(_("Generated %(when)s.") % {"when": format_time(timezone.now(), tz)}, size=8)
    return bytes(pdf.output())


def report_filename(run: ChecklistRun, extension: str) -> str:
    stamp = timezone.localtime(run.started_at, zoneinfo.ZoneInfo("UTC")).strftime("%Y%m%d")
    return f"checklist-{run.template.slug}-{run.pk}-{stamp}.{extension}"
