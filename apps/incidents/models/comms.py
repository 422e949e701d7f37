"""Status updates: what was told to whom about an incident, and the templates they start from."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.models import AppendOnlyQuerySet


class Audience(models.TextChoices):
    INTERNAL = "internal", _("Internal (staff)")
    PARTNERS = "partners", _("Partners")
    PUBLIC = "public", _("Public")


# Audiences outside the team: nothing internal-only may reach them.
EXTERNAL_AUDIENCES: tuple[str, ...] = (Audience.PARTNERS, Audience.PUBLIC)


class UpdateLanguage(models.TextChoices):
    EN = "en", _("English")
    RU = "ru", _("Russian")
    ID = "id", _("Indonesian")


class StatusTemplate(models.Model):
    """The text a status update starts from, per kind (``key``), audience and language.

    ``subject`` and ``body`` may hold placeholders from the closed set documented in
    ``apps.incidents.services.comms_render.PLACEHOLDERS`` (``{number}``, ``{title}``,
    ``{status}``, …); anything else is refused when the template is saved. Templates for
    partners and the public may not use the internal placeholders. Super admins and
    incident commanders edit them; a template that was used is kept (deactivate it).
    """

    key = models.SlugField(
        _("kind"),
        max_length=50,
        help_text=_("e.g. first_notice, update, resolved, webhooks_degraded."),
    )
    name = models.CharField(_("name"), max_length=100)
    audience = models.CharField(_("audience"), max_length=20, choices=Audience.choices)
    language = models.CharField(_("language"), max_length=5, choices=UpdateLanguage.choices)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    is_active = models.BooleanField(_("active"), default=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    updated_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        ordering = ["key", "audience", "language"]
        verbose_name = _("status update template")
        verbose_name_plural = _("status update templates")
        constraints = [
            models.UniqueConstraint(
                fields=["key", "audience", "language"],
                name="incidents_statustemplate_unique",
                violation_error_message=_(
                    "There is already a template of this kind for this audience and language."
                ),
            ),
            models.CheckConstraint(
                condition=Q(audience__in=[value for value, _label in Audience.choices]),
                name="incidents_statustemplate_audience_valid",
                violation_error_message=_("Unknown audience."),
            ),
            models.CheckConstraint(
                condition=Q(language__in=[value for value, _label in UpdateLanguage.choices]),
                name="incidents_statustemplate_language_valid",
                violation_error_message=_("Unknown language."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.audience}, {self.language})"


class StatusUpdateImmutable(Exception):
    """Raised when code tries to change or remove a status update that was sent."""


def _refuse(what: str):
    raise StatusUpdateImmutable(
        _("Status updates are kept as sent: %(what)s is not allowed.") % {"what": what}
    )


class StatusUpdateQuerySet(AppendOnlyQuerySet):
    refuse = staticmethod(_refuse)


class StatusUpdateManager(models.Manager.from_queryset(StatusUpdateQuerySet)):
    pass


class StatusUpdate(models.Model):
    """One status update as it was sent: never changed or removed.

    ``subject`` and ``body`` are the rendered text (placeholders filled), ``channels`` the
    names of the notify channels it went to (empty: recorded on the incident only, e.g. a
    status page posted by hand), ``next_update_due_at`` when the next one is owed (empty
    when none is: the incident was resolved).
    """

    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.PROTECT, related_name="status_updates"
    )
    audience = models.CharField(_("audience"), max_length=20, choices=Audience.choices)
    language = models.CharField(_("language"), max_length=5, choices=UpdateLanguage.choices)
    template = models.ForeignKey(
        StatusTemplate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="updates",
        verbose_name=_("template"),
    )
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("text"))
    channels = models.JSONField(_("channels"), default=list, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("sent by"),
    )
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now, db_index=True)
    next_update_due_at = models.DateTimeField(_("next update due"), null=True, blank=True)

    objects = StatusUpdateManager()

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("status update")
        verbose_name_plural = _("status updates")
        constraints = [
            models.CheckConstraint(
                condition=Q(audience__in=[value for value, _label in Audience.choices]),
                name="incidents_statusupdate_audience_valid",
                violation_error_message=_("Unknown audience."),
            ),
            models.CheckConstraint(
                condition=Q(language__in=[value for value, _label in UpdateLanguage.choices]),
                name="incidents_statusupdate_language_valid",
                violation_error_message=_("Unknown language."),
            ),
        ]
        indexes = [models.Index(fields=["incident", "-sent_at"], name="incidents_update_order_idx")]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.audience} {self.sent_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            _refuse("save() of a sent update")
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        _refuse("delete()")


class UpdateReminder(models.Model):
    """A reminder sent to the communications lead that an update is late.

    One row per (incident, due time, repeat): the reminder task inserts it before telling
    anyone, so a second run of the task for the same late update sends nothing; ``repeat``
    counts the reminders for one due time (0 at the due time, then one each
    ``INCIDENT_UPDATE_REMINDER_REPEAT_MINUTES``).
    """

    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.CASCADE, related_name="update_reminders"
    )
    due_at = models.DateTimeField(_("update was due"))
    repeat = models.PositiveIntegerField(_("repeat"), default=0)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reminded"),
    )
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        ordering = ["incident", "due_at", "repeat"]
        verbose_name = _("late update reminder")
        verbose_name_plural = _("late update reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "due_at", "repeat"],
                name="incidents_update_reminder_once",
                violation_error_message=_("This reminder was already sent."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.incident_id} due {self.due_at:%Y-%m-%d %H:%M} #{self.repeat}"
