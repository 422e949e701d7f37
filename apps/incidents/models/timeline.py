"""The incident timeline: what happened when, append-only."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.models import AppendOnlyQuerySet


class TimelineImmutable(Exception):
    """Raised when code tries to change or remove a timeline entry."""


def _refuse(what: str):
    raise TimelineImmutable(
        _("Incident timelines are append-only: %(what)s is not allowed.") % {"what": what}
    )


class TimelineQuerySet(AppendOnlyQuerySet):
    refuse = staticmethod(_refuse)


class TimelineManager(models.Manager.from_queryset(TimelineQuerySet)):
    pass


class EntryKind(models.TextChoices):
    # Written by people.
    NOTE = "note", _("Note")
    DECISION = "decision", _("Decision")
    # Written by the portal.
    DECLARED = "declared", _("Declared")
    STATUS = "status", _("Status changed")
    SEVERITY = "severity", _("Severity changed")
    ROLE = "role", _("Role changed")
    FLAG = "flag", _("Kill switch changed")
    PAGE = "page", _("Page")
    CHANGE_REQUEST = "change_request", _("Change request")
    STATUS_UPDATE = "status_update", _("Status update sent")
    EVIDENCE = "evidence", _("Evidence added")
    ALERT = "alert", _("Alert attached")
    MERGE = "merge", _("Merged")
    POSTMORTEM = "postmortem", _("Post-mortem")
    EDIT = "edit", _("Details changed")


PEOPLE_KINDS = (EntryKind.NOTE, EntryKind.DECISION)


class TimelineEntry(models.Model):
    """One line of an incident's timeline. Never changed or removed once written.

    ``occurred_at`` is when it happened (a note may tell of something earlier);
    ``created_at`` when it was written. ``data`` holds the facts of automatic entries
    (old and new status, the flag and scope, the page id, …). ``source_incident`` is set
    on entries copied from a merged duplicate.
    """

    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.PROTECT, related_name="timeline"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=EntryKind.choices)
    body = models.TextField(_("text"), blank=True)
    pinned = models.BooleanField(_("pinned"), default=False)
    internal_only = models.BooleanField(
        _("internal only"),
        default=False,
        help_text=_("Never shown in anything sent outside the team."),
    )
    data = models.JSONField(_("details"), default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    source_incident = models.ForeignKey(
        "incidents.Incident",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("copied from"),
    )
    occurred_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    created_at = models.DateTimeField(_("written at"), default=timezone.now, editable=False)

    objects = TimelineManager()

    class Meta:
        ordering = ["occurred_at", "id"]
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")
        indexes = [
            models.Index(fields=["incident", "occurred_at", "id"], name="incidents_tl_order_idx")
        ]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.kind} {self.occurred_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            _refuse("save() of an existing entry")
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        _refuse("delete()")
