"""Kill switches and gates: flags, their append-only states and scheduled changes.

A flag guards one action of the platform (``contribute``, ``claim``, ``payout`` …). Its
state is never a column that changes: every change is a new ``FlagState`` row, and the
current state of a (flag, scope) is the latest row effective now. Nothing here is
updated or deleted except the workflow status of a ``ScheduledFlagChange``; history is
the list of rows (see DESIGN.md "Kill switches and gates").
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.models import AppendOnlyQuerySet
from apps.flags.scopes import ScopeKind  # noqa: F401  (part of the models' surface)


class FlagKind(models.TextChoices):
    KILL_SWITCH = "kill_switch", _("Kill switch")
    GATE = "gate", _("Gate")


class StateValue(models.TextChoices):
    BLOCKED = "blocked", _("Blocked")
    ALLOWED = "allowed", _("Allowed")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class StateSource(models.TextChoices):
    PORTAL = "portal", _("Portal")
    API = "api", _("API")
    ADMIN = "admin", _("Admin")
    SCHEDULE = "schedule", _("Schedule")
    APPROVAL = "approval", _("Approval")


#: The states each kind accepts, and which of them is the safe direction.
KIND_STATES: dict[str, tuple[str, str]] = {
    FlagKind.KILL_SWITCH: (StateValue.BLOCKED, StateValue.ALLOWED),
    FlagKind.GATE: (StateValue.CLOSED, StateValue.OPEN),
}
SAFE_STATES = frozenset({StateValue.BLOCKED, StateValue.CLOSED})
#: What a flag of each kind is when no state row matches.
DEFAULT_STATE: dict[str, str] = {
    FlagKind.KILL_SWITCH: StateValue.ALLOWED,
    FlagKind.GATE: StateValue.CLOSED,
}


class FlagStateImmutable(Exception):
    """Raised when code tries to change or remove a flag state row."""


def _refuse(what: str):
    raise FlagStateImmutable(
        f"Flag states are append-only: {what} is not allowed; insert a new state instead."
    )


class Flag(models.Model):
    """One action of the platform that operators can stop (kill switch) or open (gate).

    A kill switch is allowed unless a matching state blocks it; a gate is closed unless a
    matching state opens it. ``scopes`` lists the scope kinds a state of this flag may
    name (``global`` is always accepted). ``fund_related`` flags move money: turning them
    back on (the risky direction) needs a second person.
    """

    key = models.CharField(
        _("key"),
        max_length=100,
        help_text=_("Lower-case name services use, e.g. contribute or round.approve."),
    )
    description = models.TextField(_("description"))
    kind = models.CharField(_("kind"), max_length=20, choices=FlagKind.choices)
    fund_related = models.BooleanField(_("fund-related"), default=False)
    scopes = models.JSONField(
        _("accepted scopes"),
        default=list,
        blank=True,
        help_text=_("Scope kinds a state may name besides global."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        ordering = ["key"]
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
        permissions = [
            ("block_flag", _("Can block a kill switch or close a gate (the safe direction)")),
            ("unblock_flag", _("Can unblock or open a flag (requests it for fund flags)")),
            ("set_user_scope", _("Can set user-scoped flag states (freeze, block posting)")),
            ("schedule_change", _("Can schedule flag changes")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["key"],
                name="flags_flag_key_unique",
                violation_error_message=_("A flag with this key already exists."),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=FlagKind.values),
                name="flags_flag_kind_valid",
                violation_error_message=_("Unknown flag kind."),
            ),
        ]

    def __str__(self) -> str:
        return self.key

    @property
    def accepted_scopes(self) -> list[str]:
        """Every scope kind a state of this flag may name, global first."""
        return [ScopeKind.GLOBAL, *[s for s in (self.scopes or []) if s != ScopeKind.GLOBAL]]

    def accepts_scope(self, scope_kind: str) -> bool:
        return scope_kind == ScopeKind.GLOBAL or scope_kind in (self.scopes or [])

    @property
    def safe_state(self) -> str:
        return KIND_STATES[self.kind][0]

    @property
    def risky_state(self) -> str:
        return KIND_STATES[self.kind][1]

    @property
    def default_state(self) -> str:
        return DEFAULT_STATE[self.kind]


class FlagStateQuerySet(AppendOnlyQuerySet):
    """Reads and inserts; refuses every bulk change or removal."""

    refuse = staticmethod(_refuse)

    def effective(self, now=None):
        """Rows in force at ``now`` (``effective_from <= now < until``)."""
        now = now or timezone.now()
        return self.filter(effective_from__lte=now).filter(Q(until__isnull=True) | Q(until__gt=now))

    def not_ended(self, now=None):
        """Rows in force now or later (what an evaluation snapshot needs)."""
        now = now or timezone.now()
        return self.filter(Q(until__isnull=True) | Q(until__gt=now))


class FlagStateManager(models.Manager.from_queryset(FlagStateQuerySet)):
    pass


class FlagState(models.Model):
    """One state of a flag for one scope, as somebody set it: never changed, never removed.

    The current state of a (flag, scope) at time T is the latest row (by
    ``effective_from``, then id) with ``effective_from <= T`` and no ``until`` or
    ``until > T``; when a temporary row ends, the row before it is in force again. A
    state blocks new actions only: nothing historical is rewritten.
    """

    flag = models.ForeignKey(
        Flag, on_delete=models.PROTECT, related_name="states", verbose_name=_("flag")
    )
    scope_kind = models.CharField(
        _("scope"), max_length=20, choices=ScopeKind.choices, default=ScopeKind.GLOBAL
    )
    scope_value = models.CharField(_("scope value"), max_length=150, blank=True, default="")
    state = models.CharField(_("state"), max_length=10, choices=StateValue.choices)
    reason = models.TextField(_("reason"))
    incident_ref = models.CharField(_("incident"), max_length=64, blank=True, default="")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("set by"),
    )
    source = models.CharField(
        _("source"), max_length=10, choices=StateSource.choices, default=StateSource.PORTAL
    )
    change_request = models.ForeignKey(
        "approvals.ChangeRequest",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("change request"),
    )
    effective_from = models.DateTimeField(_("effective from"), default=timezone.now)
    until = models.DateTimeField(_("until"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    objects = FlagStateManager()

    class Meta:
        ordering = ["-effective_from", "-id"]
        verbose_name = _("flag state")
        verbose_name_plural = _("flag states")
        indexes = [
            models.Index(
                fields=["flag", "scope_kind", "scope_value", "effective_from"],
                name="flags_state_scope_idx",
            ),
            models.Index(fields=["until"], name="flags_state_until_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="flags_flagstate_reason_required",
                violation_error_message=_("A reason is required."),
            ),
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gt=F("effective_from")),
                name="flags_flagstate_until_after_start",
                violation_error_message=_("The end must be after the start."),
            ),
            models.CheckConstraint(
                condition=(Q(scope_kind="global") & Q(scope_value=""))
                | (~Q(scope_kind="global") & ~Q(scope_value="")),
                name="flags_flagstate_scope_value_matches_kind",
                violation_error_message=_(
                    "A global state has no scope value; every other scope needs one."
                ),
            ),
            models.CheckConstraint(
                condition=Q(state__in=StateValue.values),
                name="flags_flagstate_state_valid",
                violation_error_message=_("Unknown state."),
            ),
        ]

    def __str__(self) -> str:
        scope = self.scope_kind if not self.scope_value else f"{self.scope_kind}={self.scope_value}"
        return f"{self.flag_id and self.flag.key} [{scope}] {self.state}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            _refuse("changing a stored state")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    save.alters_data = True

    def delete(self, *args, **kwargs):
        _refuse("deleting a state")

    delete.alters_data = True

    @property
    def is_safe_direction(self) -> bool:
        return self.state in SAFE_STATES

    @property
    def scope_label(self) -> str:
        return (
            "global"
            if self.scope_kind == ScopeKind.GLOBAL
            else (f"{self.scope_kind}={self.scope_value}")
        )

    def is_effective(self, now=None) -> bool:
        now = now or timezone.now()
        return self.effective_from <= now and (self.until is None or self.until > now)


class FlagStateLapse(models.Model):
    """The record that a temporary state reached its ``until`` (written once per state).

    The evaluation honours ``until`` by itself; this row exists so the end of a temporary
    block is announced exactly once (event ``flag.block_lifted`` and a webhook) — its
    one-to-one key makes a second announcement impossible.
    """

    state = models.OneToOneField(
        FlagState, on_delete=models.PROTECT, related_name="lapse", verbose_name=_("state")
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        verbose_name = _("ended temporary state")
        verbose_name_plural = _("ended temporary states")

    def __str__(self) -> str:
        return f"{self.state} ended"


class ScheduledStatus(models.TextChoices):
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
    SCHEDULED = "scheduled", _("Scheduled")
    APPLIED = "applied", _("Applied")
    CANCELLED = "cancelled", _("Cancelled")
    REJECTED = "rejected", _("Rejected")


class ScheduledFlagChangeQuerySet(models.QuerySet):
    def due(self, now=None):
        return self.filter(status=ScheduledStatus.SCHEDULED, run_at__lte=now or timezone.now())


class ScheduledFlagChange(models.Model):
    """A state to insert at ``run_at`` (open fundraising 24 h after launch), agreed now.

    A risky change of a fund-related flag waits for its change request to be approved
    (``awaiting_approval`` → ``scheduled``); anything else is ``scheduled`` at once. The
    beat task applies due changes (``applied``, ``applied_state`` set); a change can be
    cancelled before it runs, and a rejected, cancelled or expired request ends it as
    ``rejected``.
    """

    flag = models.ForeignKey(
        Flag, on_delete=models.PROTECT, related_name="scheduled_changes", verbose_name=_("flag")
    )
    scope_kind = models.CharField(
        _("scope"), max_length=20, choices=ScopeKind.choices, default=ScopeKind.GLOBAL
    )
    scope_value = models.CharField(_("scope value"), max_length=150, blank=True, default="")
    state = models.CharField(_("state"), max_length=10, choices=StateValue.choices)
    reason = models.TextField(_("reason"))
    incident_ref = models.CharField(_("incident"), max_length=64, blank=True, default="")
    run_at = models.DateTimeField(_("run at"), db_index=True)
    until = models.DateTimeField(_("until"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ScheduledStatus.choices,
        default=ScheduledStatus.SCHEDULED,
        db_index=True,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    change_request = models.ForeignKey(
        "approvals.ChangeRequest",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("change request"),
    )
    applied_state = models.OneToOneField(
        FlagState,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="scheduled_change",
        verbose_name=_("applied state"),
    )
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cancelled by"),
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.TextField(_("cancellation reason"), blank=True, default="")
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    objects = ScheduledFlagChangeQuerySet.as_manager()

    class Meta:
        ordering = ["run_at", "id"]
        verbose_name = _("scheduled flag change")
        verbose_name_plural = _("scheduled flag changes")
        constraints = [
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="flags_scheduled_reason_required",
                violation_error_message=_("A reason is required."),
            ),
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gt=F("run_at")),
                name="flags_scheduled_until_after_run_at",
                violation_error_message=_("The end must be after the start."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=ScheduledStatus.values),
                name="flags_scheduled_status_valid",
                violation_error_message=_("Unknown status."),
            ),
            models.CheckConstraint(
                condition=~Q(status="applied") | Q(applied_state__isnull=False),
                name="flags_scheduled_applied_has_state",
                violation_error_message=_("An applied change names the state it inserted."),
            ),
        ]

    def __str__(self) -> str:
        scope = self.scope_kind if not self.scope_value else f"{self.scope_kind}={self.scope_value}"
        when = f"{self.run_at:%Y-%m-%d %H:%M}Z" if self.run_at else "?"
        return f"{self.flag_id and self.flag.key} [{scope}] → {self.state} at {when}"

    @property
    def is_pending(self) -> bool:
        return self.status in (ScheduledStatus.AWAITING_APPROVAL, ScheduledStatus.SCHEDULED)


class FlagSubscription(models.Model):
    """A notify channel that receives a signed event for every flag change.

    apps.notify has channels and a signed outbox but no per-event subscriptions, so the
    flags app keeps its own list: each enabled subscription gets one outbox message per
    state change (``flag.state_changed``) and per ended temporary state
    (``flag.block_lifted``). ``flag_keys`` narrows it to some flags (empty: every flag).
    """

    channel = models.OneToOneField(
        "notify.Channel",
        on_delete=models.CASCADE,
        related_name="flag_subscription",
        verbose_name=_("channel"),
    )
    flag_keys = models.JSONField(_("flags"), default=list, blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["id"]
        verbose_name = _("flag subscription")
        verbose_name_plural = _("flag subscriptions")

    def __str__(self) -> str:
        return f"{self.channel} ← {', '.join(self.flag_keys) or '*'}"

    def wants(self, flag_key: str) -> bool:
        return self.enabled and (not self.flag_keys or flag_key in self.flag_keys)
