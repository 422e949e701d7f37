"""On-call schedules: rotation layers (versioned so edits never rewrite the past) and
overrides."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone as django_timezone
from django.utils.translation import gettext_lazy as _

from apps.oncall import rotation


def validate_iana_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("'%(value)s' is not an IANA time zone such as Europe/Warsaw or Asia/Jakarta."),
            params={"value": value},
            code="invalid_timezone",
        )


class Schedule(models.Model):
    """A team's on-call schedule; primary and backup are two schedules of one team.

    Shift boundaries are local wall-clock times in ``timezone`` (a 09:00 handoff stays
    09:00 across daylight-saving changes); everything is stored and compared in UTC.
    """

    class Kind(models.TextChoices):
        PRIMARY = "primary", _("Primary")
        BACKUP = "backup", _("Backup")

    team = models.ForeignKey(
        "oncall.Team", on_delete=models.PROTECT, related_name="schedules", verbose_name=_("team")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    timezone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_iana_timezone]
    )
    created_at = models.DateTimeField(_("created at"), default=django_timezone.now, editable=False)

    class Meta:
        db_table = "warroom_schedule"
        ordering = ["team__name", "kind"]
        verbose_name = _("schedule")
        verbose_name_plural = _("schedules")
        constraints = [
            models.UniqueConstraint(
                fields=["team", "kind"],
                name="warroom_schedule_team_kind_unique",
                violation_error_message=_("This team already has a schedule of this kind."),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["primary", "backup"]),
                name="warroom_schedule_kind_valid",
                violation_error_message=_("A schedule is primary or backup."),
            ),
        ]

    def __str__(self) -> str:
        return self.name or f"{self.team} {self.get_kind_display()}"


class RotationLayer(models.Model):
    """The identity of one rotation layer. Its settings live in ``LayerVersion`` rows:
    an edit closes the current version at that moment and starts a new one, so the final
    schedule of any past window stays as it was."""

    schedule = models.ForeignKey(
        Schedule, on_delete=models.CASCADE, related_name="layers", verbose_name=_("schedule")
    )
    created_at = models.DateTimeField(_("created at"), default=django_timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        db_table = "warroom_rotationlayer"
        ordering = ["schedule_id", "id"]
        verbose_name = _("rotation layer")
        verbose_name_plural = _("rotation layers")

    def __str__(self) -> str:
        version = self.current_version()
        return str(version) if version else f"{self.schedule} layer {self.pk} (ended)"

    def current_version(self, at=None):
        at = at or django_timezone.now()
        return (
            self.versions.filter(effective_from__lte=at)
            .filter(Q(effective_until__isnull=True) | Q(effective_until__gt=at))
            .order_by("-effective_from")
            .first()
        )


class LayerVersion(models.Model):
    """The settings of a rotation layer from ``effective_from`` until ``effective_until``.

    Shifts start at ``handoff_time`` (local, in ``timezone``) on ``start_date`` and follow
    each other every ``shift_length`` hours, days or weeks; participants take turns in
    order. ``days_of_week`` limits the layer to handoff-to-handoff windows that begin on
    those days (0 = Monday); outside them lower layers show through. Higher ``priority``
    wins over lower.
    """

    class ShiftKind(models.TextChoices):
        HOURS = "hours", _("Hours")
        DAILY = "daily", _("Days")
        WEEKLY = "weekly", _("Weeks")

    MAX_LENGTH = {"hours": 720, "daily": 90, "weekly": 12}

    layer = models.ForeignKey(
        RotationLayer, on_delete=models.CASCADE, related_name="versions", verbose_name=_("layer")
    )
    name = models.CharField(_("name"), max_length=100)
    priority = models.PositiveSmallIntegerField(
        _("priority"), default=1, help_text=_("Higher layers win over lower ones.")
    )
    timezone = models.CharField(_("time zone"), max_length=64, validators=[validate_iana_timezone])
    shift_kind = models.CharField(_("shift length unit"), max_length=10, choices=ShiftKind.choices)
    shift_length = models.PositiveIntegerField(
        _("shift length"), help_text=_("How many hours, days or weeks one shift lasts.")
    )
    handoff_time = models.TimeField(_("handoff time (local)"))
    days_of_week = models.JSONField(
        _("days of week"),
        default=rotation.all_days,
        help_text=_("Days (0 = Monday … 6 = Sunday) whose handoff-to-handoff window is covered."),
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    effective_from = models.DateTimeField(_("effective from"), db_index=True)
    effective_until = models.DateTimeField(_("effective until"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=django_timezone.now, editable=False)

    class Meta:
        db_table = "warroom_layerversion"
        ordering = ["layer_id", "effective_from"]
        verbose_name = _("layer version")
        verbose_name_plural = _("layer versions")
        constraints = [
            models.CheckConstraint(
                condition=Q(shift_length__gte=1),
                name="warroom_layerversion_shift_length_positive",
                violation_error_message=_("The shift length must be at least 1."),
            ),
            models.CheckConstraint(
                condition=Q(effective_until__isnull=True)
                | Q(effective_until__gt=F("effective_from")),
                name="warroom_layerversion_effective_order",
                violation_error_message=_("A version must end after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="warroom_layerversion_dates_order",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.pk})"

    def clean(self) -> None:
        errors: dict = {}
        if self.shift_kind not in self.MAX_LENGTH:
            errors["shift_kind"] = _("Choose hours, days or weeks.")
        elif self.shift_length is None or self.shift_length < 1:
            errors["shift_length"] = _("The shift length must be at least 1 (zero is not a shift).")
        elif self.shift_length > self.MAX_LENGTH[self.shift_kind]:
            errors["shift_length"] = _("At most %(max)s %(unit)s per shift.") % {
                "max": self.MAX_LENGTH[self.shift_kind],
                "unit": self.ShiftKind(self.shift_kind).label.lower(),
            }
        days = self.days_of_week
        if (
            not isinstance(days, list)
            or not days
            or any(not isinstance(d, int) or isinstance(d, bool) or not 0 <= d <= 6 for d in days)
        ):
            errors["days_of_week"] = _("Choose at least one day (0 = Monday … 6 = Sunday).")
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The end date cannot be before the start date.")
        if (
            self.timezone
            and self.timezone in zoneinfo.available_timezones()
            and self.start_date
            and self.handoff_time
        ):
            problem = rotation.nonexistent_local_time(
                self.start_date, self.handoff_time, self.timezone
            )
            if problem is not None:
                errors["handoff_time"] = _(
                    "%(time)s does not exist on %(date)s in %(tz)s: that night the clocks "
                    "jump from %(before)s to %(after)s. Choose a handoff outside that hour "
                    "or another start date."
                ) % {
                    "time": self.handoff_time.strftime("%H:%M"),
                    "date": self.start_date.isoformat(),
                    "tz": self.timezone,
                    "before": problem[0].strftime("%H:%M"),
                    "after": problem[1].strftime("%H:%M"),
                }
        if errors:
            raise ValidationError(errors)

    def spec(self) -> rotation.LayerSpec:
        """The plain description the rotation engine expands."""
        return rotation.LayerSpec(
            key=self.layer_id,
            version=self.pk,
            priority=self.priority,
            timezone=self.timezone,
            shift_kind=self.shift_kind,
            shift_length=self.shift_length,
            handoff_time=self.handoff_time,
            days_of_week=tuple(sorted(set(self.days_of_week))),
            start_date=self.start_date,
            end_date=self.end_date,
            effective_from=self.effective_from,
            effective_until=self.effective_until,
            participants=tuple(p.user_id for p in self.participants.all()),
        )


class LayerParticipant(models.Model):
    """A person's turn in a layer version's rotation (``position`` 0 goes first)."""

    version = models.ForeignKey(
        LayerVersion,
        on_delete=models.CASCADE,
        related_name="participants",
        verbose_name=_("layer version"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("person"),
    )
    position = models.PositiveSmallIntegerField(_("position"))

    class Meta:
        db_table = "warroom_layerparticipant"
        ordering = ["version_id", "position"]
        verbose_name = _("layer participant")
        verbose_name_plural = _("layer participants")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "position"],
                name="warroom_layerparticipant_position_unique",
                violation_error_message=_("Two participants cannot share a position."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.position + 1}. {self.user}"


class Override(models.Model):
    """Person X covers a schedule from ``start`` to ``end``, above every layer.

    Cancelling keeps the row: an override cancelled before it starts never counts; one
    cancelled while running ends at the cancellation, so the past stays as it was.
    """

    schedule = models.ForeignKey(
        Schedule, on_delete=models.CASCADE, related_name="overrides", verbose_name=_("schedule")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("person covering"),
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=django_timezone.now, editable=False)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cancelled by"),
    )

    class Meta:
        db_table = "warroom_override"
        ordering = ["schedule_id", "start"]
        verbose_name = _("override")
        verbose_name_plural = _("overrides")
        indexes = [models.Index(fields=["schedule", "end"], name="warroom_override_sched_end")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")),
                name="warroom_override_end_after_start",
                violation_error_message=_("The override must end after it starts."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} covers {self.schedule} {self.start:%Y-%m-%d %H:%M}Z"

    def clean(self) -> None:
        if self.start and self.end and self.end <= self.start:
            raise ValidationError({"end": _("The override must end after it starts.")})

    @property
    def effective_end(self):
        """When it really stops counting: its end, or an earlier cancellation."""
        if self.cancelled_at is not None and self.cancelled_at < self.end:
            return max(self.cancelled_at, self.start)
        return self.end
