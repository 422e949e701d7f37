"""The people behind a change request: everyone who may not decide it.

- For a person who files a request: themselves.
- For a service account acting through an API token: the account itself, and every
  person who created that token, created the service account, or changed the token's
  scopes (``ApiToken.created_by``, ``User.created_by``, ``ApiTokenScopeChange``). If the
  token is not known (a request filed before tokens were recorded), every token of the
  account counts.
- The people the kind's handler names (``ChangeHandler.people_named``): who made, through
  another path, the objects the payload names (a scheduled flag change's author), or whom
  the change is about (the person a role is granted to). A service account named so
  brings the people behind it.

The set is written on the request when it is filed (``PersonBehind`` rows: the page and
the API show them) and computed again from the same durable records whenever someone
decides, so a token re-scoped after filing counts too; what is found then is recorded
before the decision, and a database trigger refuses a decider among the recorded people
(``apps.approvals.guard``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from apps.accounts.models import ApiToken, ApiTokenScopeChange, User
from apps.approvals import registry
from apps.approvals.models import ChangeRequest, PersonBehind

Reason = PersonBehind.Reason


@dataclass(frozen=True)
class Behind:
    """One person behind a request, and why."""

    person_id: int
    reason: str
    detail: str = ""


def _token_label(token: ApiToken) -> str:
    return f"{token.name} (ops_{token.prefix}_…)"


def _account_people(account: User, tokens, *, reason_for=None) -> list[Behind]:
    """The people behind ``account`` acting through ``tokens``."""
    rows: list[Behind] = []
    for token in tokens:
        label = _token_label(token)
        if token.created_by_id:
            rows.append(Behind(token.created_by_id, reason_for or Reason.TOKEN_CREATOR, label))
        changers = (
            ApiTokenScopeChange.objects.filter(token=token)
            .order_by("changed_by_id")
            .values_list("changed_by_id", flat=True)
            .distinct()
        )
        for person_id in changers:
            rows.append(Behind(person_id, reason_for or Reason.SCOPE_CHANGER, label))
    if account.created_by_id:
        rows.append(
            Behind(account.created_by_id, reason_for or Reason.ACCOUNT_CREATOR, account.username)
        )
    return rows


def _tokens_of(account: User, token: ApiToken | None) -> list[ApiToken]:
    if token is not None:
        return [token]
    return list(ApiToken.objects.filter(service_account=account).order_by("pk"))


def _named(kind: str, payload) -> list[Behind]:
    try:
        handler = registry.get_handler(kind)
    except KeyError:
        return []
    try:
        named = list(handler.people_named(payload) or [])
    except (KeyError, TypeError, ValueError, AttributeError, ValidationError):
        # A payload the handler cannot read (it fails the digest check before anything
        # is applied) names nobody.
        return []
    rows: list[Behind] = []
    for person_id, detail in named:
        person = User.objects.filter(pk=person_id).first()
        if person is None:
            continue
        rows.append(Behind(person.pk, Reason.NAMED, str(detail)[:200]))
        if person.is_service_account:
            rows += _account_people(person, _tokens_of(person, None), reason_for=Reason.NAMED)
    return rows


def _unique(rows: list[Behind]) -> list[Behind]:
    seen: set[tuple[int, str]] = set()
    unique: list[Behind] = []
    for row in rows:
        key = (row.person_id, row.reason)
        if key not in seen:
            seen.add(key)
            unique.append(row)
    return unique


def people_behind(*, requester: User, token: ApiToken | None, kind: str, payload) -> list[Behind]:
    """Everyone behind a request ``requester`` files (through ``token``) of ``kind``."""
    rows = [Behind(requester.pk, Reason.REQUESTER, requester.username)]
    if requester.is_service_account:
        rows += _account_people(requester, _tokens_of(requester, token))
    rows += _named(kind, payload)
    return _unique(rows)


def people_behind_now(change_request: ChangeRequest, *, record: bool = False) -> list[Behind]:
    """The people behind ``change_request`` now: what was recorded when it was filed and
    what the durable records say today. ``record=True`` (inside the decision
    transaction) stores the newly found ones, so the database guard covers them."""
    recorded = [
        Behind(row.person_id, row.reason, row.detail)
        for row in PersonBehind.objects.filter(change_request=change_request)
    ]
    computed = people_behind(
        requester=change_request.requester,
        token=change_request.filed_with_token,
        kind=change_request.kind,
        payload=change_request.payload,
    )
    rows = _unique(recorded + computed)
    if record:
        known = {(row.person_id, row.reason) for row in recorded}
        record_people_behind(
            change_request, [row for row in rows if (row.person_id, row.reason) not in known]
        )
    return rows


def record_people_behind(change_request: ChangeRequest, rows: list[Behind]) -> None:
    PersonBehind.objects.bulk_create(
        [
            PersonBehind(
                change_request=change_request,
                person_id=row.person_id,
                reason=row.reason,
                detail=row.detail[:200],
            )
            for row in rows
        ],
        ignore_conflicts=True,
    )


def reasons_of(user, rows: list[Behind]) -> list[Behind]:
    """The rows that put ``user`` behind the request (empty: ``user`` may decide it)."""
    user_id = getattr(user, "pk", None)
    return [row for row in rows if row.person_id == user_id]


def behind_condition(user) -> Q:
    """A ``ChangeRequest`` filter: the requests ``user`` is behind (recorded or by the
    token and account records; people named by handlers only once recorded)."""
    if user is None or getattr(user, "pk", None) is None:
        return Q(pk__in=[])
    recorded = Exists(PersonBehind.objects.filter(change_request=OuterRef("pk"), person=user))
    filed_token = Exists(
        ApiToken.objects.filter(pk=OuterRef("filed_with_token_id"), created_by=user)
    ) | Exists(
        ApiTokenScopeChange.objects.filter(
            token_id=OuterRef("filed_with_token_id"), changed_by=user
        )
    )
    any_token = Q(filed_with_token__isnull=True) & (
        Exists(
            ApiToken.objects.filter(service_account_id=OuterRef("requester_id"), created_by=user)
        )
        | Exists(
            ApiTokenScopeChange.objects.filter(
                token__service_account_id=OuterRef("requester_id"), changed_by=user
            )
        )
    )
    account = Exists(
        User.objects.filter(pk=OuterRef("requester_id"), is_service_account=True, created_by=user)
    )
    return Q(requester=user) | recorded | filed_token | any_token | account


# --- words ---------------------------------------------------------------------------


def _usernames(rows: list[Behind]) -> dict[int, str]:
    ids = {row.person_id for row in rows}
    return dict(User.objects.filter(pk__in=ids).values_list("pk", "username"))


def reason_text(row: Behind, username: str) -> str:
    """ "token created by admin", "role granted to bob", …"""
    if row.reason == Reason.TOKEN_CREATOR:
        return _("token created by %(person)s") % {"person": username}
    if row.reason == Reason.SCOPE_CHANGER:
        return _("token scopes changed by %(person)s") % {"person": username}
    if row.reason == Reason.ACCOUNT_CREATOR:
        return _("account created by %(person)s") % {"person": username}
    if row.reason == Reason.NAMED:
        return _("%(person)s is named by the change (%(detail)s)") % {
            "person": username,
            "detail": row.detail or "-",
        }
    return _("filed by %(person)s") % {"person": username}


def describe(change_request: ChangeRequest, rows: list[Behind] | None = None) -> dict:
    """What pages and the API show: who filed, and the people behind it with reasons.

    ``filed_by`` reads "robot (token created by admin; account created by admin2)" for a
    service account, the username for a person. Without ``rows`` the recorded rows are
    used (prefetch ``people_behind__person`` for lists).
    """
    if rows is None:
        recorded = list(change_request.people_behind.all())
        rows = [Behind(row.person_id, row.reason, row.detail) for row in recorded]
        names = {row.person_id: row.person.username for row in recorded}
    else:
        names = _usernames(rows)
    people = [
        {
            "username": names.get(row.person_id, str(row.person_id)),
            "reason": row.reason,
            "detail": row.detail,
            "text": reason_text(row, names.get(row.person_id, str(row.person_id))),
        }
        for row in rows
        if row.reason != Reason.REQUESTER
    ]
    requester = change_request.requester.username
    via_token = [
        person["text"]
        for person in people
        if person["reason"] in (Reason.TOKEN_CREATOR, Reason.SCOPE_CHANGER, Reason.ACCOUNT_CREATOR)
    ]
    filed_by = f"{requester} ({'; '.join(via_token)})" if via_token else requester
    return {"filed_by": filed_by, "people": people}


def refusal_message(change_request: ChangeRequest, user, rows: list[Behind], *, verb: str) -> str:
    """Why ``user`` cannot ``verb`` this request, naming how they are behind it."""
    mine = reasons_of(user, rows)
    if any(row.reason == Reason.REQUESTER for row in mine):
        return _("You cannot %(verb)s your own request; another person must decide it.") % {
            "verb": verb
        }
    username = getattr(user, "username", "")
    reasons = "; ".join(reason_text(row, username) for row in mine)
    return _(
        "You cannot %(verb)s this request: it was filed by %(requester)s and you are "
        "behind it (%(reasons)s). Another person must decide it."
    ) % {"verb": verb, "requester": change_request.requester.username, "reasons": reasons}
