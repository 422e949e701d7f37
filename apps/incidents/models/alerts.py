"""Alert intake: raw deliveries, alert events, alert groups, routes and maintenance windows.

A delivery is stored as received (one row, JSON) before anything else happens; a Celery
task then turns its alerts into events (unique per fingerprint, status and startsAt, so a
repeated notification or an HA duplicate inserts nothing), updates the alert group of
each fingerprint, and writes the delivery's decision log (``AlertDecision``).
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

LABEL_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
MATCHER_OPS = ("=", "!=", "=~", "!~")
# name, operator, value (optionally quoted): alertname="Foo", severity=~"critical|page"
MATCHER_TEXT = re.compile(r"^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$")


def parse_matcher(text: str) -> dict:
    """``'severity=~"crit.*"'`` -> ``{"name": "severity", "op": "=~", "value": "crit.*"}``."""
    found = MATCHER_TEXT.match(text or "")
    if not found:
        raise ValidationError(
            gettext(
                "%(text)s: write a matcher as name=value, name!=value, name=~regex or name!~regex."
            )
            % {"text": text}
        )
    name, op, value = found.groups()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1].replace('\\"', '"')
    return {"name": name, "op": op, "value": value}


def matcher_text(matcher: dict) -> str:
    value = str(matcher.get("value", "")).replace('"', '\\"')
    return f'{matcher.get("name")}{matcher.get("op")}"{value}"'


def validate_matchers(value) -> None:
    """A list of ``{"name", "op", "value"}``; regular expressions compile (anchored)."""
    if not isinstance(value, list):
        raise ValidationError(gettext("Matchers are a list."))
    for index, matcher in enumerate(value):
        if not isinstance(matcher, dict) or set(matcher) != {"name", "op", "value"}:
            raise ValidationError(
                gettext("Matcher %(n)s: give name, op and value.") % {"n": index + 1}
            )
        name, op, val = matcher["name"], matcher["op"], matcher["value"]
        if not isinstance(name, str) or not LABEL_NAME.match(name):
            raise ValidationError(
                gettext("Matcher %(n)s: %(name)s is not a label name.")
                % {"n": index + 1, "name": name}
            )
        if op not in MATCHER_OPS:
            raise ValidationError(
                gettext("Matcher %(n)s: the operator is one of =, !=, =~, !~.") % {"n": index + 1}
            )
        if not isinstance(val, str) or len(val) > 500:
            raise ValidationError(
                gettext("Matcher %(n)s: the value is text of at most 500 characters.")
                % {"n": index + 1}
            )
        if op in ("=~", "!~"):
            try:
                re.compile(f"^(?:{val})$")
            except re.error as exc:
                raise ValidationError(
                    gettext("Matcher %(n)s: not a regular expression (%(why)s).")
                    % {"n": index + 1, "why": exc}
                ) from None


def matchers_match(matchers: list[dict], labels: dict) -> bool:
    """Alertmanager's semantics: a missing label is the empty string; regexes are anchored."""
    for matcher in matchers:
        value = str(labels.get(matcher["name"], ""))
        op = matcher["op"]
        if op == "=":
            ok = value == matcher["value"]
        elif op == "!=":
            ok = value != matcher["value"]
        else:
            hit = re.fullmatch(f"(?:{matcher['value']})", value) is not None
            ok = hit if op == "=~" else not hit
        if not ok:
            return False
    return True


class AlertDelivery(models.Model):
    """One POST to the intake, kept as received; ``processed_at`` is set by the task."""

    class Source(models.TextChoices):
        ALERTMANAGER = "alertmanager", _("Alertmanager")
        PLAIN = "plain", _("Plain JSON")
        TEST = "test", _("Test alert")

    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    received_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sender"),
    )
    payload = models.JSONField(_("payload"))
    group_key = models.CharField(_("group key"), max_length=1000, blank=True)
    receiver = models.CharField(_("receiver"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=20, blank=True)
    alert_count = models.PositiveIntegerField(_("alerts"), default=0)
    truncated_alerts = models.PositiveIntegerField(_("truncated alerts"), default=0)
    is_test = models.BooleanField(_("test"), default=False)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("alert delivery")
        verbose_name_plural = _("alert deliveries")
        indexes = [
            models.Index(
                fields=["received_at"],
                name="incidents_delivery_unprocessed",
                condition=models.Q(processed_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"delivery {self.pk} ({self.alert_count} alerts)"


class AlertRoute(models.Model):
    """Label matchers, in order, pick the team and escalation policy of an alert."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    matchers = models.JSONField(
        _("matchers"), default=list, blank=True, validators=[validate_matchers]
    )
    team = models.ForeignKey(
        "oncall.Team", on_delete=models.PROTECT, related_name="+", verbose_name=_("team")
    )
    policy = models.ForeignKey(
        "oncall.EscalationPolicy",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("escalation policy"),
        help_text=_("Empty: the team's first policy."),
    )
    open_incident_severity = models.ForeignKey(
        "incidents.Severity",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("open an incident at"),
    )
    incident_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("incident owner"),
        help_text=_("Commander of the incidents this route opens, and who declares them."),
    )
    threshold_count = models.PositiveIntegerField(
        _("page after N alerts"), default=1, help_text=_("1: page on the first alert.")
    )
    threshold_minutes = models.PositiveIntegerField(
        _("within M minutes"), default=0, help_text=_("0: no time window.")
    )
    continue_matching = models.BooleanField(
        _("continue"), default=False, help_text=_("Also try the routes after this one.")
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("alert route")
        verbose_name_plural = _("alert routes")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        if self.policy_id and self.team_id and self.policy.team_id != self.team_id:
            errors["policy"] = [gettext("This policy belongs to another team.")]
        if self.open_incident_severity_id and not self.incident_owner_id:
            errors["incident_owner"] = [
                gettext("A route that opens incidents names who owns them.")
            ]
        if self.threshold_count < 1:
            errors["threshold_count"] = [gettext("At least 1.")]
        if self.threshold_count > 1 and self.threshold_minutes < 1:
            errors["threshold_minutes"] = [
                gettext("Say within how many minutes the alerts must come.")
            ]
        if errors:
            raise ValidationError(errors)

    @property
    def matcher_texts(self) -> list[str]:
        return [matcher_text(m) for m in self.matchers or []]


class MaintenanceWindow(models.Model):
    """Alerts matching ``matchers`` between ``starts_at`` and ``ends_at`` are silenced."""

    matchers = models.JSONField(_("matchers"), default=list, validators=[validate_matchers])
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    reason = models.CharField(_("reason"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ended by"),
    )

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("maintenance window")
        verbose_name_plural = _("maintenance windows")

    def __str__(self) -> str:
        return f"{self.reason} ({self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%H:%M})"

    def clean(self) -> None:
        if not self.matchers:
            raise ValidationError({"matchers": [gettext("Give at least one matcher.")]})
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": [gettext("A window ends after it starts.")]})

    def is_active(self, at=None) -> bool:
        at = at or timezone.now()
        return self.starts_at <= at < self.ends_at

    @property
    def matcher_texts(self) -> list[str]:
        return [matcher_text(m) for m in self.matchers or []]


class AlertGroup(models.Model):
    """Every alert with one fingerprint; its state follows the alerts' own times."""

    class State(models.TextChoices):
        FIRING = "firing", _("Firing")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        RESOLVED = "resolved", _("Resolved")

    fingerprint = models.CharField(_("fingerprint"), max_length=64, unique=True)
    alertname = models.CharField(_("alert name"), max_length=200, blank=True, db_index=True)
    labels = models.JSONField(_("labels"), default=dict)
    annotations = models.JSONField(_("annotations"), default=dict)
    generator_url = models.CharField(_("source link"), max_length=1000, blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.FIRING, db_index=True
    )
    # The startsAt of the current (or last) firing episode, and the endsAt that resolved it.
    starts_at = models.DateTimeField(_("firing since"), null=True, blank=True)
    ends_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    episode = models.PositiveIntegerField(_("episode"), default=0)
    first_seen_at = models.DateTimeField(_("first seen"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("last seen"), default=timezone.now, db_index=True)
    event_count = models.PositiveIntegerField(_("alerts"), default=0)
    seen_count = models.PositiveIntegerField(_("times received"), default=0)
    route = models.ForeignKey(
        AlertRoute,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="groups",
        verbose_name=_("route"),
    )
    team = models.ForeignKey(
        "oncall.Team",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("team"),
    )
    incident = models.ForeignKey(
        "incidents.Incident",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="alert_groups",
        verbose_name=_("incident"),
    )
    silenced = models.BooleanField(_("silenced"), default=False)
    is_test = models.BooleanField(_("test"), default=False)

    class Meta:
        ordering = ["-last_seen_at", "-id"]
        verbose_name = _("alert group")
        verbose_name_plural = _("alert groups")

    def __str__(self) -> str:
        return f"{self.alertname or self.fingerprint}"

    @property
    def runbook_url(self) -> str:
        return str((self.annotations or {}).get("runbook_url", ""))

    @property
    def flags(self) -> list[str]:
        """What the alerts page points out: no owner team, no runbook link."""
        out = []
        if self.team_id is None:
            out.append(gettext("no owner team"))
        if not self.runbook_url:
            out.append(gettext("no runbook_url"))
        return out


class Alert(models.Model):
    """One alert state as a sender reported it; (fingerprint, status, startsAt) is unique."""

    class Status(models.TextChoices):
        FIRING = "firing", _("Firing")
        RESOLVED = "resolved", _("Resolved")

    group = models.ForeignKey(
        AlertGroup, on_delete=models.CASCADE, related_name="alerts", verbose_name=_("group")
    )
    fingerprint = models.CharField(_("fingerprint"), max_length=64)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    labels = models.JSONField(_("labels"), default=dict)
    annotations = models.JSONField(_("annotations"), default=dict)
    delivery = models.ForeignKey(
        AlertDelivery,
        on_delete=models.PROTECT,
        related_name="alerts",
        verbose_name=_("first delivery"),
    )
    route = models.ForeignKey(
        AlertRoute,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("route"),
    )
    received_at = models.DateTimeField(_("received at"), default=timezone.now)

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        constraints = [
            models.UniqueConstraint(
                fields=["fingerprint", "status", "starts_at"], name="incidents_alert_once"
            )
        ]
        indexes = [models.Index(fields=["route", "received_at"], name="incidents_alert_route")]

    def __str__(self) -> str:
        return f"{self.fingerprint} {self.status} {self.starts_at:%Y-%m-%d %H:%M:%S}"


class AlertPage(models.Model):
    """The page a route sent for one firing episode of a group: at most one each."""

    group = models.ForeignKey(
        AlertGroup, on_delete=models.CASCADE, related_name="pages", verbose_name=_("group")
    )
    episode = models.PositiveIntegerField(_("episode"))
    route = models.ForeignKey(
        AlertRoute, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("route")
    )
    route_name = models.CharField(_("route name"), max_length=100)
    page = models.ForeignKey(
        "oncall.Page", on_delete=models.PROTECT, related_name="+", verbose_name=_("page")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("alert page")
        verbose_name_plural = _("alert pages")
        constraints = [
            models.UniqueConstraint(
                fields=["group", "episode", "route_name"], name="incidents_alertpage_once"
            )
        ]

    def __str__(self) -> str:
        return f"page {self.page_id} for {self.group_id} (episode {self.episode})"


class AlertDecision(models.Model):
    """One line of a delivery's decision log: what was done with one alert, and why."""

    class Kind(models.TextChoices):
        RECORDED = "recorded", _("Recorded")
        DEDUPLICATED = "deduplicated", _("Deduplicated")
        STALE = "stale", _("Stale (older than known)")
        RESOLVED = "resolved", _("Resolved")
        REOPENED = "reopened", _("Re-opened")
        SILENCED = "silenced", _("Silenced")
        ROUTED = "routed", _("Routed")
        NO_ROUTE = "no_route", _("No route")
        BELOW_THRESHOLD = "below_threshold", _("Below threshold")
        PAGED = "paged", _("Paged")
        ALREADY_PAGED = "already_paged", _("Already paged")
        PAGE_FAILED = "page_failed", _("Page failed")
        INCIDENT_OPENED = "incident_opened", _("Opened incident")
        INCIDENT_LINKED = "incident_linked", _("Added to incident")
        INCIDENT_FAILED = "incident_failed", _("Incident not opened")
        NOT_RESOLVED = "not_resolved", _("Not taken as resolved")

    delivery = models.ForeignKey(
        AlertDelivery,
        on_delete=models.CASCADE,
        related_name="decisions",
        verbose_name=_("delivery"),
    )
    group = models.ForeignKey(
        AlertGroup,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name=_("group"),
    )
    index = models.IntegerField(_("alert index"), help_text=_("-1: about the whole delivery."))
    fingerprint = models.CharField(_("fingerprint"), max_length=64, blank=True)
    kind = models.CharField(_("decision"), max_length=20, choices=Kind.choices)
    reason = models.TextField(_("reason"))
    data = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["delivery_id", "index", "id"]
        verbose_name = _("alert decision")
        verbose_name_plural = _("alert decisions")

    def __str__(self) -> str:
        return f"{self.delivery_id}[{self.index}] {self.kind}"
