"""Evidence kept with an incident: uploaded files and JSON snapshots of rows."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.models import AppendOnlyQuerySet


class EvidenceImmutable(Exception):
    """Raised when code tries to change or remove attached evidence."""


def _refuse(what: str):
    raise EvidenceImmutable(
        _("Evidence is immutable once attached: %(what)s is not allowed.") % {"what": what}
    )


class EvidenceQuerySet(AppendOnlyQuerySet):
    refuse = staticmethod(_refuse)


class EvidenceManager(models.Manager.from_queryset(EvidenceQuerySet)):
    pass


class EvidenceKind(models.TextChoices):
    FILE = "file", _("File")
    SNAPSHOT = "snapshot", _("Snapshot of rows")


class Evidence(models.Model):
    """A file or a snapshot of rows attached to an incident, never changed once attached.

    The bytes live in the "evidence" storage (``settings.STORAGES``) under ``storage_key``,
    a random name never taken from the uploaded file's name; ``sha256`` and ``size`` are
    of those bytes and every download checks them. ``source`` names the rows of a snapshot
    (``{"accounts.user": ["3", "7"]}``). The model, its queryset, the admin and the API
    refuse changes and removal; on PostgreSQL a trigger refuses them too.
    """

    incident = models.ForeignKey(
        "incidents.Incident",
        on_delete=models.PROTECT,
        related_name="evidence",
        verbose_name=_("incident"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=EvidenceKind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    storage_key = models.CharField(_("storage key"), max_length=255, unique=True, editable=False)
    original_filename = models.CharField(_("original file name"), max_length=255, blank=True)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    source = models.JSONField(_("snapshot of"), default=dict, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("added by"),
    )
    added_at = models.DateTimeField(_("added at"), default=timezone.now, db_index=True)

    objects = EvidenceManager()

    class Meta:
        ordering = ["-added_at", "-id"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["file", "snapshot"]),
                name="incidents_evidence_kind_valid",
                violation_error_message=_("Unknown kind of evidence."),
            ),
            models.CheckConstraint(
                condition=Q(sha256__regex=r"^[0-9a-f]{64}$"),
                name="incidents_evidence_sha256_hex",
                violation_error_message=_("The SHA-256 is 64 lowercase hexadecimal digits."),
            ),
        ]
        indexes = [
            models.Index(fields=["incident", "-added_at", "-id"], name="incidents_evidence_idx")
        ]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.kind} {self.title}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            _refuse("save() of attached evidence")
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        _refuse("delete()")
