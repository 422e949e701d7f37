"""Canned replies: the answers support sends, per case and language, and their use."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.support.models.choices import Language
from apps.support.models.customers import Customer


class CannedReply(models.Model):
    """One reply text for one outcome (``key``, e.g. ``refund_failed.no_primary_wallet``)
    in one language, with ``{placeholders}`` filled from the customer, the transaction and
    the diagnostic (see ``apps.support.replies``). Support leads edit them; every change
    is in the audit trail.
    """

    key = models.CharField(_("key"), max_length=100)
    language = models.CharField(_("language"), max_length=5, choices=Language.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        ordering = ["key", "language"]
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")
        constraints = [
            models.UniqueConstraint(
                fields=["key", "language"],
                name="support_cannedreply_key_language_unique",
                violation_error_message=_("This reply already exists in this language."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} [{self.language}]"

    @property
    def case(self) -> str:
        return self.key.split(".", 1)[0]


class ReplyUsage(models.Model):
    """One use of a canned reply (copied to send): who, for which customer, when."""

    reply = models.ForeignKey(
        CannedReply, on_delete=models.CASCADE, related_name="uses", verbose_name=_("reply")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("used by"),
    )
    customer = models.ForeignKey(
        Customer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("customer"),
    )
    used_at = models.DateTimeField(_("used at"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-used_at", "-id"]
        verbose_name = _("reply use")
        verbose_name_plural = _("reply uses")

    def __str__(self) -> str:
        return f"{self.reply} {self.used_at:%Y-%m-%d %H:%M}"
