"""Post-mortems and their action items: create, write, review, publish; the close rule.

Who may write: whoever may run the incident (``require_run``: its role holders, incident
commanders, super admins). An action item's owner may also move its status and link. A
published post-mortem is read-only; its action items still move (the work goes on after
publication) but none is added.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from apps.audit.writers import write_event
from apps.incidents.models import (
    PEOPLE_KINDS,
    SECTION_FIELDS,
    ActionItem,
    ActionItemStatus,
    EntryKind,
    Incident,
    PostMortem,
    PostMortemState,
    TimelineEntry,
)
from apps.incidents.services.incidents import can_run, require_run
from apps.incidents.services.timeline import timeline_append

# --- the template -----------------------------------------------------------------------


def prefilled_timeline(incident: Incident) -> str:
    """The timeline section's first draft: pinned entries and the portal's automatic ones
    (status, severity, roles, switches, pages, …), not plain notes. One query."""
    entries = (
        TimelineEntry.objects.filter(incident=incident)
        .exclude(kind__in=PEOPLE_KINDS, pinned=False)
        .select_related("actor")
        .order_by("occurred_at", "id")
    )
    lines = []
    for entry in entries:
        when = entry.occurred_at.astimezone(timezone.get_current_timezone())
        label = EntryKind(entry.kind).label if entry.kind in EntryKind.values else entry.kind
        text = f"- {when:%Y-%m-%d %H:%M} {when.tzname()} — {label}"
        if entry.body:
            text += f": {entry.body.strip()}"
        if entry.actor is not None:
            text += f" ({entry.actor})"
        lines.append(text)
    return "\n".join(lines)


def _due_at(incident: Incident) -> datetime | None:
    if incident.resolved_at is None:
        return None
    return incident.resolved_at + timedelta(hours=incident.severity.postmortem_due_hours)


def _new(incident: Incident, *, actor, owner) -> PostMortem:
    postmortem = PostMortem(
        incident=incident,
        owner=owner or incident.owner,
        summary=incident.summary or "",
        impact=incident.customer_impact or "",
        timeline=prefilled_timeline(incident),
        due_at=_due_at(incident),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    postmortem.full_clean(exclude=["incident"])
    try:
        with transaction.atomic():
            postmortem.save(force_insert=True)
    except IntegrityError:
        raise ValidationError(
            {"incident": [_("This incident already has a post-mortem.")]}
        ) from None
    timeline_append(
        incident,
        EntryKind.POSTMORTEM,
        body=_("Post-mortem started."),
        data={"postmortem": postmortem.pk, "state": postmortem.state, "due_at": postmortem.due_at},
        actor=actor,
    )
    write_event(
        "incident.postmortem_created",
        actor=actor,
        target=postmortem,
        data={"incident": incident.number, "due_at": postmortem.due_at},
    )
    return postmortem


@transaction.atomic
def postmortem_create(*, actor, incident: Incident, owner=None) -> PostMortem:
    """Start a post-mortem by hand (any incident, whether its severity requires one)."""
    require_run(actor, incident)
    if PostMortem.objects.filter(incident=incident).exists():
        raise ValidationError({"incident": [_("This incident already has a post-mortem.")]})
    return _new(incident, actor=actor, owner=owner)


@transaction.atomic
def postmortem_ensure(*, incident: Incident, actor=None) -> PostMortem | None:
    """On resolution: create the post-mortem if the severity requires one and there is none
    yet (no permission check: the status service made its own). Idempotent. An unpublished
    post-mortem already there (started by hand, or before a reopening) gets its due time
    from this resolution."""
    incident = Incident.objects.select_related("severity", "owner").get(pk=incident.pk)
    existing = PostMortem.objects.filter(incident=incident).first()
    if existing is not None:
        due_at = _due_at(incident)
        if due_at is not None and existing.due_at != due_at and not existing.is_published:
            existing.due_at = due_at
            existing.save(update_fields=["due_at", "updated_at"])
        return existing
    if not incident.severity.postmortem_required:
        return None
    return _new(incident, actor=actor, owner=None)


# --- writing and the states ---------------------------------------------------------------


def _locked(postmortem: PostMortem) -> PostMortem:
    return (
        PostMortem.objects.select_for_update(of=("self",))
        .select_related("incident", "incident__severity")
        .get(pk=postmortem.pk)
    )


def _refuse_if_published(postmortem: PostMortem) -> None:
    if postmortem.state == PostMortemState.PUBLISHED:
        raise ValidationError(
            {"state": [_("The post-mortem is published and can no longer be changed.")]}
        )


@transaction.atomic
def postmortem_update(*, actor, postmortem: PostMortem, owner=None, **sections) -> PostMortem:
    """Change sections (any of ``SECTION_FIELDS``) and the owner of an unpublished post-mortem."""
    unknown = set(sections) - set(SECTION_FIELDS)
    if unknown:
        raise ValidationError({name: [_("Unknown section.")] for name in sorted(unknown)})
    postmortem = _locked(postmortem)
    require_run(actor, postmortem.incident)
    _refuse_if_published(postmortem)
    changed = []
    for name, value in sections.items():
        value = value or ""
        if getattr(postmortem, name) != value:
            setattr(postmortem, name, value)
            changed.append(name)
    if owner is not None and owner.pk != postmortem.owner_id:
        postmortem.owner = owner
        changed.append("owner")
    if not changed:
        return postmortem
    postmortem.full_clean(exclude=["incident"])
    postmortem.save()
    write_event(
        "incident.postmortem_edited",
        actor=actor,
        target=postmortem,
        data={"incident": postmortem.incident.number, "fields": changed},
    )
    return postmortem


def _move(actor, postmortem: PostMortem, *, to: str, allowed_from: tuple[str, ...], reason=""):
    postmortem = _locked(postmortem)
    require_run(actor, postmortem.incident)
    _refuse_if_published(postmortem)
    if postmortem.state not in allowed_from:
        raise ValidationError(
            {
                "state": [
                    _("A post-mortem in state “%(state)s” cannot move to “%(to)s”.")
                    % {
                        "state": PostMortemState(postmortem.state).label,
                        "to": PostMortemState(to).label,
                    }
                ]
            }
        )
    now = timezone.now()
    old = postmortem.state
    postmortem.state = to
    if to == PostMortemState.IN_REVIEW:
        postmortem.submitted_at = now
        postmortem.returned_reason = ""
    elif to == PostMortemState.PUBLISHED:
        postmortem.published_at = now
        postmortem.published_by = actor
    elif to == PostMortemState.DRAFT:
        postmortem.returned_reason = reason
    postmortem.save()
    timeline_append(
        postmortem.incident,
        EntryKind.POSTMORTEM,
        body={
            PostMortemState.IN_REVIEW: _("Post-mortem submitted for review."),
            PostMortemState.PUBLISHED: _("Post-mortem published."),
            PostMortemState.DRAFT: _("Post-mortem returned to draft: %(reason)s")
            % {"reason": reason},
        }[to],
        data={"postmortem": postmortem.pk, "from": old, "to": to},
        actor=actor,
        occurred_at=now,
    )
    write_event(
        {
            PostMortemState.IN_REVIEW: "incident.postmortem_submitted",
            PostMortemState.PUBLISHED: "incident.postmortem_published",
            PostMortemState.DRAFT: "incident.postmortem_returned",
        }[to],
        actor=actor,
        target=postmortem,
        data={"incident": postmortem.incident.number, "from": old, "reason": reason},
    )
    return postmortem


@transaction.atomic
def postmortem_submit(*, actor, postmortem: PostMortem) -> PostMortem:
    """Draft → in review. Summary, impact, root cause and prevention must be written."""
    require_run(actor, postmortem.incident)
    missing = [
        name
        for name in ("summary", "impact", "root_cause", "prevention")
        if not (getattr(postmortem, name) or "").strip()
    ]
    if missing:
        raise ValidationError(
            {name: [_("Write this section before submitting for review.")] for name in missing}
        )
    return _move(
        actor, postmortem, to=PostMortemState.IN_REVIEW, allowed_from=(PostMortemState.DRAFT,)
    )


@transaction.atomic
def postmortem_publish(*, actor, postmortem: PostMortem) -> PostMortem:
    """In review → published (read-only from now on)."""
    return _move(
        actor, postmortem, to=PostMortemState.PUBLISHED, allowed_from=(PostMortemState.IN_REVIEW,)
    )


@transaction.atomic
def postmortem_return_to_draft(*, actor, postmortem: PostMortem, reason: str) -> PostMortem:
    """In review → draft, saying what to change."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the post-mortem goes back to draft.")]})
    return _move(
        actor,
        postmortem,
        to=PostMortemState.DRAFT,
        allowed_from=(PostMortemState.IN_REVIEW,),
        reason=reason[:1000],
    )


# --- action items --------------------------------------------------------------------------


def _may_move_item(actor, item: ActionItem) -> bool:
    return getattr(actor, "pk", None) == item.owner_id or can_run(actor, item.postmortem.incident)


@transaction.atomic
def action_item_create(
    *,
    actor,
    postmortem: PostMortem,
    title: str,
    owner,
    due_date: date,
    link: str = "",
    status: str = ActionItemStatus.OPEN,
) -> ActionItem:
    postmortem = _locked(postmortem)
    require_run(actor, postmortem.incident)
    if postmortem.state == PostMortemState.PUBLISHED:
        raise ValidationError(
            {"postmortem": [_("The post-mortem is published: no action item can be added.")]}
        )
    item = ActionItem(
        postmortem=postmortem,
        title=(title or "").strip(),
        owner=owner,
        due_date=due_date,
        link=(link or "").strip(),
        status=status,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    if status in (ActionItemStatus.DONE, ActionItemStatus.WONT_DO):
        item.completed_at = timezone.now()
    item.full_clean()
    item.save()
    write_event(
        "incident.action_item_created",
        actor=actor,
        target=item,
        data={"incident": postmortem.incident.number, "title": item.title},
    )
    return item


# What may change once the post-mortem is published: the progress of the work.
_AFTER_PUBLISH = {"status", "link"}
_ITEM_FIELDS = {"title", "owner", "due_date", "status", "link"}


@transaction.atomic
def action_item_update(*, actor, item: ActionItem, **changes) -> ActionItem:
    """Change an action item. Its owner may move status and link; the incident's runners
    anything. After publication only status and link move."""
    unknown = set(changes) - _ITEM_FIELDS
    if unknown:
        raise ValidationError({name: [_("This field cannot be changed.")] for name in unknown})
    item = (
        ActionItem.objects.select_for_update(of=("self",))
        .select_related("postmortem", "postmortem__incident")
        .get(pk=item.pk)
    )
    runner = can_run(actor, item.postmortem.incident)
    if not runner:
        if getattr(actor, "pk", None) != item.owner_id or set(changes) - _AFTER_PUBLISH:
            raise PermissionDenied(_("Only the item's owner or the incident's team may change it."))
    if item.postmortem.state == PostMortemState.PUBLISHED:
        frozen = sorted(
            name
            for name in set(changes) - _AFTER_PUBLISH
            if _value(getattr(item, name)) != _value(changes[name])
        )
        if frozen:
            raise ValidationError(
                {
                    name: [_("The post-mortem is published: only status and link may change.")]
                    for name in frozen
                }
            )
    changed = []
    for name, value in changes.items():
        if name in ("title", "link"):
            value = (value or "").strip()
        if _value(getattr(item, name)) != _value(value):
            setattr(item, name, value)
            changed.append(name)
    if not changed:
        return item
    if "status" in changed:
        item.completed_at = None if item.is_open else timezone.now()
    item.full_clean()
    item.save()
    write_event(
        "incident.action_item_changed",
        actor=actor,
        target=item,
        data={
            "incident": item.postmortem.incident.number,
            "fields": sorted(changed),
            "status": item.status,
        },
    )
    return item


def _value(value):
    return getattr(value, "pk", value)


# --- the close rule ------------------------------------------------------------------------


def close_blockers(incident: Incident) -> list[str]:
    """Registered in ``closing.CLOSE_CHECKS``: a severity that requires a post-mortem
    keeps the incident open until it is published."""
    if not incident.severity.postmortem_required:
        return []
    postmortem = PostMortem.objects.filter(incident=incident).only("state", "due_at").first()
    return postmortem_blockers(incident, postmortem)


def postmortem_blockers(incident: Incident, postmortem: PostMortem | None) -> list[str]:
    """The close rule for an incident and its post-mortem already loaded (no query)."""
    severity = incident.severity
    if not severity.postmortem_required:
        return []
    if postmortem is not None and postmortem.is_published:
        return []
    due_at = postmortem.due_at if postmortem is not None else _due_at(incident)
    if due_at is None:
        return [
            _("The post-mortem must be published before this %(severity)s incident can close.")
            % {"severity": severity.code}
        ]
    return [
        _(
            "The post-mortem must be published before this %(severity)s incident can close "
            "(due %(due)s)."
        )
        % {
            "severity": severity.code,
            "due": date_format(timezone.localtime(due_at), "DATETIME_FORMAT"),
        }
    ]
