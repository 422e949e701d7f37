"""Checklists: templates, runs, marking items, completing and abandoning runs.

A run copies its template's items when it starts; editing a template bumps its version
and never touches a run already started. Every mark of an item is kept (an append-only
``ChecklistItemMark``) besides the item's latest result, who and when.
"""

from __future__ import annotations

import hashlib
import os

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from apps.accounts.policy import require
from apps.core.events import record_event
from apps.warroom.models import (
    EVIDENCE_CONTENT_TYPES,
    EVIDENCE_MAX_BYTES,
    ChecklistItemMark,
    ChecklistRun,
    ChecklistRunItem,
    ChecklistTemplate,
    ChecklistTemplateItem,
    LaunchPlan,
)
from apps.warroom.models.checklists import MAX_ITEMS_PER_TEMPLATE
from apps.warroom.services import launch_checklists as checklist_launch

RUN_PERMISSION = "warroom.run_checklist"
MAX_NOTE = 2000
MAX_EVIDENCE_TEXT = 5000
MAX_LABEL = 200
ITEM_KEYS = {"title", "help_text", "evidence_required", "required"}
MARKABLE = {
    ChecklistRunItem.Result.PASSED,
    ChecklistRunItem.Result.FAILED,
    ChecklistRunItem.Result.SKIPPED,
}
# Magic bytes of the binary evidence types; text types must decode as UTF-8.
_MAGIC = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "application/pdf": (b"%PDF-",),
}


# --- templates -----------------------------------------------------------------------------


def _clean_items(items) -> list[dict]:
    """Check item dicts; every problem is reported, named by position."""
    if not isinstance(items, list) or not items:
        raise ValidationError({"items": [_("A checklist needs at least one item.")]})
    if len(items) > MAX_ITEMS_PER_TEMPLATE:
        raise ValidationError(
            {"items": [_("At most %(n)s items.") % {"n": MAX_ITEMS_PER_TEMPLATE}]}
        )
    errors: list[str] = []
    cleaned: list[dict] = []
    for position, raw in enumerate(items, start=1):
        if not isinstance(raw, dict):
            errors.append(_("Item %(n)s: expected an object.") % {"n": position})
            continue
        unknown = sorted(set(raw) - ITEM_KEYS)
        if unknown:
            errors.append(
                _("Item %(n)s: unknown fields %(f)s.") % {"n": position, "f": ", ".join(unknown)}
            )
        title = raw.get("title")
        title = title.strip() if isinstance(title, str) else ""
        if not title:
            errors.append(_("Item %(n)s: give a title.") % {"n": position})
        elif len(title) > 200:
            errors.append(
                _("Item %(n)s: the title is longer than 200 characters.") % {"n": position}
            )
        help_text = raw.get("help_text") or ""
        if not isinstance(help_text, str):
            errors.append(_("Item %(n)s: the help text must be text.") % {"n": position})
            help_text = ""
        cleaned.append(
            {
                "title": title,
                "help_text": help_text.strip(),
                "evidence_required": bool(raw.get("evidence_required", False)),
                "required": bool(raw.get("required", True)),
            }
        )
    if errors:
        raise ValidationError({"items": errors})
    return cleaned


def _item_rows(template: ChecklistTemplate) -> list[dict]:
    return [
        {
            "title": item.title,
            "help_text": item.help_text,
            "evidence_required": item.evidence_required,
            "required": item.required,
        }
        for item in template.items.order_by("position")
    ]


def _write_items(template: ChecklistTemplate, items: list[dict]) -> None:
    template.items.all().delete()
    ChecklistTemplateItem.objects.bulk_create(
        ChecklistTemplateItem(template=template, position=position, **item)
        for position, item in enumerate(items, start=1)
    )


@transaction.atomic
def checklist_template_create(
    *,
    actor,
    name: str,
    items: list[dict],
    slug: str = "",
    description: str = "",
    kind: str = ChecklistTemplate.Kind.OTHER,
    source: str = "",
    active: bool = True,
) -> ChecklistTemplate:
    require(actor, "warroom.add_checklisttemplate")
    name = (name or "").strip()
    template = ChecklistTemplate(
        name=name,
        slug=(slug or slugify(name))[:60].strip(),
        description=(description or "").strip(),
        kind=kind,
        source=(source or "").strip(),
        active=active,
    )
    errors = {}
    try:
        template.full_clean(validate_constraints=False)
    except ValidationError as error:
        errors.update(error.message_dict)
    if template.slug and ChecklistTemplate.objects.filter(slug=template.slug).exists():
        errors.setdefault("slug", []).append(
            _("A checklist template with this slug already exists.")
        )
    try:
        cleaned = _clean_items(items)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    template.save()
    _write_items(template, cleaned)
    record_event(
        "checklist.template_created",
        actor=actor,
        target=template,
        data={"slug": template.slug, "items": len(cleaned)},
    )
    return template


@transaction.atomic
def checklist_template_update(
    *,
    actor,
    template: ChecklistTemplate,
    name: str | None = None,
    description: str | None = None,
    kind: str | None = None,
    source: str | None = None,
    active: bool | None = None,
    items: list[dict] | None = None,
) -> ChecklistTemplate:
    """Change a template. New items bump the version; runs already started keep theirs."""
    require(actor, "warroom.change_checklisttemplate", template)
    template = ChecklistTemplate.objects.select_for_update().get(pk=template.pk)
    changed: dict = {}
    for field, value in (
        ("name", name),
        ("description", description),
        ("kind", kind),
        ("source", source),
        ("active", active),
    ):
        if value is None:
            continue
        value = value.strip() if isinstance(value, str) else value
        if value != getattr(template, field):
            changed[field] = [getattr(template, field), value]
            setattr(template, field, value)
    errors = {}
    try:
        template.full_clean()
    except ValidationError as error:
        errors.update(error.message_dict)
    cleaned = None
    if items is not None:
        try:
            cleaned = _clean_items(items)
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    if cleaned is not None and cleaned != _item_rows(template):
        _write_items(template, cleaned)
        changed["version"] = [template.version, template.version + 1]
        template.version += 1
    if changed:
        template.save()
        record_event(
            "checklist.template_updated",
            actor=actor,
            target=template,
            data={"changed": {k: v for k, v in changed.items() if k != "description"}},
        )
    return template


# --- runs ----------------------------------------------------------------------------------


@transaction.atomic
def checklist_run_start(
    *,
    actor,
    template: ChecklistTemplate,
    environment: str = ChecklistRun.Environment.PRODUCTION,
    launch_label: str = "",
    launch: LaunchPlan | None = None,
) -> ChecklistRun:
    """Start a run: the template's items as they are now are copied into the run.

    ``launch`` ties the run to a launch plan (planned, live or rolled back; a completed or
    cancelled launch is refused with an error on ``launch``); the start is then written to
    that launch's war-room log (see ``apps.warroom.services.launch_checklists``).
    """
    require(actor, RUN_PERMISSION)
    template = ChecklistTemplate.objects.select_for_update().get(pk=template.pk)
    if launch is not None:
        # Locked, so a launch cancelled at the same moment cannot slip a run in.
        launch = LaunchPlan.objects.select_for_update().get(pk=launch.pk)
    errors: dict[str, list[str]] = {}
    if not template.active:
        errors["template"] = [_("This template is retired; it cannot start new runs.")]
    if environment not in ChecklistRun.Environment.values:
        errors["environment"] = [
            _("Choose one of %(values)s.") % {"values": ", ".join(ChecklistRun.Environment.values)}
        ]
    launch_label = (launch_label or "").strip()
    if len(launch_label) > MAX_LABEL:
        errors["launch_label"] = [_("At most %(n)s characters.") % {"n": MAX_LABEL}]
    launch_errors = checklist_launch.launch_errors(launch)
    if launch_errors:
        errors["launch"] = launch_errors
    template_items = list(template.items.order_by("position"))
    if not template_items and "template" not in errors:
        errors["template"] = [_("This template has no items.")]
    if errors:
        raise ValidationError(errors)
    run = ChecklistRun.objects.create(
        template=template,
        template_version=template.version,
        template_name=template.name,
        environment=environment,
        launch_label=launch_label,
        launch=launch,
        started_by=actor,
        started_at=timezone.now(),
    )
    ChecklistRunItem.objects.bulk_create(
        ChecklistRunItem(
            run=run,
            position=item.position,
            title=item.title,
            help_text=item.help_text,
            evidence_required=item.evidence_required,
            required=item.required,
        )
        for item in template_items
    )
    record_event(
        "checklist.run_started",
        actor=actor,
        target=run,
        data={
            "template": template.slug,
            "version": template.version,
            "environment": environment,
            "for": launch_label,
            "launch": launch.pk if launch else None,
        },
    )
    checklist_launch.log_run_started(run)
    return run


def _lock_open_run(run: ChecklistRun) -> ChecklistRun:
    run = ChecklistRun.objects.select_for_update().get(pk=run.pk)
    if run.status != ChecklistRun.Status.IN_PROGRESS:
        raise ValidationError(
            _("This run is %(status)s; it can no longer change.")
            % {"status": run.get_status_display().lower()}
        )
    return run


def _check_evidence_file(upload) -> tuple[bytes, str, str]:
    """Read an uploaded file within the limits; answer (content, safe name, content type)."""
    name = os.path.basename(getattr(upload, "name", "") or "").strip()[:255] or "evidence"
    ext = os.path.splitext(name)[1].lower()
    content_type = EVIDENCE_CONTENT_TYPES.get(ext)
    if content_type is None:
        raise ValidationError(
            {
                "evidence_file": [
                    _("Upload one of these file types: %(types)s.")
                    % {"types": ", ".join(sorted(EVIDENCE_CONTENT_TYPES))}
                ]
            }
        )
    size = getattr(upload, "size", None)
    if size is not None and size > EVIDENCE_MAX_BYTES:
        raise ValidationError({"evidence_file": [_too_big()]})
    content = upload.read(EVIDENCE_MAX_BYTES + 1)
    if len(content) > EVIDENCE_MAX_BYTES:
        raise ValidationError({"evidence_file": [_too_big()]})
    if not content:
        raise ValidationError({"evidence_file": [_("The file is empty.")]})
    magic = _MAGIC.get(content_type)
    if magic is not None and not content.startswith(magic):
        raise ValidationError(
            {"evidence_file": [_("The file's content does not match its type (%s).") % ext]}
        )
    if magic is None:
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationError(
                {"evidence_file": [_("A %s file must be UTF-8 text.") % ext]}
            ) from None
    return content, name, content_type


def _too_big() -> str:
    return _("The file is larger than %(mb)s MB.") % {"mb": EVIDENCE_MAX_BYTES // (1024 * 1024)}


@transaction.atomic
def checklist_item_mark(
    *,
    actor,
    item: ChecklistRunItem,
    result: str,
    note: str = "",
    evidence_text: str = "",
    evidence_file=None,
) -> ChecklistRunItem:
    """Pass, fail or skip an item, or change an earlier mark (the change is kept).

    Passing an evidence-required item needs evidence (text, link or file; evidence given
    with an earlier mark of the item counts). Failing or skipping needs a note. New
    evidence replaces the item's current evidence; older evidence stays in the marks.
    """
    require(actor, RUN_PERMISSION)
    run = _lock_open_run(item.run)
    item = ChecklistRunItem.objects.select_for_update().get(pk=item.pk, run=run)
    note = (note or "").strip()
    evidence_text = (evidence_text or "").strip()
    errors: dict[str, list[str]] = {}
    if result not in MARKABLE:
        errors["result"] = [
            _("Choose one of %(values)s.") % {"values": ", ".join(sorted(MARKABLE))}
        ]
    if len(note) > MAX_NOTE:
        errors["note"] = [_("At most %(n)s characters.") % {"n": MAX_NOTE}]
    if len(evidence_text) > MAX_EVIDENCE_TEXT:
        errors["evidence_text"] = [_("At most %(n)s characters.") % {"n": MAX_EVIDENCE_TEXT}]
    upload = None
    if evidence_file is not None:
        try:
            upload = _check_evidence_file(evidence_file)
        except ValidationError as error:
            errors.update(error.message_dict)
    if result in (ChecklistRunItem.Result.FAILED, ChecklistRunItem.Result.SKIPPED) and not note:
        errors.setdefault("note", []).append(
            _("Say why in a note: failing or skipping an item needs one.")
        )
    has_evidence = bool(evidence_text or upload or item.has_evidence)
    if result == ChecklistRunItem.Result.PASSED and item.evidence_required and not has_evidence:
        errors.setdefault("evidence_text", []).append(
            _("This item needs evidence (a link, a snippet or a file) to pass.")
        )
    if errors:
        raise ValidationError(errors)

    unchanged = result == item.result and note == item.note and not evidence_text and upload is None
    if unchanged:
        return item
    previous = item.result
    mark = ChecklistItemMark(
        item=item,
        result=result,
        previous_result=previous,
        note=note,
        evidence_text=evidence_text,
        actor=actor,
        at=timezone.now(),
    )
    if upload is not None:
        content, name, content_type = upload
        mark.evidence_file.save(name, ContentFile(content), save=False)
        mark.evidence_file_name = name
        item.evidence_file.name = mark.evidence_file.name
        item.evidence_file_name = name
        item.evidence_content_type = content_type
        item.evidence_size = len(content)
        item.evidence_sha256 = hashlib.sha256(content).hexdigest()
    mark.save()
    if evidence_text:
        item.evidence_text = evidence_text
    item.result = result
    item.note = note
    item.marked_by = actor
    item.marked_at = mark.at
    item.revision += 1
    item.save()
    record_event(
        "checklist.item_marked",
        actor=actor,
        target=run,
        data={
            "item": item.position,
            "title": item.title,
            "from": previous,
            "to": result,
            "revision": item.revision,
            "evidence_file_sha256": item.evidence_sha256 if upload is not None else "",
        },
    )
    return item


def run_outcome(items) -> str:
    """The result a run would have with these items (open optional items count as skips)."""
    results = {item.result for item in items}
    if ChecklistRunItem.Result.FAILED in results:
        return ChecklistRun.Result.FAILED
    if results & {ChecklistRunItem.Result.SKIPPED, ChecklistRunItem.Result.OPEN}:
        return ChecklistRun.Result.PASSED_WITH_SKIPS
    return ChecklistRun.Result.PASSED


@transaction.atomic
def checklist_run_complete(*, actor, run: ChecklistRun, note: str = "") -> ChecklistRun:
    """Close the run with its result; refused while a required item is open.

    The result is ``failed`` when any item failed, ``passed_with_skips`` when an item was
    skipped (or an optional one left open), otherwise ``passed``.
    """
    require(actor, RUN_PERMISSION)
    run = _lock_open_run(run)
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise ValidationError({"note": [_("At most %(n)s characters.") % {"n": MAX_NOTE}]})
    items = list(run.items.order_by("position"))
    still_open = [i for i in items if i.required and i.result == ChecklistRunItem.Result.OPEN]
    if still_open:
        raise ValidationError(
            {
                "items": [
                    _("%(n)s required item(s) are still open: %(items)s.")
                    % {
                        "n": len(still_open),
                        "items": "; ".join(f"{i.position}. {i.title}" for i in still_open[:10]),
                    }
                ]
            },
            code="required_items_open",
        )
    run.result = run_outcome(items)
    run.status = ChecklistRun.Status.COMPLETED
    run.completed_by = actor
    run.completed_at = timezone.now()
    run.closing_note = note
    run.full_clean()
    run.save()
    counts: dict[str, int] = {}
    for item in items:
        counts[item.result] = counts.get(item.result, 0) + 1
    record_event(
        "checklist.run_completed",
        actor=actor,
        target=run,
        data={
            "template": run.template.slug,
            "result": run.result,
            "counts": counts,
            "launch": run.launch_id,
        },
    )
    checklist_launch.log_run_completed(run, items)
    return run


@transaction.atomic
def checklist_run_abandon(*, actor, run: ChecklistRun, reason: str) -> ChecklistRun:
    """Stop a run without a result (a reason is required); its marks stay on record."""
    require(actor, RUN_PERMISSION)
    run = _lock_open_run(run)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the run is abandoned.")]})
    if len(reason) > MAX_NOTE:
        raise ValidationError({"reason": [_("At most %(n)s characters.") % {"n": MAX_NOTE}]})
    run.status = ChecklistRun.Status.ABANDONED
    run.completed_by = actor
    run.completed_at = timezone.now()
    run.closing_note = reason
    run.save()
    record_event(
        "checklist.run_abandoned",
        actor=actor,
        target=run,
        data={"template": run.template.slug, "reason": reason[:300], "launch": run.launch_id},
    )
    checklist_launch.log_run_abandoned(run)
    return run
