"""The audit trail: model changes (django-auditlog), domain events and sensitive reads.

All three tables are append-only and hash-chained: each row stores the hash of its
predecessor and its own hash over its content, so ``manage.py audit_verify`` can prove
nothing was altered or removed. How the hash is computed is described in
``apps.audit.chain``.

Append-only is enforced three times over: the model refuses to save an existing row or
to delete one, the querysets refuse ``update()``/``delete()``/bulk writes, and on
PostgreSQL triggers refuse UPDATE, DELETE and TRUNCATE on the tables, refuse a row that
does not link to its chain head, and let a chain head move only forward (migration
"tail_proof_triggers"; see ``apps.audit.chain``).

People who acted are deactivated, never deleted: every audit row's actor is a PROTECT
foreign key, so deleting a user who appears in the trail is refused.
"""

from __future__ import annotations

from typing import ClassVar

from auditlog.models import AbstractLogEntry, LogEntryManager
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.audit import chain
from apps.core import context
from apps.core.models import AppendOnlyQuerySet as CoreAppendOnlyQuerySet


class AuditRecordImmutable(Exception):
    """Raised when code tries to change or remove an audit row."""


def _refuse(what: str):
    raise AuditRecordImmutable(
        f"Audit rows are append-only: {what} is not allowed on the audit trail."
    )


class AppendOnlyQuerySet(CoreAppendOnlyQuerySet):
    """Audit rows: no bulk change or removal, and no bulk insert either."""

    refuse = staticmethod(_refuse)

    def bulk_create(self, objs, *args, **kwargs):
        # Rows are chained one by one under the chain lock; a bulk insert would skip that.
        _refuse("bulk_create()")


class AppendOnlyManager(models.Manager.from_queryset(AppendOnlyQuerySet)):
    pass


class ChainedLogEntryManager(LogEntryManager.from_queryset(AppendOnlyQuerySet)):
    """auditlog's manager (log_create, log_m2m_changes, …) over an append-only queryset.

    auditlog writes through ``self.create(...)``, which calls ``LogEntry.save``, where the
    row is chained.
    """


class ChainedRecord(models.Model):
    """Fields and behaviour every hash-chained audit row shares.

    Subclasses name their chain (``CHAIN``) and the columns the row hash covers
    (``HASHED_FIELDS``, attnames; see ``apps.audit.chain``).
    """

    CHAIN: ClassVar[str]
    HASHED_FIELDS: ClassVar[tuple[str, ...]]

    request_id = models.CharField(_("request id"), max_length=128, blank=True, db_index=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64, editable=False)
    key_id = models.CharField(
        _("chain key id"), max_length=chain.KEY_ID_LENGTH, blank=True, editable=False
    )
    row_hash = models.CharField(_("row hash"), max_length=64, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            _refuse("changing a stored row")
        self.fill_from_context()
        kwargs["force_insert"] = True
        parent_save = super().save
        chain.append(self, lambda: parent_save(*args, **kwargs), using=kwargs.get("using"))

    save.alters_data = True

    def delete(self, *args, **kwargs):
        _refuse("deleting a row")

    delete.alters_data = True

    def fill_from_context(self) -> None:
        """Take request id, remote address and actor from the current request or task."""
        if not self.request_id:
            self.request_id = context.get_request_id() or ""
        if self.remote_addr is None:
            self.remote_addr = context.get_remote_addr()
        if self.actor_id is None:
            actor = context.get_actor()
            if actor is not None:
                self.actor_id = actor.pk
                self.set_actor_text(actor)

    def set_actor_text(self, actor) -> None:
        self.actor_repr = str(actor)[:150]


class LogEntry(ChainedRecord, AbstractLogEntry):
    """A model change recorded by django-auditlog (create, update, delete, m2m)."""

    CHAIN = "changes"
    HASHED_FIELDS = (
        "content_type_id",
        "object_pk",
        "object_id",
        "object_repr",
        "serialized_data",
        "action",
        "changes_text",
        "changes",
        "actor_id",
        "actor_email",
        "cid",
        "request_id",
        "remote_addr",
        "remote_port",
        "timestamp",
        "additional_data",
    )

    # auditlog's defaults are CASCADE and SET_NULL; either would rewrite or remove audit
    # rows. PROTECT refuses to delete a content type or a person with history instead.
    content_type = models.ForeignKey(
        to="contenttypes.ContentType",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("content type"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        blank=True,
        null=True,
        related_name="+",
        verbose_name=_("actor"),
    )

    objects = ChainedLogEntryManager()

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

    def fill_from_context(self) -> None:
        if not self.cid:
            self.cid = context.get_request_id()
        super().fill_from_context()

    def set_actor_text(self, actor) -> None:
        self.actor_email = getattr(actor, "email", None) or None


class AuditEvent(ChainedRecord):
    """A domain event written by a service in the same transaction as its change."""

    CHAIN = "events"
    HASHED_FIELDS = (
        "name",
        "actor_id",
        "actor_repr",
        "target_type",
        "target_id",
        "target_repr",
        "data",
        "request_id",
        "remote_addr",
        "timestamp",
    )

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

    objects = AppendOnlyManager()

    class Meta:
        ordering = ["-timestamp", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.name} {self.target_repr}".strip()


class AccessLogEntry(ChainedRecord):
    """A sensitive read: who looked at what, why, under which ticket."""

    CHAIN = "access"
    HASHED_FIELDS = (
        "actor_id",
        "actor_repr",
        "what",
        "subject_type",
        "subject_id",
        "subject_repr",
        "reason",
        "ticket",
        "request_id",
        "remote_addr",
        "timestamp",
    )

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

    objects = AppendOnlyManager()

    class Meta:
        ordering = ["-timestamp", "-id"]
        verbose_name = _("access record")
        verbose_name_plural = _("access records")

    def __str__(self) -> str:
        return f"{self.what} {self.subject_repr}".strip()


class ChainHead(models.Model):
    """One row per chain: locked while a row is appended, so rows are chained in order.

    ``last_hash``/``last_id`` name the newest row of the chain; ``audit_verify`` checks
    that the chain really ends there, so removing rows from the end is detected too. On
    PostgreSQL a trigger lets the head move only forward, to the newest row, and refuses
    its deletion; anchors of it kept outside the database prove it was not rewound.
    """

    chain = models.CharField(_("chain"), max_length=50, unique=True)
    last_hash = models.CharField(_("last hash"), max_length=64)
    last_id = models.BigIntegerField(_("last row id"), default=0)

    class Meta:
        ordering = ["chain"]
        verbose_name = _("chain head")
        verbose_name_plural = _("chain heads")

    def __str__(self) -> str:
        return self.chain


CHAINED_MODELS: dict[str, type[ChainedRecord]] = {
    LogEntry.CHAIN: LogEntry,
    AuditEvent.CHAIN: AuditEvent,
    AccessLogEntry.CHAIN: AccessLogEntry,
}
