"""The launch plan: T0, phases, tasks at T-offsets, rollback criteria and the war-room log.

Tasks store their offset from T0, not a date: moving T0 moves every due time with it.
The war-room log is append-only: an entry is never changed or removed; a correction is a
new entry that points at the one it corrects.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.models import AppendOnlyQuerySet
from apps.warroom.launch_time import UNIT_CHOICES, format_offset, validate_offset


class LaunchPlan(models.Model):
    """One launch: its T0 (UTC), status, phases, tasks and rollback criteria.

    Status moves planned → live (the go decision) → completed or rolled_back; a
    rolled-back launch may be planned again (a new attempt); planned or rolled-back
    launches may be cancelled. ``launch_plan_set_status`` enforces the moves.
    """

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        LIVE = "live", _("Live")
        COMPLETED = "completed", _("Completed")
        ROLLED_BACK = "rolled_back", _("Rolled back")
        CANCELLED = "cancelled", _("Cancelled")

    name = models.CharField(_("name"), max_length=150)
    t0 = models.DateTimeField(
        _("T0"), help_text=_("The planned start (go-live) time; task due times follow it.")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-t0", "-id"]
        verbose_name = _("launch plan")
        verbose_name_plural = _("launch plans")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    status__in=["planned", "live", "completed", "rolled_back", "cancelled"]
                ),
                name="warroom_launchplan_status_valid",
                violation_error_message=_("Unknown launch status."),
            ),
            models.CheckConstraint(
                condition=~Q(name=""),
                name="warroom_launchplan_name_not_empty",
                violation_error_message=_("Give the launch a name."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.PLANNED, self.Status.LIVE)


class LaunchPhase(models.Model):
    """A stage of the launch, in order: pre-flight, pilot, canary, full go-live.

    ``start_offset``/``end_offset`` are its window around T0 (optional; the runbook's
    windows are seeded: pre-flight T-21 d…T-14 d, pilot T-14 d…T-7 d, canary T-7 d…T0,
    full go-live T0…T+7 d).
    """

    class Kind(models.TextChoices):
        PREFLIGHT = "preflight", _("Pre-flight")
        PILOT = "pilot", _("Pilot")
        CANARY = "canary", _("Canary")
        FULL_GO_LIVE = "full_go_live", _("Full go-live")

    plan = models.ForeignKey(
        LaunchPlan, on_delete=models.CASCADE, related_name="phases", verbose_name=_("launch")
    )
    kind = models.CharField(_("phase"), max_length=20, choices=Kind.choices)
    position = models.PositiveSmallIntegerField(_("position"))
    goal = models.TextField(_("goal"), blank=True)
    start_offset = models.DurationField(
        _("starts at"), null=True, blank=True, validators=[validate_offset]
    )
    end_offset = models.DurationField(
        _("ends at"), null=True, blank=True, validators=[validate_offset]
    )

    class Meta:
        ordering = ["plan_id", "position"]
        verbose_name = _("launch phase")
        verbose_name_plural = _("launch phases")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "kind"],
                name="warroom_launchphase_plan_kind_unique",
                violation_error_message=_("This launch already has this phase."),
            ),
            models.UniqueConstraint(
                fields=["plan", "position"],
                name="warroom_launchphase_plan_position_unique",
                violation_error_message=_("Two phases cannot share a position."),
            ),
            models.CheckConstraint(
                condition=Q(start_offset__isnull=True)
                | Q(end_offset__isnull=True)
                | Q(end_offset__gte=models.F("start_offset")),
                name="warroom_launchphase_window_order",
                violation_error_message=_("A phase cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return str(self.get_kind_display())

    @property
    def window_label(self) -> str:
        if self.start_offset is None and self.end_offset is None:
            return ""
        return (
            f"{format_offset(self.start_offset) or '…'} … {format_offset(self.end_offset) or '…'}"
        )


class LaunchTask(models.Model):
    """Something to do at T0 + ``offset`` (negative: before T0), with an owner and status.

    The owner is a person, a team, or both. ``status_changed_by``/``_at`` say who moved it
    last and when; every move is also in the war-room log.
    """

    class Status(models.TextChoices):
        TODO = "todo", _("To do")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        BLOCKED = "blocked", _("Blocked")
        SKIPPED = "skipped", _("Skipped")

    OPEN_STATUSES = (Status.TODO, Status.IN_PROGRESS, Status.BLOCKED)

    plan = models.ForeignKey(
        LaunchPlan, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("launch")
    )
    phase = models.ForeignKey(
        LaunchPhase, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("phase")
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    offset = models.DurationField(
        _("offset from T0"),
        validators=[validate_offset],
        help_text=_("Negative before T0: T-7 d, T-2 h, T-30 min, T0, T+1 h, T+7 d."),
    )
    offset_unit = models.CharField(
        _("offset unit"),
        max_length=3,
        choices=UNIT_CHOICES,
        blank=True,
        help_text=_("The unit the offset is shown in (T+24 h rather than T+1 d)."),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="launch_tasks",
        verbose_name=_("owner"),
    )
    owner_team = models.ForeignKey(
        "oncall.Team",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="launch_tasks",
        verbose_name=_("owner team"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.TODO
    )
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("status changed by"),
    )
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["plan_id", "offset", "id"]
        verbose_name = _("launch task")
        verbose_name_plural = _("launch tasks")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["todo", "in_progress", "done", "blocked", "skipped"]),
                name="warroom_launchtask_status_valid",
                violation_error_message=_("Unknown task status."),
            ),
            models.CheckConstraint(
                condition=Q(status="todo") | Q(status_changed_at__isnull=False),
                name="warroom_launchtask_status_change_recorded",
                violation_error_message=_("A task that moved records when it moved."),
            ),
            models.CheckConstraint(
                condition=~Q(title=""),
                name="warroom_launchtask_title_not_empty",
                violation_error_message=_("Give the task a title."),
            ),
        ]
        indexes = [models.Index(fields=["plan", "status"], name="warroom_launchtask_plan_st")]

    def __str__(self) -> str:
        return f"{self.offset_label} {self.title}"

    @property
    def offset_label(self) -> str:
        return format_offset(self.offset, self.offset_unit)

    def due_at_for(self, t0):
        return t0 + (self.offset or timedelta(0))

    @property
    def due_at(self):
        """T0 + offset: computed, so it moves whenever T0 moves."""
        return self.due_at_for(self.plan.t0)

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    def is_overdue(self, now=None) -> bool:
        return self.is_open and self.due_at < (now or timezone.now())


class RollbackCriterion(models.Model):
    """One written-down reason to roll the launch back, in the order people read them.

    ``condition`` says what is observed, ``threshold`` the metric and its limit, ``action``
    what is done and ``decision_owner`` who decides.
    """

    plan = models.ForeignKey(
        LaunchPlan,
        on_delete=models.CASCADE,
        related_name="rollback_criteria",
        verbose_name=_("launch"),
    )
    position = models.PositiveSmallIntegerField(_("position"))
    condition = models.TextField(_("condition"))
    threshold = models.CharField(_("threshold / metric"), max_length=300, blank=True)
    action = models.TextField(_("action"), blank=True)
    decision_owner = models.CharField(_("who decides"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["plan_id", "position"]
        verbose_name = _("rollback criterion")
        verbose_name_plural = _("rollback criteria")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "position"],
                name="warroom_rollbackcriterion_position_unique",
                violation_error_message=_("Two criteria cannot share a position."),
            ),
            models.CheckConstraint(
                condition=~Q(condition=""),
                name="warroom_rollbackcriterion_condition_not_empty",
                violation_error_message=_("Say when to roll back."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.condition[:80]}"


class LaunchLogImmutable(Exception):
    """Raised when code tries to change or remove a war-room log entry."""


def _refuse(what: str):
    raise LaunchLogImmutable(
        f"The war-room log is append-only: {what} is refused; append a correction instead."
    )


class AppendOnlyLogQuerySet(AppendOnlyQuerySet):
    """Reads and single inserts; every bulk change or removal is refused."""

    refuse = staticmethod(_refuse)


class AppendOnlyLogManager(models.Manager.from_queryset(AppendOnlyLogQuerySet)):
    pass


class LaunchLogEntry(models.Model):
    """One line of the war-room log: a decision, an event, a note, a go/no-go or a rollback.

    Written by people (``launch_log_append``) and by the launch services themselves (task
    status changes, T0 moves, go-live, rollback). Never changed or removed: the manager,
    the model and (on PostgreSQL) a trigger refuse it; ``corrects`` points a correction at
    the entry it corrects.
    """

    class Kind(models.TextChoices):
        DECISION = "decision", _("Decision")
        EVENT = "event", _("Event")
        NOTE = "note", _("Note")
        GO_NO_GO = "go_no_go", _("Go/no-go")
        ROLLBACK = "rollback", _("Rollback")

    plan = models.ForeignKey(
        LaunchPlan,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="log_entries",
        verbose_name=_("launch"),
    )
    task = models.ForeignKey(
        LaunchTask,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="log_entries",
        verbose_name=_("task"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.NOTE)
    text = models.TextField(_("text"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    automatic = models.BooleanField(
        _("written by the portal"),
        default=False,
        help_text=_("Written by a launch action (status change, T0 move), not typed."),
    )
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("corrects"),
    )
    data = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    objects = AppendOnlyLogManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("war-room log entry")
        verbose_name_plural = _("war-room log entries")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["decision", "event", "note", "go_no_go", "rollback"]),
                name="warroom_launchlog_kind_valid",
                violation_error_message=_("Unknown log entry kind."),
            ),
            models.CheckConstraint(
                condition=~Q(text=""),
                name="warroom_launchlog_text_not_empty",
                violation_error_message=_("Write what happened or what was decided."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text[:80]}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            _refuse("changing an entry")
        kwargs["force_insert"] = True
        kwargs.pop("force_update", None)
        kwargs.pop("update_fields", None)
        super().save(*args, **kwargs)

    save.alters_data = True

    def delete(self, *args, **kwargs):
        _refuse("deleting an entry")

    delete.alters_data = True
