"""Shared base models and the stored answers of idempotent API calls."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def _refuse_change(what: str):
    raise RuntimeError(f"These rows are append-only: {what} is not allowed.")


class AppendOnlyQuerySet(models.QuerySet):
    """A queryset that reads and inserts, and refuses every bulk change or removal.

    An app's append-only table (audit rows, flag states, the war-room log) subclasses it
    and sets ``refuse`` to raise its own exception with its own message.
    """

    refuse = staticmethod(_refuse_change)

    def update(self, **kwargs):
        self.refuse("update()")

    update.alters_data = True

    def delete(self):
        self.refuse("delete()")

    delete.alters_data = True
    delete.queryset_only = True

    def bulk_update(self, objs, fields, batch_size=None):
        self.refuse("bulk_update()")

    def update_or_create(self, *args, **kwargs):
        self.refuse("update_or_create()")


class TimeStampedModel(models.Model):
    """Adds creation and last-change times."""

    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class IdempotencyRecord(models.Model):
    """The first answer given to an API call carrying an Idempotency-Key.

    A replay of the same key by the same caller returns this answer; the same key with a
    different request is refused. Rows older than IDEMPOTENCY_KEY_TTL_HOURS are purged.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("owner"),
    )
    key = models.CharField(_("key"), max_length=255)
    method = models.CharField(_("method"), max_length=10)
    path = models.CharField(_("path"), max_length=500)
    request_hash = models.CharField(_("request hash"), max_length=64)
    status_code = models.PositiveSmallIntegerField(_("status code"))
    response_body = models.JSONField(_("response body"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "key"],
                name="core_idempotency_owner_key_unique",
                violation_error_message=_("This Idempotency-Key was already used."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.key}]"


class FormSubmission(models.Model):
    """A one-time form token that a submission has used (see ``apps.core.web.once``).

    A create form carries a random token issued when it was rendered; its first POST
    inserts this row (the token is unique), so a second POST of the same form — a double
    click, a reload after submitting — finds it and creates nothing. ``result_url`` is
    where the first submission led (what it created). Rows older than
    IDEMPOTENCY_KEY_TTL_HOURS are purged with the Idempotency-Key answers.
    """

    token = models.CharField(_("token"), max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    path = models.CharField(_("path"), max_length=500)
    result_url = models.CharField(_("result address"), max_length=500, blank=True, default="")
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("form submission")
        verbose_name_plural = _("form submissions")
        constraints = [
            models.UniqueConstraint(
                fields=["token"],
                name="core_formsubmission_token_unique",
                violation_error_message=_("This form was already submitted."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.path} [{self.token[:8]}…]"
