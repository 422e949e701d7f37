"""Reads of change requests, restricted to what the user may see.

Every role may see change requests (their diffs never hold secrets); "waiting for me"
lists the pending requests of others that this person may decide (never those they are
behind, see ``apps.approvals.behind``).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from apps.accounts import policy
from apps.approvals import registry
from apps.approvals.behind import behind_condition
from apps.approvals.models import ChangeRequest
from apps.approvals.rules import GRANT_FREEZE_EXCEPTION

VIEW_PERMISSION = "approvals.view_changerequest"
TABS = ("waiting", "mine", "history")


def change_request_list(
    *,
    user,
    tab: str | None = None,
    status: str | None = None,
    kind: str | None = None,
    mine: bool = False,
) -> QuerySet[ChangeRequest]:
    queryset = policy.restrict(
        ChangeRequest.objects.select_related("requester", "decided_by").prefetch_related(
            "people_behind__person"
        ),
        user,
        VIEW_PERMISSION,
    )
    if tab == "waiting":
        queryset = queryset.filter(waiting_for_condition(user))
    elif tab == "mine":
        queryset = queryset.filter(requester=user)
    elif tab == "history":
        queryset = queryset.exclude(status=ChangeRequest.Status.PENDING)
    if mine:
        queryset = queryset.filter(requester=user)
    if status:
        queryset = queryset.filter(status=status)
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset


def waiting_for_condition(user) -> Q:
    """Pending requests of others that ``user`` may decide."""
    kinds = [
        kind
        for kind in registry.registered_kinds()
        if policy.can(user, registry.get_handler(kind).approve_permission)
    ]
    decidable = Q(freeze_exception=False, kind__in=kinds)
    if policy.can(user, GRANT_FREEZE_EXCEPTION):
        decidable |= Q(freeze_exception=True)
    return Q(status=ChangeRequest.Status.PENDING) & decidable & ~behind_condition(user)


def waiting_for_count(user) -> int:
    if not policy.can(user, VIEW_PERMISSION):
        return 0
    return ChangeRequest.objects.filter(waiting_for_condition(user)).count()


def change_request_get(*, user, pk) -> ChangeRequest | None:
    return change_request_list(user=user).filter(pk=pk).first()


def pending_for_targets(*, kinds, target_prefix: str) -> QuerySet[ChangeRequest]:
    """Pending requests of ``kinds`` whose target starts with ``target_prefix`` (the pages
    of the app that owns the target mark what is already asked for; every role sees change
    requests, so the caller's rule is the owning page's)."""
    return ChangeRequest.objects.pending().filter(
        kind__in=list(kinds), target__startswith=target_prefix
    )
