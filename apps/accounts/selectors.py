"""Reads of accounts data, restricted to what the caller may see (``policy.can``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import Group
from django.db.models import Count, Max, Prefetch, QuerySet, Sum

from apps.accounts import lockout
from apps.accounts.models import LoginLockout, User
from apps.accounts.policy import can, restrict

VIEW_LOCKOUTS = "accounts.view_loginlockout"
VIEW_PEOPLE = "accounts.view_user"


def people_list(*, user) -> QuerySet[User]:
    """The people (not service accounts) ``user`` may see; none without accounts.view_user."""
    people = User.objects.filter(is_service_account=False).prefetch_related(
        Prefetch("groups", queryset=Group.objects.order_by("name"))
    )
    return restrict(people, user, VIEW_PEOPLE)


@dataclass(frozen=True)
class CurrentLockout:
    """An account locked at one address now: failures counted, since when, until when."""

    username: str
    ip_address: str | None
    failures: int
    since: datetime
    until: datetime


@dataclass(frozen=True)
class FloodedAccount:
    """An account with many failures from many addresses: its login asks for the code."""

    username: str
    addresses: int
    failures: int
    until: datetime


def _grouped(queryset, *fields):
    return (
        queryset.values(*fields)
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .order_by("-last", *fields)
    )


def lockout_list(*, user) -> list[CurrentLockout]:
    """Accounts locked at an address right now, newest first; empty without the view
    permission (super admins hold it)."""
    if not can(user, VIEW_LOCKOUTS):
        return []
    window = lockout.cool_off()
    rows = _grouped(lockout.recent_attempts(), "username", "ip_address").filter(
        failures__gte=lockout.failure_limit()
    )
    result = []
    for row in rows:
        record = (
            LoginLockout.objects.filter(
                username=row["username"], ip_address=row["ip_address"], lifted_at__isnull=True
            )
            .order_by("-locked_at")
            .first()
        )
        since = record.locked_at if record is not None else row["last"]
        result.append(
            CurrentLockout(
                username=row["username"] or "",
                ip_address=row["ip_address"],
                failures=int(row["failures"]),
                since=min(since, row["last"]),
                until=row["last"] + window,
            )
        )
    return result


def lockout_current(*, user, username: str, ip_address: str | None) -> CurrentLockout | None:
    """The lockout of ``username`` at ``ip_address`` if there is one now."""
    for item in lockout_list(user=user):
        if item.username == username and item.ip_address == ip_address:
            return item
    return None


def flooded_account_list(*, user) -> list[FloodedAccount]:
    """Accounts whose login asks for the second factor first (many failures from many
    addresses); empty without the view permission."""
    if not can(user, VIEW_LOCKOUTS):
        return []
    threshold = lockout.flood_threshold()
    if threshold <= 0:
        return []
    rows = (
        lockout.recent_attempts()
        .values("username")
        .annotate(
            failures=Sum("failures_since_start"),
            addresses=Count("ip_address", distinct=True),
            last=Max("attempt_time"),
        )
        .filter(failures__gte=threshold)
        .order_by("-last", "username")
    )
    window = lockout.cool_off()
    return [
        FloodedAccount(
            username=row["username"] or "",
            addresses=int(row["addresses"]),
            failures=int(row["failures"]),
            until=row["last"] + window,
        )
        for row in rows
    ]
