"""Notification channels, people's contact methods and the outbox that delivers to them."""

from __future__ import annotations

import re
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.crypto import EncryptedTextField
from apps.core.logging import get_logger
from apps.core.models import TimeStampedModel
from apps.notify import outbound

log = get_logger(__name__)


class Kind(models.TextChoices):
    EMAIL = "email", _("Email")
    WEBHOOK = "webhook", _("Webhook")
    SLACK = "slack", _("Slack")
    TELEGRAM = "telegram", _("Telegram")


TELEGRAM_TOKEN_PATTERN = re.compile(r"^\d{3,20}:[A-Za-z0-9_-]{20,100}$")
# A numeric chat id (negative for groups) or a public @channel name.
TELEGRAM_CHAT_PATTERN = re.compile(r"^(-?\d{1,20}|@[A-Za-z][A-Za-z0-9_]{3,64})$")
_url_validator = URLValidator(schemes=["http", "https"])
DESTINATION_REFUSED = _(
    "OpsPortal does not post to this address: use a public internet address "
    "(private, loopback and link-local addresses are refused)."
)

# Keys a channel's config may hold, per kind. Everything secret lives in ``secret``.
CONFIG_KEYS: dict[str, tuple[str, ...]] = {
    Kind.EMAIL: ("recipients",),
    Kind.WEBHOOK: ("url",),
    Kind.SLACK: (),
    Kind.TELEGRAM: ("chat_id",),
}
ALL_CONFIG_KEYS = frozenset(key for keys in CONFIG_KEYS.values() for key in keys)


def _check_url(value, field: str, errors: dict) -> None:
    try:
        _url_validator(str(value or ""))
    except ValidationError:
        errors[field] = _("Enter a valid http(s) URL.")


def _check_destination(value, field: str, errors: dict) -> None:
    """A URL the server will post to must reach a public address (or an allowed one).

    The same message for every refused destination; the reason goes to the log only.
    """
    if field in errors:
        return
    try:
        outbound.check_destination(str(value or ""))
    except outbound.DestinationRefused as refused:
        log.info("notify.destination_refused", host=refused.host, reason=refused.reason)
        errors[field] = DESTINATION_REFUSED


def _check_email(value, field: str, errors: dict) -> None:
    try:
        validate_email(str(value or ""))
    except ValidationError:
        errors[field] = _("Enter a valid email address.")


def _check_telegram(chat_id, token, chat_field: str, errors: dict) -> None:
    if not TELEGRAM_CHAT_PATTERN.match(str(chat_id or "")):
        errors[chat_field] = _("Enter a numeric chat id or an @channel name.")
    if not TELEGRAM_TOKEN_PATTERN.match(token or ""):
        errors["secret"] = _("Enter the bot token as given by BotFather (digits:letters).")


def _check_secret(kind: str, secret: str, errors: dict) -> None:
    """Rules for the secret shared by channels and contact methods."""
    if kind == Kind.WEBHOOK:
        if len(secret or "") < 16:
            errors["secret"] = _("A webhook needs a signing secret of at least 16 characters.")
    elif kind == Kind.SLACK:
        if not secret:
            errors["secret"] = _("Enter the Slack incoming-webhook URL.")
        else:
            _check_url(secret, "secret", errors)
            if "secret" in errors:
                errors["secret"] = _("Enter the Slack incoming-webhook URL (https://…).")
            _check_destination(secret, "secret", errors)
    elif kind == Kind.EMAIL and secret:
        errors["secret"] = _("Email needs no secret.")


class Channel(TimeStampedModel):
    """A shared destination (a team mailbox, a Slack channel, a webhook receiver, a
    Telegram chat) that the portal posts notifications to.

    ``config`` holds what is not secret (recipients, webhook URL, chat id); ``secret`` holds
    the signing secret, the Slack webhook URL or the bot token, encrypted at rest and never
    shown again once saved.
    """

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    config = models.JSONField(_("configuration"), default=dict, blank=True)
    secret = EncryptedTextField(_("secret"), blank=True, default="")
    enabled = models.BooleanField(_("enabled"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("created by"),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("channel")
        verbose_name_plural = _("channels")
        permissions = [("manage_channel", _("Can create, change and disable channels"))]
        constraints = [
            models.UniqueConstraint(
                fields=["name"],
                name="notify_channel_name_unique",
                violation_error_code="unique",  # reported on the name field
                violation_error_message=_("A channel with this name already exists."),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=Kind.values),
                name="notify_channel_kind_valid",
                violation_error_message=_("Unknown channel kind."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    @property
    def has_secret(self) -> bool:
        return bool(self.secret)

    @property
    def destination(self) -> str:
        """Where messages go, safe to show (never the secret)."""
        config = self.config or {}
        if self.kind == Kind.EMAIL:
            return ", ".join(config.get("recipients") or [])
        if self.kind == Kind.WEBHOOK:
            return str(config.get("url") or "")
        if self.kind == Kind.TELEGRAM:
            return str(config.get("chat_id") or "")
        return ""

    def clean(self) -> None:
        errors: dict = {}
        if self.kind not in Kind.values:
            raise ValidationError({"kind": _("Choose email, webhook, slack or telegram.")})
        config = self.config if isinstance(self.config, dict) else None
        if config is None:
            raise ValidationError({"config": _("The configuration must be a JSON object.")})
        unknown = sorted(set(config) - set(CONFIG_KEYS[self.kind]))
        if unknown:
            errors["config"] = _("Unknown settings for this kind: %(keys)s.") % {
                "keys": ", ".join(unknown)
            }
        if self.kind == Kind.EMAIL:
            recipients = config.get("recipients")
            if not isinstance(recipients, list) or not recipients:
                errors["recipients"] = _("Enter at least one email address.")
            else:
                for address in recipients:
                    _check_email(address, "recipients", errors)
        elif self.kind == Kind.WEBHOOK:
            _check_url(config.get("url"), "url", errors)
            _check_destination(config.get("url"), "url", errors)
        elif self.kind == Kind.TELEGRAM:
            _check_telegram(config.get("chat_id"), self.secret, "chat_id", errors)
        _check_secret(self.kind, self.secret, errors)
        if errors:
            raise ValidationError(errors)


class ContactMethod(models.Model):
    """One way to reach a person: an email address, a Slack incoming webhook, a Telegram
    chat (with the bot token that posts to it) or a personal webhook.

    ``verified_at`` is set when a test message to it was delivered.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="contact_methods",
        verbose_name=_("person"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    target = models.CharField(
        _("target"),
        max_length=500,
        blank=True,
        help_text=_("Email address, Telegram chat id or webhook URL. Empty for Slack."),
    )
    secret = EncryptedTextField(_("secret"), blank=True, default="")
    label = models.CharField(_("label"), max_length=100, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["user_id", "kind", "id"]
        verbose_name = _("contact method")
        verbose_name_plural = _("contact methods")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=Kind.values),
                name="notify_contactmethod_kind_valid",
                violation_error_message=_("Unknown contact method kind."),
            ),
        ]

    def __str__(self) -> str:
        # Audit rows and admin lists use this: name no URL (a webhook URL may carry a token).
        shown = self.target if self.kind in (Kind.EMAIL, Kind.TELEGRAM) else ""
        return f"{self.get_kind_display()}: {self.label or shown or self.user}"

    @property
    def has_secret(self) -> bool:
        return bool(self.secret)

    @property
    def display_target(self) -> str:
        """The target as shown to people; Slack's target is its secret URL, so never shown."""
        return self.target if self.kind != Kind.SLACK else ""

    def clean(self) -> None:
        errors: dict = {}
        if self.kind not in Kind.values:
            raise ValidationError({"kind": _("Choose email, webhook, slack or telegram.")})
        if self.kind == Kind.EMAIL:
            _check_email(self.target, "target", errors)
        elif self.kind == Kind.WEBHOOK:
            _check_url(self.target, "target", errors)
            _check_destination(self.target, "target", errors)
        elif self.kind == Kind.TELEGRAM:
            _check_telegram(self.target, self.secret, "target", errors)
        elif self.kind == Kind.SLACK and self.target:
            errors["target"] = _("Leave empty for Slack; the webhook URL goes in the secret.")
        _check_secret(self.kind, self.secret, errors)
        if errors:
            raise ValidationError(errors)


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    DELIVERED = "delivered", _("Delivered")
    DEAD = "dead", _("Dead letter")


class OutboxMessage(models.Model):
    """A notification waiting for, in, or past delivery to one channel or contact method.

    The row is written in the transaction that decided to notify, so nothing is lost if
    a worker crashes: a worker claims it (``sending`` with a lease), and the sweeper hands
    back any whose lease ran out. Its id is the delivery id receivers de-duplicate on.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    channel = models.ForeignKey(
        Channel,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name=_("channel"),
    )
    contact_method = models.ForeignKey(
        ContactMethod,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name=_("contact method"),
    )
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body"), blank=True)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    event = models.CharField(_("event"), max_length=100, blank=True, db_index=True)
    dedupe_key = models.CharField(_("de-duplication key"), max_length=200, null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=OutboxStatus.choices,
        default=OutboxStatus.PENDING,
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    lease_until = models.DateTimeField(_("lease until"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        permissions = [("view_outbox", _("Can view the notification outbox"))]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notify_outbox_due_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(channel__isnull=False, contact_method__isnull=True)
                    | Q(channel__isnull=True, contact_method__isnull=False)
                ),
                name="notify_outbox_one_destination",
                violation_error_message=_(
                    "A message goes to exactly one channel or one contact method."
                ),
            ),
            models.CheckConstraint(
                condition=Q(status__in=OutboxStatus.values),
                name="notify_outbox_status_valid",
                violation_error_message=_("Unknown outbox status."),
            ),
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=Q(dedupe_key__isnull=False),
                name="notify_outbox_dedupe_key_unique",
                violation_error_message=_("A message with this de-duplication key exists."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.destination_label} [{self.get_status_display()}]"

    @property
    def destination_label(self) -> str:
        if self.channel_id:
            return str(self.channel.name)
        if self.contact_method_id:
            method = self.contact_method
            return f"{method.user} ({method.get_kind_display()})"
        return "-"
