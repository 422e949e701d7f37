"""The audit trail: model changes (django-auditlog), domain events and sensitive reads.

All three tables are append-only and hash-chained: each row stores the hash of its
predecessor and its own hash over its content, so ``manage.py audit_verify`` can prove
nothing was altered or removed.
"""

from __future__ import annotations

from auditlog.models import AbstractLogEntry
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ChainedRecord(models.Model):
    """Fields every hash-chained audit row carries."""

    request_id = models.CharField(_("request id"), max_length=128, blank=True, db_index=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64, editable=False)
    row_hash = models.CharField(_("row hash"), max_length=64, editable=False)

    class Meta:
        abstract = True


class LogEntry(ChainedRecord, AbstractLogEntry):
    """A model change recorded by django-auditlog (create, update, delete, m2m)."""

    class Meta(AbstractLogEntry.Meta):
        verbose_name = _("change record")
        verbose_name_plural = _("change records")
        ordering = ["-timestamp", "-id"]
        permissions = [
            ("view_audit_trail", _("Can view the audit trail")),
            ("export_audit_trail", _("Can export the audit trail")),
        ]

    def __str__(self) -> str:
        return AbstractLogEntry.__str__(self)


class AuditEvent(ChainedRecord):
    """A domain event written by a service in the same transaction as its change."""

    name = models.CharField(_("event"), max_length=100, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_repr = models.CharField(_("actor name"), max_length=150, blank=True)
    target_type = models.CharField(_("target type"), max_length=100, blank=True, db_index=True)
    target_id = models.CharField(_("target id"), max_length=64, blank=True, db_index=True)
    target_repr = models.CharField(_("target"), max_length=300, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    remote_addr = models.GenericIPAddressField(_("remote address"), null=True, blank=True)
    timestamp = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-timestamp", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.name} {self.target_repr}".strip()


class AccessLogEntry(ChainedRecord):
    """A sensitive read: who looked at what, why, under which ticket."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_repr = models.CharField(_("actor name"), max_length=150, blank=True)
    what = models.CharField(_("kind of access"), max_length=50)
    subject_type = models.CharField(_("subject type"), max_length=100, db_index=True)
    subject_id = models.CharField(_("subject id"), max_length=64, db_index=True)
    subject_repr = models.CharField(_("subject"), max_length=300, blank=True)
    reason = models.TextField(_("reason"))
    ticket = models.CharField(_("ticket"), max_length=100, blank=True)
    remote_addr = models.GenericIPAddressField(_("remote address"), null=True, blank=True)
    timestamp = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-timestamp", "-id"]
        verbose_name = _("access record")
        verbose_name_plural = _("access records")

    def __str__(self) -> str:
        return f"{self.what} {self.subject_repr}".strip()


class ChainHead(models.Model):
    """One row per chain: locked while a row is appended, so rows are chained in order."""

    chain = models.CharField(_("chain"), max_length=50, unique=True)
    last_hash = models.CharField(_("last hash"), max_length=64)
    last_id = models.BigIntegerField(_("last row id"), default=0)

    class Meta:
        ordering = ["chain"]
        verbose_name = _("chain head")
        verbose_name_plural = _("chain heads")

    def __str__(self) -> str:
        return self.chain
