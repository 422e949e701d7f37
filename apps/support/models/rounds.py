"""Fundraising rounds of the platform (a read model fed by ingestion)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.support.models.choices import RoundResult, RoundStatus

AMOUNT_DIGITS = 78  # a uint256 in minor units has at most 78 decimal digits


def amount_field(verbose_name, **kwargs):
    """An amount in integer minor units of its asset (never a float)."""
    return models.DecimalField(verbose_name, max_digits=AMOUNT_DIGITS, decimal_places=0, **kwargs)


class Round(models.Model):
    """One fundraising round: its project, state, result and totals (minor units)."""

    round_id = models.PositiveBigIntegerField(_("round id"), unique=True)
    project_ref = models.CharField(_("project id"), max_length=100, blank=True)
    project_name = models.CharField(_("project"), max_length=200, blank=True)
    network = models.CharField(_("network"), max_length=50)
    asset = models.CharField(_("asset"), max_length=20, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=RoundStatus.choices)
    result = models.CharField(
        _("result"), max_length=20, choices=RoundResult.choices, default=RoundResult.PENDING
    )
    soft_cap = amount_field(_("soft cap"), null=True, blank=True)
    hard_cap = amount_field(_("hard cap"), null=True, blank=True)
    total_raised = amount_field(_("total raised"), default=0)
    contributor_count = models.PositiveIntegerField(_("contributors"), default=0)
    starts_at = models.DateTimeField(_("starts"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    ingested_at = models.DateTimeField(_("last changed by ingestion"), default=timezone.now)

    class Meta:
        ordering = ["round_id"]
        verbose_name = _("round")
        verbose_name_plural = _("rounds")

    def __str__(self) -> str:
        return f"#{self.round_id} {self.project_name}".strip()
