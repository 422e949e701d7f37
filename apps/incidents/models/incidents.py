"""Severities, incidents and who holds which role in them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Severity(models.Model):
    """An incident severity level (S1, S2, S3 by default; editable).

    ``postmortem_required`` says whether an incident of this level needs a published
    post-mortem before it may close, and ``postmortem_due_hours`` how long after
    resolution it is due.
    """

    code = models.CharField(
        _("code"),
        max_length=10,
        unique=True,
        help_text=_("Short name shown everywhere, e.g. S1."),
    )
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    rank = models.PositiveSmallIntegerField(
        _("rank"), default=1, help_text=_("1 is the most severe.")
    )
    postmortem_required = models.BooleanField(_("post-mortem required"), default=False)
    postmortem_due_hours = models.PositiveIntegerField(
        _("post-mortem due (hours after resolution)"), default=48
    )
    update_interval_minutes = models.PositiveIntegerField(
        _("status update interval (minutes)"),
        default=60,
        help_text=_("How often the communications lead owes a status update while open."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["rank", "code"]
        verbose_name = _("severity")
        verbose_name_plural = _("severities")
        constraints = [
            models.CheckConstraint(
                condition=Q(postmortem_due_hours__gte=1) & Q(postmortem_due_hours__lte=24 * 30),
                name="incidents_severity_due_hours_range",
                violation_error_message=_(
                    "A post-mortem is due 1 hour to 30 days after resolution."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Status(models.TextChoices):
    INVESTIGATING = "investigating", _("Investigating")
    IDENTIFIED = "identified", _("Identified")
    MITIGATED = "mitigated", _("Mitigated")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    MERGED = "merged", _("Merged into another incident")


# The ladder, in order; moving to an earlier step needs a reason.
STATUS_LADDER: tuple[str, ...] = (
    Status.INVESTIGATING,
    Status.IDENTIFIED,
    Status.MITIGATED,
    Status.RESOLVED,
    Status.CLOSED,
)
OPEN_STATUSES: tuple[str, ...] = (Status.INVESTIGATING, Status.IDENTIFIED, Status.MITIGATED)


class Incident(models.Model):
    """Something is wrong in production and a commander owns it until it is closed.

    Permissions: ``incidents.add_incident`` declares; ``incidents.change_incident`` runs
    an incident — held globally by incident commanders and super admins, and granted per
    incident (django-guardian) to whoever holds one of its roles, kept in step by the
    role services.

    ``number`` is ``INC-<year>-<sequence>``. ``owner`` is the commander (always set);
    the history of who held each role is in ``RoleAssignment``. ``affected_actions`` are
    keys of the flags' actions (``apps.flags.runbook``) the incident touches.
    """

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    year = models.PositiveSmallIntegerField(_("year"), editable=False)
    sequence = models.PositiveIntegerField(_("sequence"), editable=False)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    severity = models.ForeignKey(
        Severity, on_delete=models.PROTECT, related_name="incidents", verbose_name=_("severity")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.INVESTIGATING
    )
    affected_actions = models.JSONField(_("affected areas"), default=list, blank=True)
    customer_impact = models.TextField(_("customer impact"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="owned_incidents",
        verbose_name=_("commander"),
    )
    team = models.ForeignKey(
        "oncall.Team",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="incidents",
        verbose_name=_("team"),
    )
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_incidents",
        verbose_name=_("merged into"),
    )
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("declared by"),
    )
    started_at = models.DateTimeField(_("started at"))
    detected_at = models.DateTimeField(_("detected at"))
    declared_at = models.DateTimeField(_("declared at"), default=timezone.now, db_index=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    mitigated_at = models.DateTimeField(_("mitigated at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    next_update_due_at = models.DateTimeField(_("next status update due"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-declared_at", "-id"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "sequence"],
                name="incidents_incident_number_unique",
                violation_error_message=_("Incident numbers are unique."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=[value for value, _label in Status.choices]),
                name="incidents_incident_status_valid",
                violation_error_message=_("Unknown incident status."),
            ),
            models.CheckConstraint(
                condition=Q(started_at__lte=models.F("detected_at")),
                name="incidents_incident_started_before_detected",
                violation_error_message=_("An incident starts before or when it is detected."),
            ),
            models.CheckConstraint(
                condition=~Q(status="merged") | Q(merged_into__isnull=False),
                name="incidents_incident_merged_has_target",
                violation_error_message=_("A merged incident names the incident it joined."),
            ),
        ]
        indexes = [models.Index(fields=["status", "-declared_at"], name="incidents_status_idx")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class IncidentRole(models.TextChoices):
    COMMANDER = "commander", _("Incident commander")
    COMMUNICATIONS = "communications", _("Communications lead")
    SCRIBE = "scribe", _("Scribe")
    OPS = "ops", _("Operations")
    FINANCE = "finance", _("Finance")


class RoleAssignment(models.Model):
    """Who held a role in an incident, from when until when (``ended_at`` null: now)."""

    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(_("role"), max_length=20, choices=IncidentRole.choices)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="incident_roles",
        verbose_name=_("person"),
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned by"),
    )
    assigned_at = models.DateTimeField(_("assigned at"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ended by"),
    )

    class Meta:
        ordering = ["incident", "assigned_at", "id"]
        verbose_name = _("incident role")
        verbose_name_plural = _("incident roles")
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "role"],
                condition=Q(ended_at__isnull=True),
                name="incidents_role_one_holder",
                violation_error_message=_("Each incident role has one holder at a time."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.role} {self.person_id}"
