"""Secret iCal feed URLs, and what each feed has sent so far."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TOKEN_BYTES = 32


class CalendarFeed(models.Model):
    """An iCal feed of one schedule or of one person's shifts, at a secret URL.

    Only the SHA-256 of the token is stored; the URL is shown once. Revoking (or rotating,
    which revokes and makes a new one) makes the old URL answer 404.
    """

    class Kind(models.TextChoices):
        SCHEDULE = "schedule", _("Schedule")
        PERSON = "person", _("Person")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    schedule = models.ForeignKey(
        "oncall.Schedule",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="feeds",
        verbose_name=_("schedule"),
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="warroom_feeds",
        verbose_name=_("owner"),
    )
    token_hash = models.CharField(_("token hash"), max_length=64, editable=False)
    hint = models.CharField(_("hint"), max_length=8, editable=False, blank=True)
    days = models.PositiveSmallIntegerField(_("days ahead"), default=60)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_fetched_at = models.DateTimeField(_("last fetched at"), null=True, blank=True)

    class Meta:
        db_table = "warroom_calendarfeed"
        ordering = ["-created_at"]
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        constraints = [
            models.UniqueConstraint(
                fields=["token_hash"],
                name="warroom_feed_token_hash_unique",
                violation_error_message=_("Feed tokens are unique."),
            ),
            models.CheckConstraint(
                condition=(Q(kind="schedule", schedule__isnull=False, person__isnull=True))
                | Q(kind="person", person__isnull=False, schedule__isnull=True),
                name="warroom_feed_kind_target",
                violation_error_message=_("A feed is of one schedule or of one person."),
            ),
            models.CheckConstraint(
                condition=Q(days__gte=1, days__lte=366),
                name="warroom_feed_days_range",
                violation_error_message=_("A feed covers 1 to 366 days ahead."),
            ),
        ]

    def __str__(self) -> str:
        target = self.schedule if self.kind == self.Kind.SCHEDULE else self.person
        return f"{self.get_kind_display()} feed: {target} ({self.hint}…)"

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @staticmethod
    def generate_token() -> str:
        return secrets.token_urlsafe(TOKEN_BYTES)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class FeedEmittedShift(models.Model):
    """A shift a feed has sent, so one that later disappears is sent as CANCELLED."""

    feed = models.ForeignKey(
        CalendarFeed, on_delete=models.CASCADE, related_name="emitted", verbose_name=_("feed")
    )
    uid = models.CharField(_("UID"), max_length=200)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("person"),
    )
    schedule = models.ForeignKey(
        "oncall.Schedule",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("schedule"),
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    sequence = models.PositiveIntegerField(_("sequence"), default=0)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    first_sent_at = models.DateTimeField(_("first sent at"), default=timezone.now)

    class Meta:
        db_table = "warroom_feedemittedshift"
        ordering = ["feed_id", "start"]
        verbose_name = _("emitted shift")
        verbose_name_plural = _("emitted shifts")
        constraints = [
            models.UniqueConstraint(
                fields=["feed", "uid"],
                name="warroom_feedshift_uid_unique",
                violation_error_message=_("This feed already sent this shift."),
            )
        ]

    def __str__(self) -> str:
        return self.uid
