"""Escalation policies, and pages that run them step by step."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MIN_WAIT_MINUTES = 1
MAX_WAIT_MINUTES = 24 * 60
MAX_REPEATS = 10


class EscalationPolicy(models.Model):
    """Who is told, in which order, when a page for ``team`` is not acknowledged.

    A page copies the steps when it starts (``Page.policy_snapshot``), so editing a
    policy never changes a page already running.
    """

    team = models.ForeignKey(
        "oncall.Team",
        on_delete=models.PROTECT,
        related_name="escalation_policies",
        verbose_name=_("team"),
    )
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        db_table = "warroom_escalationpolicy"
        ordering = ["team__name", "name"]
        verbose_name = _("escalation policy")
        verbose_name_plural = _("escalation policies")
        constraints = [
            models.UniqueConstraint(
                fields=["team", "name"],
                name="warroom_policy_team_name_unique",
                violation_error_message=_("This team already has a policy with this name."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.team}: {self.name}"


class EscalationStep(models.Model):
    """One step of a policy. ``position`` counts from 1, as people read it."""

    class Kind(models.TextChoices):
        NOTIFY_SCHEDULE = "notify_schedule", _("Notify who is on call on a schedule")
        NOTIFY_USER = "notify_user", _("Notify a person")
        NOTIFY_TEAM_LEAD = "notify_team_lead", _("Notify the team lead")
        NOTIFY_TEAM_CHANNEL = "notify_team_channel", _("Post to the team's war-room channel")
        WAIT = "wait", _("Wait")
        REPEAT = "repeat", _("Repeat from an earlier step")

    policy = models.ForeignKey(
        EscalationPolicy, on_delete=models.CASCADE, related_name="steps", verbose_name=_("policy")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    label = models.CharField(
        _("label"), max_length=100, blank=True, help_text=_("E.g. L1 on-call, L3 architect.")
    )
    schedule = models.ForeignKey(
        "oncall.Schedule",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("schedule"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
    )
    wait_minutes = models.PositiveIntegerField(_("wait (minutes)"), null=True, blank=True)
    repeat_from = models.PositiveSmallIntegerField(_("repeat from step"), null=True, blank=True)
    repeat_times = models.PositiveSmallIntegerField(_("repeat times"), null=True, blank=True)

    class Meta:
        db_table = "warroom_escalationstep"
        ordering = ["policy_id", "position"]
        verbose_name = _("escalation step")
        verbose_name_plural = _("escalation steps")
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "position"],
                name="warroom_step_position_unique",
                violation_error_message=_("Two steps cannot share a position."),
            ),
            models.CheckConstraint(
                condition=~Q(kind="wait")
                | Q(wait_minutes__gte=MIN_WAIT_MINUTES, wait_minutes__lte=MAX_WAIT_MINUTES),
                name="warroom_step_wait_range",
                violation_error_message=_("A wait lasts from 1 minute to 24 hours (1440 minutes)."),
            ),
            models.CheckConstraint(
                condition=~Q(kind="notify_schedule") | Q(schedule__isnull=False),
                name="warroom_step_schedule_required",
                violation_error_message=_("Choose the schedule whose on-call person is told."),
            ),
            models.CheckConstraint(
                condition=~Q(kind="notify_user") | Q(user__isnull=False),
                name="warroom_step_user_required",
                violation_error_message=_("Choose the person to notify."),
            ),
            models.CheckConstraint(
                condition=~Q(kind="repeat")
                | Q(
                    repeat_from__gte=1,
                    repeat_from__lt=F("position"),
                    repeat_times__gte=1,
                    repeat_times__lte=MAX_REPEATS,
                ),
                name="warroom_step_repeat_valid",
                violation_error_message=_("Repeat from an earlier step, 1 to 10 times."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.get_kind_display()}"


def new_ack_token() -> str:
    return secrets.token_urlsafe(32)


class Page(models.Model):
    """Someone must look at something now: the policy's steps run until acknowledged.

    ``policy_snapshot`` is the list of steps copied when the page started. ``current_step``
    and ``current_repeat`` say which step runs next and ``next_run_at`` when; the Celery
    task for a step does nothing unless they match it. ``ack_token`` goes into the link in
    notifications; it only identifies the page (acknowledging still needs a verified login).
    """

    class Status(models.TextChoices):
        TRIGGERED = "triggered", _("Triggered")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        RESOLVED = "resolved", _("Resolved")
        EXHAUSTED = "exhausted", _("Exhausted (nobody acknowledged)")

    team = models.ForeignKey(
        "oncall.Team", on_delete=models.PROTECT, related_name="pages", verbose_name=_("team")
    )
    policy = models.ForeignKey(
        EscalationPolicy,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="pages",
        verbose_name=_("policy"),
    )
    policy_snapshot = models.JSONField(_("policy snapshot"), default=dict)
    title = models.CharField(_("subject"), max_length=300)
    details = models.TextField(_("details"), blank=True)
    # What the page is about, for a later app (an alert group, an incident).
    subject_type = models.ForeignKey(
        ContentType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("about (type)"),
    )
    subject_id = models.CharField(_("about (id)"), max_length=64, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    is_test = models.BooleanField(_("test page"), default=False)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.TRIGGERED
    )
    current_step = models.PositiveSmallIntegerField(_("current step"), default=0)
    current_repeat = models.PositiveSmallIntegerField(_("current repeat"), default=0)
    next_run_at = models.DateTimeField(_("next step at"), null=True, blank=True, db_index=True)
    ack_token = models.CharField(
        _("acknowledgement token"), max_length=64, default=new_ack_token, editable=False
    )
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("triggered by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        db_table = "warroom_page"
        ordering = ["-created_at", "-id"]
        verbose_name = _("page")
        verbose_name_plural = _("pages")
        permissions = [
            ("trigger_page", _("Can page a team")),
            ("acknowledge_page", _("Can acknowledge and resolve pages")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["ack_token"],
                name="warroom_page_ack_token_unique",
                violation_error_message=_("Acknowledgement tokens are unique."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=["triggered", "acknowledged", "resolved", "exhausted"]),
                name="warroom_page_status_valid",
                violation_error_message=_("Unknown page status."),
            ),
            models.CheckConstraint(
                condition=~Q(status="acknowledged") | Q(acknowledged_at__isnull=False),
                name="warroom_page_ack_has_time",
                violation_error_message=_("An acknowledged page records when."),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    @property
    def steps(self) -> list[dict]:
        return list((self.policy_snapshot or {}).get("steps", []))

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.TRIGGERED


class PageStepRun(models.Model):
    """Proof that step ``step_index`` (0-based) of pass ``repeat`` ran for a page.

    The unique constraint is what makes a step run at most once, whatever the queue
    redelivers after a worker restart.
    """

    page = models.ForeignKey(
        Page, on_delete=models.CASCADE, related_name="step_runs", verbose_name=_("page")
    )
    step_index = models.PositiveSmallIntegerField(_("step"))
    repeat = models.PositiveSmallIntegerField(_("pass"), default=0)
    kind = models.CharField(_("kind"), max_length=30)
    ran_at = models.DateTimeField(_("ran at"), default=timezone.now)
    outcome = models.JSONField(_("outcome"), default=dict, blank=True)

    class Meta:
        db_table = "warroom_pagesteprun"
        ordering = ["page_id", "ran_at", "id"]
        verbose_name = _("page step run")
        verbose_name_plural = _("page step runs")
        constraints = [
            models.UniqueConstraint(
                fields=["page", "step_index", "repeat"],
                name="warroom_pagesteprun_once",
                violation_error_message=_("This step already ran."),
            )
        ]

    def __str__(self) -> str:
        return f"page {self.page_id} step {self.step_index + 1} pass {self.repeat}"


class PageEvent(models.Model):
    """The page's own timeline: triggered, each step, acknowledged, resolved, exhausted."""

    class Kind(models.TextChoices):
        TRIGGERED = "triggered", _("Triggered")
        NOTIFIED = "notified", _("Notified")
        NOBODY = "nobody", _("Nobody to notify")
        WAITING = "waiting", _("Waiting")
        REPEATED = "repeated", _("Repeated")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        RESOLVED = "resolved", _("Resolved")
        EXHAUSTED = "exhausted", _("Exhausted")

    page = models.ForeignKey(
        Page, on_delete=models.CASCADE, related_name="events", verbose_name=_("page")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    step_index = models.PositiveSmallIntegerField(_("step"), null=True, blank=True)
    repeat = models.PositiveSmallIntegerField(_("pass"), null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    message = models.CharField(_("message"), max_length=300, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        db_table = "warroom_pageevent"
        ordering = ["created_at", "id"]
        verbose_name = _("page event")
        verbose_name_plural = _("page events")

    def __str__(self) -> str:
        return f"page {self.page_id}: {self.kind}"
