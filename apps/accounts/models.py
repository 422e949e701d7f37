"""People, service accounts, API tokens and MFA backup codes."""

from __future__ import annotations

import hashlib
import ipaddress
import secrets
import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device

from apps.accounts.scopes import SCOPES
from apps.core.models import AppendOnlyQuerySet


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("'%(value)s' is not a known time zone."), params={"value": value})


class User(AbstractUser):
    """A person using the portal, or a service account calling the API with tokens.

    Service accounts cannot log in with a password and hold no roles; what they may do
    comes from their tokens' scopes.
    """

    timezone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_timezone]
    )
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    is_service_account = models.BooleanField(
        _("service account"),
        default=False,
        help_text=_("Calls the API with tokens; cannot log in to the portal."),
    )
    description = models.CharField(_("description"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        editable=False,
        verbose_name=_("created by"),
        help_text=_(
            "Service accounts: the person who created the account. Nobody behind a service "
            "account may approve what it files."
        ),
    )

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        permissions = [
            ("assign_role", _("Can grant and remove roles")),
            ("reset_mfa", _("Can reset another person's MFA")),
            ("manage_service_accounts", _("Can create service accounts and API tokens")),
        ]

    def __str__(self) -> str:
        return self.username


def _default_token_expiry():
    return timezone.now() + timezone.timedelta(days=90)


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ApiToken(models.Model):
    """A service account's API token. Only its SHA-256 is stored; the plaintext is shown once.

    The plaintext looks like ``ops_<prefix>_<secret>``; the prefix finds the row, the
    hash of the whole token proves it.
    """

    TOKEN_PREFIX = "ops"

    service_account = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="api_tokens",
        limit_choices_to={"is_service_account": True},
        verbose_name=_("service account"),
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True, editable=False)
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    scopes = models.JSONField(_("scopes"), default=list)
    allowed_ips = models.JSONField(
        _("allowed IP networks"),
        default=list,
        blank=True,
        help_text=_("Empty: any address. Otherwise addresses or CIDR networks."),
    )
    expires_at = models.DateTimeField(_("expires at"), default=_default_token_expiry)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        editable=False,
        verbose_name=_("created by"),
    )
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)
    last_used_ip = models.GenericIPAddressField(_("last used from"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        editable=False,
        verbose_name=_("revoked by"),
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    # --- the secret -----------------------------------------------------------------
    @staticmethod
    def hash_token(plaintext: str) -> str:
        return hashlib.sha256(plaintext.encode()).hexdigest()

    @classmethod
    def generate(cls) -> tuple[str, str, str]:
        """Return (plaintext, prefix, hash) for a new token."""
        prefix = secrets.token_hex(6)
        plaintext = f"{cls.TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
        return plaintext, prefix, cls.hash_token(plaintext)

    @staticmethod
    def prefix_of(plaintext: str) -> str | None:
        parts = plaintext.split("_", 2)
        if len(parts) != 3 or parts[0] != ApiToken.TOKEN_PREFIX or not parts[1]:
            return None
        return parts[1]

    # --- checks ---------------------------------------------------------------------
    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])

    def allows_ip(self, address: str | None) -> bool:
        if not self.allowed_ips:
            return True
        if not address:
            return False
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in ipaddress.ip_network(net, strict=False) for net in self.allowed_ips)

    def clean(self) -> None:
        errors = {}
        unknown = [s for s in self.scopes or [] if s not in SCOPES]
        if unknown:
            errors["scopes"] = _("Unknown scopes: %(scopes)s.") % {"scopes": ", ".join(unknown)}
        elif not self.scopes:
            errors["scopes"] = _("Choose at least one scope.")
        bad_ips = []
        for net in self.allowed_ips or []:
            try:
                ipaddress.ip_network(str(net), strict=False)
            except ValueError:
                bad_ips.append(str(net))
        if bad_ips:
            errors["allowed_ips"] = _("Not an address or network: %(ips)s.") % {
                "ips": ", ".join(bad_ips)
            }
        # Only a new token must expire in the future: revoking an expired one stays valid.
        if self._state.adding and self.expires_at and self.expires_at <= timezone.now():
            errors["expires_at"] = _("The expiry must be in the future.")
        if self.service_account_id and not self.service_account.is_service_account:
            errors["service_account"] = _("Tokens belong to service accounts only.")
        if errors:
            raise ValidationError(errors)


class ApiTokenScopeChange(models.Model):
    """One change of a token's scopes: who made it, when, from what to what, and why.

    Rows are inserted by ``apps.accounts.services.tokens.token_scopes_change`` and never
    changed. Together with the token's and the account's ``created_by`` they name the
    people behind a service account's token: none of them may decide a change request the
    token files (``apps.approvals.behind``).
    """

    token = models.ForeignKey(
        ApiToken,
        on_delete=models.PROTECT,
        related_name="scope_changes",
        verbose_name=_("token"),
    )
    changed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("changed by")
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now, db_index=True)
    scopes_before = models.JSONField(_("scopes before"), default=list)
    scopes_after = models.JSONField(_("scopes after"), default=list)
    reason = models.TextField(_("reason"))

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("token scope change")
        verbose_name_plural = _("token scope changes")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(reason=""),
                name="accounts_tokenscopechange_reason_required",
                violation_error_message=_("A reason is required."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.token_id}: {self.scopes_before} -> {self.scopes_after}"


# --- MFA backup codes -------------------------------------------------------------------
# django-otp's static plugin keeps its codes in plaintext; these keep only salted hashes.

BACKUP_CODE_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"  # no 0/o, 1/l/i look-alikes
BACKUP_CODE_LENGTH = 12  # about 59 bits of entropy per code
BACKUP_CODE_HASH_ITERATIONS = 20_000


def normalize_backup_code(value: str) -> str:
    """The canonical form of a typed backup code: lower case, no spaces or dashes."""
    return "".join(ch for ch in str(value).lower() if ch not in " -\t")


def format_backup_code(code: str) -> str:
    """Show a code in groups of four (``abcd-efgh-jkmn``) so it is easy to copy by hand."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def hash_backup_code(code: str, *, salt: str | None = None) -> str:
    """A salted PBKDF2-SHA256 hash of a normalized backup code, as ``iterations$salt$hex``."""
    salt = salt or secrets.token_hex(8)
    digest = hashlib.pbkdf2_hmac(
        "sha256", code.encode(), salt.encode(), BACKUP_CODE_HASH_ITERATIONS
    ).hex()
    return f"{BACKUP_CODE_HASH_ITERATIONS}${salt}${digest}"


class BackupCodeDevice(Device):
    """A person's single-use backup codes, as one django-otp device.

    Verifying a code marks it used; a used code never verifies again. Only salted hashes
    are stored: the plaintext codes are shown once, when they are generated.
    """

    class Meta(Device.Meta):
        ordering = ["user_id", "id"]
        verbose_name = _("backup code set")
        verbose_name_plural = _("backup code sets")
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                name="accounts_backup_device_one_per_user",
                violation_error_message=_("A person has one set of backup codes."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.user_id})"

    def remaining(self) -> int:
        return self.codes.filter(used_at__isnull=True).count()

    def verify_token(self, token) -> bool:
        code = normalize_backup_code(token or "")
        if len(code) != BACKUP_CODE_LENGTH or any(c not in BACKUP_CODE_ALPHABET for c in code):
            return False
        for row in self.codes.filter(used_at__isnull=True):
            if row.matches(code):
                # The conditional update makes two racing uses of one code succeed once.
                used = BackupCode.objects.filter(pk=row.pk, used_at__isnull=True).update(
                    used_at=timezone.now()
                )
                return used == 1
        return False


class BackupCode(models.Model):
    """One backup code of a set: its salted hash and when it was used (null: unused)."""

    device = models.ForeignKey(
        BackupCodeDevice,
        on_delete=models.CASCADE,
        related_name="codes",
        verbose_name=_("backup code set"),
    )
    code_hash = models.CharField(_("code hash"), max_length=128, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["device_id", "id"]
        verbose_name = _("backup code")
        verbose_name_plural = _("backup codes")
        constraints = [
            models.UniqueConstraint(
                fields=["device", "code_hash"],
                name="accounts_backup_code_unique_in_set",
                violation_error_message=_("This backup code already exists in the set."),
            )
        ]

    def __str__(self) -> str:
        return f"backup code #{self.pk} ({'used' if self.used_at else 'unused'})"

    def matches(self, normalized_code: str) -> bool:
        try:
            _iterations, salt, _digest = self.code_hash.split("$", 2)
        except ValueError:
            return False
        return constant_time_compare(self.code_hash, hash_backup_code(normalized_code, salt=salt))


class LoginLockout(models.Model):
    """One account locked at one client address after too many failed logins.

    django-axes counts the failures per (username, address) and decides while a lock
    lasts (LOCKOUT_SECONDS after the last failure); this row remembers when the lock
    began and, if a super admin lifted it early, who did and why. The owner at any other
    address is never locked by it.
    """

    username = models.CharField(_("username"), max_length=150)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    locked_at = models.DateTimeField(_("locked at"), default=timezone.now)
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("lifted by"),
    )
    lift_reason = models.CharField(_("reason for lifting"), max_length=300, blank=True)

    class Meta:
        ordering = ["-locked_at", "-id"]
        verbose_name = _("login lockout")
        verbose_name_plural = _("login lockouts")
        permissions = [("lift_loginlockout", _("Can lift a login lockout"))]
        indexes = [
            models.Index(fields=["username", "ip_address"], name="accounts_lockout_who_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(lifted_at__isnull=True, lifted_by__isnull=True)
                | models.Q(lifted_at__isnull=False),
                name="accounts_lockout_lifted_by_needs_lifted_at",
                violation_error_message=_("A lockout lifted by someone needs the time it was."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.username} @ {self.ip_address or '?'} ({self.locked_at:%Y-%m-%d %H:%M})"
