"""Filling a status update's placeholders from the incident, safely.

The placeholders are a closed set (``PLACEHOLDERS``); a text is read with
``string.Formatter.parse`` only to split it into literal text and placeholder names, and
the output is joined by hand, so no attribute or index lookup, conversion (``!r``) or
format spec ever runs: ``{incident.__class__}``, ``{title!r}`` and ``{title:>99}`` are
unknown placeholders, refused like any other. ``{{`` and ``}}`` write literal braces.

Refusals are ``ValidationError`` on the field holding the text (``subject`` or ``body``),
naming the placeholder:

- an unknown placeholder (not in ``PLACEHOLDERS``);
- a placeholder whose value is empty for this incident (no customer impact written yet,
  no next update due, no message given);
- for partners and the public, a placeholder marked internal (``INTERNAL_PLACEHOLDERS``).

Internal notes never leave the team (``internal_leaks``): an update to partners or the
public is refused when its subject or body contains the text of any internal-only timeline
entry of the incident — the whole entry, or any one of its sentences or lines of at least
``LEAK_MIN_CHARS`` characters, compared case-insensitively with whitespace collapsed.
Shorter fragments ("ok", "rollback") are too common to be told apart from ordinary words.
For an internal status update the text is what its sender wrote (the ``{message}`` and
the literal words of a hand-written subject or body), not the template's standard
sentences, which partners and the public read in their own updates too. The placeholders
``{summary}``, ``{commander}`` and ``{internal_notes}`` are internal: refused outright for
partners and the public, in templates and in updates.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from string import Formatter

from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.incidents.models import EXTERNAL_AUDIENCES, EntryKind, Incident, Status, TimelineEntry

LEAK_MIN_CHARS = 12
INTERNAL_NOTES_SHOWN = 5
_NAME = re.compile(r"^[a-z_]+$")


@dataclass(frozen=True)
class RenderContext:
    incident: Incident
    language: str
    message: str = ""
    next_update_due_at: datetime | None = None


def _when(value: datetime | None) -> str:
    if value is None:
        return ""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M %Z")


def _status(ctx: RenderContext) -> str:
    with translation.override(ctx.language):
        return str(Status(ctx.incident.status).label)


def _internal_notes(ctx: RenderContext) -> str:
    entries = (
        TimelineEntry.objects.filter(incident=ctx.incident, internal_only=True)
        .exclude(body="")
        .order_by("-occurred_at", "-id")[:INTERNAL_NOTES_SHOWN]
    )
    return "\n".join(f"- {_when(entry.occurred_at)}: {entry.body}" for entry in entries)


@dataclass(frozen=True)
class Placeholder:
    name: str
    help: str
    value: Callable[[RenderContext], str]
    internal: bool = False


PLACEHOLDERS: dict[str, Placeholder] = {
    p.name: p
    for p in (
        Placeholder("number", gettext_lazy("Incident number, e.g. INC-2026-0001."),
                    lambda c: c.incident.number),
        Placeholder("title", gettext_lazy("The incident's title."), lambda c: c.incident.title),
        Placeholder("severity", gettext_lazy("Severity code, e.g. S2."),
                    lambda c: c.incident.severity.code),
        Placeholder("severity_name", gettext_lazy("Severity name."),
                    lambda c: c.incident.severity.name),
        Placeholder("status", gettext_lazy("Current status, in the update's language."), _status),
        Placeholder("impact", gettext_lazy("Customer impact as written on the incident."),
                    lambda c: c.incident.customer_impact.strip()),
        Placeholder("affected", gettext_lazy("Affected areas (the flags' actions)."),
                    lambda c: ", ".join(str(a) for a in c.incident.affected_actions or [])),
        Placeholder("started_at", gettext_lazy("When it started."),
                    lambda c: _when(c.incident.started_at)),
        Placeholder("detected_at", gettext_lazy("When it was detected."),
                    lambda c: _when(c.incident.detected_at)),
        Placeholder("declared_at", gettext_lazy("When it was declared."),
                    lambda c: _when(c.incident.declared_at)),
        Placeholder("mitigated_at", gettext_lazy("When it was mitigated."),
                    lambda c: _when(c.incident.mitigated_at)),
        Placeholder("resolved_at", gettext_lazy("When it was resolved."),
                    lambda c: _when(c.incident.resolved_at)),
        Placeholder("next_update_at", gettext_lazy("When the next update is due."),
                    lambda c: _when(c.next_update_due_at)),
        Placeholder("message", gettext_lazy("What you write for this update (the form's message)."),
                    lambda c: (c.message or "").strip()),
        Placeholder("summary", gettext_lazy("The incident's internal summary (internal only)."),
                    lambda c: c.incident.summary.strip(), internal=True),
        Placeholder("commander", gettext_lazy("The commander's name (internal only)."),
                    lambda c: c.incident.owner.get_full_name() or c.incident.owner.get_username(),
                    internal=True),
        Placeholder("internal_notes",
                    gettext_lazy("The latest internal-only timeline notes (internal only)."),
                    _internal_notes, internal=True),
    )
}  # fmt: skip
INTERNAL_PLACEHOLDERS = frozenset(name for name, p in PLACEHOLDERS.items() if p.internal)


def _token(name: str, spec: str | None, conversion: str | None) -> str:
    return (
        "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
    )


def parse(text: str, field: str) -> list[tuple[str, str | None]]:
    """``text`` as (literal, placeholder name or None) pieces; refuses unknown placeholders
    and malformed braces with a ValidationError on ``field``."""
    try:
        pieces = list(Formatter().parse(text or ""))
    except ValueError:
        raise ValidationError(
            {
                field: _(
                    "A { or } has no partner. Placeholders look like {title}; write {{ or }} "
                    "for a literal brace."
                )
            },
            code="malformed_placeholder",
        ) from None
    errors: list[ValidationError] = []
    out: list[tuple[str, str | None]] = []
    for literal, name, spec, conversion in pieces:
        if name is None:
            out.append((literal, None))
            continue
        if not _NAME.match(name) or spec or conversion or name not in PLACEHOLDERS:
            errors.append(
                ValidationError(
                    _("Unknown placeholder %(placeholder)s. Known placeholders: %(known)s.")
                    % {
                        "placeholder": _token(name, spec, conversion),
                        "known": ", ".join("{" + known + "}" for known in PLACEHOLDERS),
                    },
                    code="unknown_placeholder",
                )
            )
            continue
        out.append((literal, name))
    if errors:
        raise ValidationError({field: errors})
    return out


def placeholders_in(text: str, field: str = "body") -> list[str]:
    """The placeholder names ``text`` uses, in order (unknown ones refused)."""
    return [name for _literal, name in parse(text, field) if name]


def check_audience(text: str, field: str, audience: str) -> None:
    """Refuse internal placeholders in a text meant for partners or the public."""
    if audience not in EXTERNAL_AUDIENCES:
        return
    internal = [name for name in placeholders_in(text, field) if name in INTERNAL_PLACEHOLDERS]
    if internal:
        raise ValidationError(
            {
                field: [
                    ValidationError(
                        _(
                            "The placeholder {%(name)s} is internal only and cannot be sent to "
                            "partners or the public."
                        )
                        % {"name": name},
                        code="internal_placeholder",
                    )
                    for name in dict.fromkeys(internal)
                ]
            }
        )


def render(text: str, field: str, ctx: RenderContext) -> str:
    """``text`` with every placeholder filled from ``ctx``; refuses unknown or empty ones."""
    pieces = parse(text, field)
    values: dict[str, str] = {}
    empty: list[str] = []
    for _literal, name in pieces:
        if name is None or name in values:
            continue
        values[name] = str(PLACEHOLDERS[name].value(ctx) or "").strip()
        if not values[name]:
            empty.append(name)
    if empty:
        raise ValidationError(
            {
                field: [
                    ValidationError(
                        _(
                            "The placeholder {%(name)s} has no value for this incident "
                            "(%(help)s); fill it in or take it out of the text."
                        )
                        % {"name": name, "help": PLACEHOLDERS[name].help},
                        code="empty_placeholder",
                    )
                    for name in empty
                ]
            }
        )
    return "".join(literal + (values[name] if name else "") for literal, name in pieces)


def _normalise(text: str) -> str:
    return " ".join((text or "").casefold().split())


def _fragments(body: str) -> list[str]:
    candidates = [body, *re.split(r"[\n\r.!?;]+", body)]
    seen: dict[str, None] = {}
    for candidate in candidates:
        normal = _normalise(candidate)
        if len(normal) >= LEAK_MIN_CHARS:
            seen.setdefault(normal)
    return list(seen)


def own_words(text: str, message: str = "") -> str:
    """What a person wrote into an update: ``message`` and the literal text of a hand-written
    subject or body, each placeholder a line break (its value is the incident's, not theirs).
    Kept on the timeline entry of an internal update, for ``internal_leaks``."""
    try:
        pieces = parse(text, "body")
    except ValidationError:
        pieces = [(text or "", None)]
    return "\n".join([*(literal for literal, _name in pieces), message or ""]).strip()


def _secret_text(entry: TimelineEntry) -> str:
    if entry.kind == EntryKind.STATUS_UPDATE:
        return str((entry.data or {}).get("own_words") or "")
    return entry.body


def internal_leaks(incident: Incident, text: str) -> list[TimelineEntry]:
    """The internal-only timeline entries of ``incident`` whose text ``text`` repeats.

    An entry's text is its body; for an internal status update, only the words its sender
    wrote (``own_words``): the template's standard sentences are public anyway."""
    haystack = _normalise(text)
    if not haystack:
        return []
    entries = TimelineEntry.objects.filter(incident=incident, internal_only=True)
    return [
        entry
        for entry in entries.only("id", "kind", "body", "data", "occurred_at")
        if any(fragment in haystack for fragment in _fragments(_secret_text(entry)))
    ]


def check_internal_leaks(incident: Incident, *, subject: str, body: str, audience: str) -> None:
    """Refuse an update to partners or the public that repeats an internal-only note."""
    if audience not in EXTERNAL_AUDIENCES:
        return
    errors: dict[str, list[ValidationError]] = {}
    for field, text in (("subject", subject), ("body", body)):
        for entry in internal_leaks(incident, text):
            excerpt = _secret_text(entry).strip().splitlines()[0][:60]
            errors.setdefault(field, []).append(
                ValidationError(
                    _(
                        "This text repeats an internal-only timeline note of %(when)s "
                        "(“%(excerpt)s”); internal notes never go to partners or the public."
                    )
                    % {"when": _when(entry.occurred_at), "excerpt": excerpt},
                    code="internal_note",
                )
            )
    if errors:
        raise ValidationError(errors)
