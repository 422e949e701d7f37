"""Status updates: templates, sending an update, and reminding the communications lead.

- ``status_template_create`` / ``status_template_update``: super admins and incident
  commanders (``incidents.add_statustemplate`` / ``incidents.change_statustemplate``).
- ``status_update_preview`` renders without writing; ``status_update_send`` renders,
  stores, sends through ``apps.notify`` channels (outbox, after commit), writes the
  timeline entry and the audit event, and sets when the next update is due. The person
  runs the incident (``require_run``) or holds its communications-lead role.
- ``update_reminders_send`` (the beat task's service): tells the communications lead (else
  the commander) that an open incident's update is late; once per due time and repeat.

Placeholders and the internal-note rule: ``apps.incidents.services.comms_render``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.policy import require
from apps.audit.writers import write_event
from apps.incidents.models import (
    OPEN_STATUSES,
    Audience,
    EntryKind,
    Incident,
    IncidentRole,
    RoleAssignment,
    Status,
    StatusTemplate,
    StatusUpdate,
    UpdateLanguage,
    UpdateReminder,
)
from apps.incidents.services.comms_render import (
    RenderContext,
    check_audience,
    check_internal_leaks,
    own_words,
    placeholders_in,
    render,
)
from apps.incidents.services.incidents import can_run
from apps.incidents.services.timeline import timeline_append
from apps.notify.models import Channel
from apps.notify.services import notification_enqueue, notify_people

ADD_TEMPLATE = "incidents.add_statustemplate"
CHANGE_TEMPLATE = "incidents.change_statustemplate"
UPDATE_EVENT = "incident.status_update"
REMINDER_EVENT = "incident.update_late"
MAX_NEXT_UPDATE_MINUTES = 7 * 24 * 60
# Incidents in these states owe no further updates.
_FINISHED = (Status.CLOSED, Status.MERGED)


# --- templates -----------------------------------------------------------------------------


def status_template_check(template: StatusTemplate) -> None:
    """Refuse unknown placeholders, and internal ones in a template for partners or the
    public (forms call it to show the errors next to the fields; the services always do)."""
    errors: dict[str, list] = {}
    for field in ("subject", "body"):
        try:
            placeholders_in(getattr(template, field), field)
            check_audience(getattr(template, field), field, template.audience)
        except ValidationError as exc:
            for name, messages in exc.error_dict.items():
                errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def status_template_create(
    *,
    actor,
    key: str,
    name: str,
    audience: str,
    language: str,
    subject: str,
    body: str,
    is_active: bool = True,
) -> StatusTemplate:
    require(actor, ADD_TEMPLATE)
    template = StatusTemplate(
        key=(key or "").strip(),
        name=(name or "").strip(),
        audience=audience,
        language=language,
        subject=(subject or "").strip(),
        body=body or "",
        is_active=is_active,
        updated_by=actor,
        updated_at=timezone.now(),
    )
    template.full_clean()
    status_template_check(template)
    template.save()
    write_event(
        "incident.status_template_created",
        actor=actor,
        target=template,
        data={"key": template.key, "audience": template.audience, "language": template.language},
    )
    return template


@transaction.atomic
def status_template_update(
    *,
    actor,
    template: StatusTemplate,
    name: str | None = None,
    subject: str | None = None,
    body: str | None = None,
    is_active: bool | None = None,
) -> StatusTemplate:
    """Change a template's words or switch it off. Its kind, audience and language stay:
    updates sent from it name it."""
    require(actor, CHANGE_TEMPLATE)
    template = StatusTemplate.objects.select_for_update().get(pk=template.pk)
    changed: list[str] = []
    for field, value in (
        ("name", None if name is None else name.strip()),
        ("subject", None if subject is None else subject.strip()),
        ("body", body),
        ("is_active", is_active),
    ):
        if value is not None and value != getattr(template, field):
            setattr(template, field, value)
            changed.append(field)
    if not changed:
        return template
    template.updated_by = actor
    template.updated_at = timezone.now()
    template.full_clean()
    status_template_check(template)
    template.save()
    write_event(
        "incident.status_template_updated",
        actor=actor,
        target=template,
        data={"changed": changed},
    )
    return template


# --- sending -------------------------------------------------------------------------------


def communications_lead(incident: Incident):
    """Who answers for status updates: the communications-lead holder, else the commander."""
    holder = (
        RoleAssignment.objects.filter(
            incident=incident, role=IncidentRole.COMMUNICATIONS, ended_at__isnull=True
        )
        .select_related("person")
        .first()
    )
    return holder.person if holder is not None else incident.owner


def can_send(actor, incident: Incident) -> bool:
    """May ``actor`` send status updates for ``incident``: runs it, or is its comms lead."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    if can_run(actor, incident):
        return True
    return RoleAssignment.objects.filter(
        incident=incident,
        role=IncidentRole.COMMUNICATIONS,
        ended_at__isnull=True,
        person_id=actor.pk,
    ).exists()


def require_send(actor, incident: Incident) -> None:
    if not can_send(actor, incident):
        raise PermissionDenied(
            _("Only the people running this incident or its communications lead send updates.")
        )


@dataclass(frozen=True)
class RenderedUpdate:
    subject: str
    body: str
    next_update_due_at: datetime | None
    template: StatusTemplate | None


def _next_due(incident: Incident, minutes: int | None, now: datetime) -> datetime | None:
    if minutes is None:
        if incident.status in OPEN_STATUSES:
            minutes = incident.severity.update_interval_minutes
        else:
            return None
    if minutes == 0:
        if incident.status in OPEN_STATUSES:
            raise ValidationError(
                {
                    "next_update_in_minutes": _(
                        "An open incident always owes its next update: give the minutes "
                        "until it is due."
                    )
                }
            )
        return None
    if not 1 <= minutes <= MAX_NEXT_UPDATE_MINUTES:
        raise ValidationError(
            {
                "next_update_in_minutes": _("Between 1 and %(max)d minutes, or 0 for none.")
                % {"max": MAX_NEXT_UPDATE_MINUTES}
            }
        )
    return now + timedelta(minutes=minutes)


def status_update_preview(
    *,
    incident: Incident,
    audience: str,
    language: str,
    template: StatusTemplate | None = None,
    subject: str | None = None,
    body: str | None = None,
    message: str = "",
    next_update_in_minutes: int | None = None,
    now: datetime | None = None,
) -> RenderedUpdate:
    """The update as it would be sent (every check of sending, nothing written).

    The text is ``subject``/``body`` when given (they may hold placeholders), else the
    template's."""
    errors: dict[str, list] = {}
    if audience not in Audience.values:
        errors.setdefault("audience", []).append(_("Choose internal, partners or public."))
    if language not in UpdateLanguage.values:
        errors.setdefault("language", []).append(_("Choose English, Russian or Indonesian."))
    if incident.status in _FINISHED:
        errors.setdefault("__all__", []).append(
            _("This incident is %(status)s: it sends no more updates.")
            % {"status": incident.get_status_display()}
        )
    if template is not None:
        if not template.is_active:
            errors.setdefault("template", []).append(_("This template is switched off."))
        elif (template.audience, template.language) != (audience, language):
            errors.setdefault("template", []).append(
                _("This template is for %(audience)s in %(language)s; pick one that matches.")
                % {
                    "audience": template.get_audience_display(),
                    "language": template.get_language_display(),
                }
            )
    subject_text = subject if subject not in (None, "") else (template.subject if template else "")
    body_text = body if body not in (None, "") else (template.body if template else "")
    if not (subject_text or "").strip():
        errors.setdefault("subject", []).append(_("Write a subject or choose a template."))
    if not (body_text or "").strip():
        errors.setdefault("body", []).append(_("Write the text or choose a template."))
    if errors:
        raise ValidationError(errors)
    due = _next_due(incident, next_update_in_minutes, now or timezone.now())
    ctx = RenderContext(
        incident=incident, language=language, message=message, next_update_due_at=due
    )
    rendered: dict[str, str] = {}
    for field, text in (("subject", subject_text), ("body", body_text)):
        try:
            check_audience(text, field, audience)
            rendered[field] = render(text, field, ctx).strip()
        except ValidationError as exc:
            for name, messages in exc.error_dict.items():
                errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    if len(rendered["subject"]) > 300:
        raise ValidationError({"subject": _("At most 300 characters once filled in.")})
    check_internal_leaks(
        incident, subject=rendered["subject"], body=rendered["body"], audience=audience
    )
    return RenderedUpdate(
        subject=rendered["subject"],
        body=rendered["body"],
        next_update_due_at=due,
        template=template,
    )


def _channels(names) -> list[Channel]:
    names = list(dict.fromkeys(str(name).strip() for name in names or () if str(name).strip()))
    found = {c.name: c for c in Channel.objects.filter(name__in=names, enabled=True)}
    missing = [name for name in names if name not in found]
    if missing:
        raise ValidationError(
            {"channels": _("No enabled channel named %(names)s.") % {"names": ", ".join(missing)}}
        )
    return [found[name] for name in names]


@transaction.atomic
def status_update_send(
    *,
    actor,
    incident: Incident,
    audience: str,
    language: str,
    template: StatusTemplate | None = None,
    subject: str | None = None,
    body: str | None = None,
    message: str = "",
    channels=(),
    next_update_in_minutes: int | None = None,
) -> StatusUpdate:
    """Render, store and send one status update (see the module docstring).

    ``next_update_in_minutes``: None takes the severity's interval while the incident is
    open (no next update once it is resolved); 0 says no further update (refused while
    open)."""
    require_send(actor, incident)
    incident = (
        Incident.objects.select_for_update().select_related("severity", "owner").get(pk=incident.pk)
    )
    now = timezone.now()
    targets = _channels(channels)
    update = status_update_preview(
        incident=incident,
        audience=audience,
        language=language,
        template=template,
        subject=subject,
        body=body,
        message=message,
        next_update_in_minutes=next_update_in_minutes,
        now=now,
    )
    record = StatusUpdate(
        incident=incident,
        audience=audience,
        language=language,
        template=template,
        subject=update.subject,
        body=update.body,
        channels=[channel.name for channel in targets],
        sent_by=actor,
        sent_at=now,
        next_update_due_at=update.next_update_due_at,
    )
    record.full_clean()
    record.save(force_insert=True)
    incident.next_update_due_at = update.next_update_due_at
    incident.save(update_fields=["next_update_due_at", "updated_at"])
    facts = {
        "update": record.pk,
        "audience": audience,
        "language": language,
        "template": template.key if template else None,
        "channels": record.channels,
        "next_update_due_at": update.next_update_due_at,
    }
    if audience == Audience.INTERNAL:
        written = [message]
        if subject:
            written.append(own_words(subject))
        if body:
            written.append(own_words(body))
        facts["own_words"] = "\n".join(part for part in written if part).strip()
    timeline_append(
        incident,
        EntryKind.STATUS_UPDATE,
        body=f"[{record.get_audience_display()}] {record.subject}\n\n{record.body}",
        data=facts,
        actor=actor,
        internal_only=audience == Audience.INTERNAL,
        occurred_at=now,
    )
    for channel in targets:
        notification_enqueue(
            channel=channel,
            subject=record.subject,
            body=record.body,
            payload={
                "incident": incident.number,
                "update": record.pk,
                "audience": audience,
                "language": language,
            },
            event=UPDATE_EVENT,
            dedupe_key=f"incident-update:{record.pk}:{channel.pk}",
        )
    write_event(
        "incident.status_update_sent",
        actor=actor,
        target=incident,
        data={**{k: v for k, v in facts.items() if k != "own_words"}, "subject": record.subject},
    )
    return record


# --- late reminders ------------------------------------------------------------------------


def reminder_repeat() -> timedelta:
    return timedelta(minutes=float(settings.INCIDENT_UPDATE_REMINDER_REPEAT_MINUTES))


def late_incidents(now: datetime | None = None):
    """Open incidents whose next status update is overdue."""
    now = now or timezone.now()
    return (
        Incident.objects.filter(status__in=OPEN_STATUSES, next_update_due_at__lte=now)
        .select_related("owner")
        .order_by("next_update_due_at", "pk")
    )


def update_reminders_send(*, now: datetime | None = None) -> int:
    """Remind each late incident's communications lead (else its commander); returns how
    many reminders were sent. The first comes when the update is due, the next every
    ``INCIDENT_UPDATE_REMINDER_REPEAT_MINUTES`` while it stays late; running again within
    the same interval sends nothing (one ``UpdateReminder`` row per due time and repeat)."""
    now = now or timezone.now()
    interval = reminder_repeat()
    sent = 0
    for incident in late_incidents(now):
        due = incident.next_update_due_at
        repeat = int((now - due) / interval) if interval.total_seconds() > 0 else 0
        if UpdateReminder.objects.filter(incident=incident, due_at=due, repeat=repeat).exists():
            continue
        if _remind(incident, due=due, repeat=repeat, now=now):
            sent += 1
    return sent


def _remind(incident: Incident, *, due: datetime, repeat: int, now: datetime) -> bool:
    lead = communications_lead(incident)
    try:
        with transaction.atomic():
            UpdateReminder.objects.create(
                incident=incident, due_at=due, repeat=repeat, person=lead, sent_at=now
            )
            late_minutes = max(int((now - due).total_seconds() // 60), 0)
            notify_people(
                users=[lead],
                subject=_("%(number)s: status update is late") % {"number": incident.number},
                body=_(
                    "The next status update for %(number)s (%(title)s) was due at %(due)s, "
                    "%(minutes)d minutes ago. Post one from the incident page."
                )
                % {
                    "number": incident.number,
                    "title": incident.title,
                    "due": timezone.localtime(due).strftime("%Y-%m-%d %H:%M %Z"),
                    "minutes": late_minutes,
                },
                payload={"incident": incident.number, "due_at": due.isoformat(), "repeat": repeat},
                event=REMINDER_EVENT,
                dedupe_key=f"incident-update-late:{incident.pk}:{due.isoformat()}:{repeat}",
            )
            write_event(
                "incident.update_reminder_sent",
                target=incident,
                data={"due_at": due, "repeat": repeat, "person": lead.pk},
            )
    except IntegrityError:
        # Another run sent this one first.
        return False
    return True
