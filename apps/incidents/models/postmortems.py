"""Post-mortems of incidents and the action items that follow from them."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PostMortemState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    PUBLISHED = "published", _("Published")


# The sections of the template, in the order the editor shows them.
POSTMORTEM_SECTIONS: tuple[tuple[str, object], ...] = (
    ("summary", _("Summary")),
    ("impact", _("Impact")),
    ("timeline", _("Timeline")),
    ("root_cause", _("Root cause")),
    ("contributing_factors", _("Contributing factors")),
    ("what_went_well", _("What went well")),
    ("what_went_wrong", _("What went wrong")),
    ("prevention", _("Prevention")),
)
SECTION_FIELDS: tuple[str, ...] = tuple(name for name, _label in POSTMORTEM_SECTIONS)


class PostMortem(models.Model):
    """What an incident taught, written after it is resolved; one per incident.

    Created from the template when an incident whose severity requires one is resolved
    (``due_at`` = resolution + the severity's ``postmortem_due_hours``), or by hand for any
    incident. ``draft`` → ``in_review`` → ``published``; a published post-mortem is
    read-only (the services refuse edits), and an incident that requires one cannot close
    before it is published. ``last_reminder_key`` names the last reminder period the owner
    was told about, so the reminder task sends one message per period however often it runs.
    """

    incident = models.OneToOneField(
        "incidents.Incident",
        on_delete=models.PROTECT,
        related_name="postmortem",
        verbose_name=_("incident"),
    )
    state = models.CharField(
        _("state"), max_length=20, choices=PostMortemState.choices, default=PostMortemState.DRAFT
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="owned_postmortems",
        verbose_name=_("owner"),
    )
    summary = models.TextField(_("summary"), blank=True)
    impact = models.TextField(_("impact"), blank=True)
    timeline = models.TextField(_("timeline"), blank=True)
    root_cause = models.TextField(_("root cause"), blank=True)
    contributing_factors = models.TextField(_("contributing factors"), blank=True)
    what_went_well = models.TextField(_("what went well"), blank=True)
    what_went_wrong = models.TextField(_("what went wrong"), blank=True)
    prevention = models.TextField(_("prevention"), blank=True)
    due_at = models.DateTimeField(_("due at"), null=True, blank=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted for review at"), null=True, blank=True)
    returned_reason = models.TextField(_("reason returned to draft"), blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    last_reminded_at = models.DateTimeField(_("last reminded at"), null=True, blank=True)
    last_reminder_key = models.CharField(_("last reminder"), max_length=40, blank=True)
    reminders_sent = models.PositiveIntegerField(_("reminders sent"), default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("post-mortem")
        verbose_name_plural = _("post-mortems")
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=PostMortemState.values),
                name="incidents_postmortem_state_valid",
                violation_error_message=_("Unknown post-mortem state."),
            ),
            models.CheckConstraint(
                condition=~Q(state=PostMortemState.PUBLISHED) | Q(published_at__isnull=False),
                name="incidents_postmortem_published_has_time",
                violation_error_message=_("A published post-mortem says when it was published."),
            ),
        ]
        indexes = [models.Index(fields=["state", "due_at"], name="incidents_pm_state_due_idx")]

    def __str__(self) -> str:
        return f"{self.incident_id} post-mortem ({self.state})"

    @property
    def is_published(self) -> bool:
        return self.state == PostMortemState.PUBLISHED

    def is_overdue(self, now=None) -> bool:
        now = now or timezone.now()
        return not self.is_published and self.due_at is not None and self.due_at < now


class ActionItemStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    WONT_DO = "wont_do", _("Won't do")


ACTION_ITEM_OPEN_STATUSES: tuple[str, ...] = (ActionItemStatus.OPEN, ActionItemStatus.IN_PROGRESS)

http_url_validator = URLValidator(
    schemes=["http", "https"], message=_("Enter an http:// or https:// address.")
)


class ActionItem(models.Model):
    """A follow-up of a post-mortem: who does what by when, and where it is tracked.

    Open and in-progress items past their due date are overdue; their owner is reminded
    (also after the incident has closed) once per ``ACTION_ITEM_REMINDER_REPEAT_HOURS``,
    ``last_reminder_key`` naming the last period reminded.
    """

    postmortem = models.ForeignKey(
        PostMortem,
        on_delete=models.PROTECT,
        related_name="action_items",
        verbose_name=_("post-mortem"),
    )
    title = models.CharField(_("title"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="incident_action_items",
        verbose_name=_("owner"),
    )
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=20, choices=ActionItemStatus.choices, default=ActionItemStatus.OPEN
    )
    link = models.URLField(
        _("link"),
        max_length=500,
        blank=True,
        validators=[http_url_validator],
        help_text=_("Where the work is tracked (a ticket, a pull request)."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    last_reminded_at = models.DateTimeField(_("last reminded at"), null=True, blank=True)
    last_reminder_key = models.CharField(_("last reminder"), max_length=40, blank=True)
    reminders_sent = models.PositiveIntegerField(_("reminders sent"), default=0)

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ActionItemStatus.values),
                name="incidents_actionitem_status_valid",
                violation_error_message=_("Unknown action item status."),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_date"], name="incidents_ai_status_due_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in ACTION_ITEM_OPEN_STATUSES

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.is_open and self.due_date < today
