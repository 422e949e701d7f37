"""Checklists: templates of ordered items, and runs of them item by item.

A run copies its template's items into ``ChecklistRunItem`` rows when it starts, so
editing a template (which bumps its ``version``) never changes a run already started.
Every mark of an item is kept as a ``ChecklistItemMark`` row (append-only): the item
holds the latest result, the marks hold the whole story.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Evidence files: what may be uploaded and how big (bytes). Served only to staff who may
# view checklists, through ``warroom:checklist_evidence``, never from MEDIA_URL directly.
EVIDENCE_MAX_BYTES = 5 * 1024 * 1024
EVIDENCE_CONTENT_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".pdf": "application/pdf",
    ".txt": "text/plain",
    ".log": "text/plain",
    ".csv": "text/csv",
    ".json": "application/json",
}
MAX_ITEMS_PER_TEMPLATE = 100


def evidence_upload_to(instance, filename: str) -> str:
    """Files land under MEDIA_ROOT/checklists/<run id>/<random>.<ext>; the name is ours."""
    ext = ""
    if "." in filename:
        ext = "." + filename.rsplit(".", 1)[1].lower()
    run_id = getattr(instance, "run_id", None)
    if run_id is None and getattr(instance, "item_id", None):
        run_id = instance.item.run_id
    return f"checklists/{run_id}/{uuid.uuid4().hex}{ext}"


class ChecklistTemplate(models.Model):
    """A named list of things to check (daily ops morning, go/no-go, release, …)."""

    class Kind(models.TextChoices):
        DAILY = "daily", _("Daily routine")
        LAUNCH = "launch", _("Launch")
        RELEASE = "release", _("Release")
        VERIFICATION = "verification", _("Verification")
        OTHER = "other", _("Other")

    slug = models.SlugField(_("slug"), max_length=60)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    active = models.BooleanField(
        _("active"), default=True, help_text=_("Only active templates can start new runs.")
    )
    version = models.PositiveIntegerField(
        _("version"), default=1, help_text=_("Goes up by one each time the items change.")
    )
    source = models.CharField(
        _("source"),
        max_length=200,
        blank=True,
        help_text=_("Where the items come from, e.g. the runbook section."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("checklist template")
        verbose_name_plural = _("checklist templates")
        permissions = [
            ("run_checklist", _("Can start checklist runs and mark their items")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["slug"],
                name="warroom_checklisttemplate_slug_unique",
                violation_error_message=_("A checklist template with this slug already exists."),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["daily", "launch", "release", "verification", "other"]),
                name="warroom_checklisttemplate_kind_valid",
                violation_error_message=_("Unknown checklist kind."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ChecklistTemplateItem(models.Model):
    """One item of a template. ``position`` counts from 1."""

    template = models.ForeignKey(
        ChecklistTemplate,
        on_delete=models.CASCADE,
        related_name="items",
        verbose_name=_("template"),
    )
    position = models.PositiveSmallIntegerField(_("position"))
    title = models.CharField(_("title"), max_length=200)
    help_text = models.TextField(_("help text"), blank=True)
    evidence_required = models.BooleanField(
        _("evidence required"),
        default=False,
        help_text=_("The item cannot be passed without a link, snippet or file."),
    )
    required = models.BooleanField(
        _("required"),
        default=True,
        help_text=_("A run cannot be completed while a required item is open."),
    )

    class Meta:
        ordering = ["template_id", "position"]
        verbose_name = _("checklist template item")
        verbose_name_plural = _("checklist template items")
        constraints = [
            models.UniqueConstraint(
                fields=["template", "position"],
                name="warroom_checklisttemplateitem_position_unique",
                violation_error_message=_("Two items cannot share a position."),
            ),
            models.CheckConstraint(
                condition=Q(position__gte=1),
                name="warroom_checklisttemplateitem_position_positive",
                violation_error_message=_("Positions count from 1."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class ChecklistRun(models.Model):
    """One pass through a template, by the people who mark its items."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")
        ABANDONED = "abandoned", _("Abandoned")

    class Result(models.TextChoices):
        PASSED = "passed", _("Passed")
        PASSED_WITH_SKIPS = "passed_with_skips", _("Passed with skips")
        FAILED = "failed", _("Failed")

    class Environment(models.TextChoices):
        PRODUCTION = "production", _("Production")
        STAGING = "staging", _("Staging")
        DEVELOPMENT = "development", _("Development")

    template = models.ForeignKey(
        ChecklistTemplate,
        on_delete=models.PROTECT,
        related_name="runs",
        verbose_name=_("template"),
    )
    template_version = models.PositiveIntegerField(_("template version"))
    template_name = models.CharField(
        _("template name"), max_length=120, help_text=_("The template's name when it started.")
    )
    environment = models.CharField(
        _("environment"),
        max_length=20,
        choices=Environment.choices,
        default=Environment.PRODUCTION,
    )
    # The launch plan this run belongs to (the go/no-go and cutover checklists of a launch);
    # starting and completing such a run writes to that launch's war-room log.
    launch = models.ForeignKey(
        "warroom.LaunchPlan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="checklist_runs",
        verbose_name=_("launch"),
        help_text=_("The launch plan this run belongs to, if any."),
    )
    # A free "for" label (a release, a shift, or a launch that has no plan in the portal).
    launch_label = models.CharField(
        _("for"),
        max_length=200,
        blank=True,
        help_text=_("What this run is for: a launch, a release, a shift."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.IN_PROGRESS
    )
    result = models.CharField(_("result"), max_length=20, choices=Result.choices, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("started by"),
    )
    started_at = models.DateTimeField(_("started at"), default=timezone.now, editable=False)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("completed by"),
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    closing_note = models.TextField(
        _("closing note"), blank=True, help_text=_("Why the run was abandoned, or remarks.")
    )

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("checklist run")
        verbose_name_plural = _("checklist runs")
        indexes = [
            models.Index(fields=["status", "-started_at"], name="warroom_clrun_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["in_progress", "completed", "abandoned"]),
                name="warroom_checklistrun_status_valid",
                violation_error_message=_("Unknown checklist run status."),
            ),
            models.CheckConstraint(
                condition=Q(environment__in=["production", "staging", "development"]),
                name="warroom_checklistrun_environment_valid",
                violation_error_message=_("Unknown environment."),
            ),
            # A completed run has a result and a completer; others have no result.
            models.CheckConstraint(
                condition=(
                    Q(
                        status="completed",
                        result__in=["passed", "passed_with_skips", "failed"],
                        completed_at__isnull=False,
                        completed_by__isnull=False,
                    )
                    | (~Q(status="completed") & Q(result=""))
                ),
                name="warroom_checklistrun_result_consistent",
                violation_error_message=_("Only a completed run has a result."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template_name} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("warroom:checklist_run", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.IN_PROGRESS


class ChecklistRunItem(models.Model):
    """An item of a run: a copy of the template item, and its latest mark."""

    class Result(models.TextChoices):
        OPEN = "open", _("Open")
        PASSED = "passed", _("Passed")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped")

    run = models.ForeignKey(
        ChecklistRun, on_delete=models.CASCADE, related_name="items", verbose_name=_("run")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    title = models.CharField(_("title"), max_length=200)
    help_text = models.TextField(_("help text"), blank=True)
    evidence_required = models.BooleanField(_("evidence required"), default=False)
    required = models.BooleanField(_("required"), default=True)
    result = models.CharField(
        _("result"), max_length=10, choices=Result.choices, default=Result.OPEN
    )
    note = models.TextField(_("note"), blank=True)
    evidence_text = models.TextField(
        _("evidence"), blank=True, help_text=_("A link, a query and its output, a snippet.")
    )
    evidence_file = models.FileField(
        _("evidence file"), upload_to=evidence_upload_to, max_length=255, blank=True
    )
    evidence_file_name = models.CharField(_("evidence file name"), max_length=255, blank=True)
    evidence_content_type = models.CharField(_("evidence content type"), max_length=100, blank=True)
    evidence_size = models.PositiveIntegerField(_("evidence size"), null=True, blank=True)
    evidence_sha256 = models.CharField(_("evidence SHA-256"), max_length=64, blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("marked by"),
    )
    marked_at = models.DateTimeField(_("marked at"), null=True, blank=True)
    revision = models.PositiveIntegerField(
        _("revision"), default=0, help_text=_("How many times the item was marked.")
    )

    class Meta:
        ordering = ["run_id", "position"]
        verbose_name = _("checklist run item")
        verbose_name_plural = _("checklist run items")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "position"],
                name="warroom_checklistrunitem_position_unique",
                violation_error_message=_("Two items cannot share a position."),
            ),
            models.CheckConstraint(
                condition=Q(result__in=["open", "passed", "failed", "skipped"]),
                name="warroom_checklistrunitem_result_valid",
                violation_error_message=_("Unknown item result."),
            ),
            models.CheckConstraint(
                condition=Q(result="open") | Q(marked_at__isnull=False, marked_by__isnull=False),
                name="warroom_checklistrunitem_marked_has_who_when",
                violation_error_message=_("A marked item records who marked it and when."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"

    @property
    def has_evidence(self) -> bool:
        return bool(self.evidence_text.strip() or self.evidence_file)


# What a person may set an item to (an item starts open and cannot be set back to open).
MARK_RESULTS = [
    (ChecklistRunItem.Result.PASSED.value, ChecklistRunItem.Result.PASSED.label),
    (ChecklistRunItem.Result.FAILED.value, ChecklistRunItem.Result.FAILED.label),
    (ChecklistRunItem.Result.SKIPPED.value, ChecklistRunItem.Result.SKIPPED.label),
]


class ChecklistItemMark(models.Model):
    """Each time an item was marked: append-only, never edited."""

    item = models.ForeignKey(
        ChecklistRunItem, on_delete=models.CASCADE, related_name="marks", verbose_name=_("item")
    )
    result = models.CharField(_("result"), max_length=10, choices=ChecklistRunItem.Result.choices)
    previous_result = models.CharField(
        _("previous result"), max_length=10, choices=ChecklistRunItem.Result.choices
    )
    note = models.TextField(_("note"), blank=True)
    evidence_text = models.TextField(_("evidence"), blank=True)
    evidence_file = models.FileField(
        _("evidence file"), upload_to=evidence_upload_to, max_length=255, blank=True
    )
    evidence_file_name = models.CharField(_("evidence file name"), max_length=255, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["item_id", "at", "id"]
        verbose_name = _("checklist item mark")
        verbose_name_plural = _("checklist item marks")

    def __str__(self) -> str:
        return f"{self.item}: {self.previous_result} → {self.result}"
