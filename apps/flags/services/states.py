"""Adding flags and setting states (now, or through an approved change request)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.policy import can
from apps.core.events import record_event
from apps.core.logging import get_logger
from apps.flags.models import (
    SAFE_STATES,
    Flag,
    FlagKind,
    FlagState,
    StateSource,
)
from apps.flags.scopes import ScopeKind
from apps.flags.services.effects import (
    after_commit,
    insert_state,
)
from apps.flags.services.rules import (
    CALLER_SOURCES,
    KEY_PATTERN,
    KIND,
    PERM_ADD,
    StateChange,
    check_permission,
    clean_state_fields,
    current_state,
    is_service_account,
    parse_moment,
    refuse_if_current,
    resolve_flag,
)

log = get_logger(__name__)


# --- flags ----------------------------------------------------------------------------


@transaction.atomic
def flag_create(*, actor, key, description, kind, fund_related, scopes, token=None) -> Flag:
    """Add a flag (super admin). ``scopes``: the scope kinds it accepts besides global."""
    if actor is None or is_service_account(actor) or not can(actor, PERM_ADD):
        raise PermissionDenied(_("Only a super admin may add flags."))
    errors: dict[str, list] = {}
    key = (key or "").strip() if isinstance(key, str) else ""
    if not key:
        errors["key"] = [_("A key is required.")]
    elif len(key) > 100 or not KEY_PATTERN.match(key):
        errors["key"] = [
            _(
                "Use lower-case letters, digits and underscores, parts separated by dots "
                "(e.g. contribute or round.approve), at most 100 characters."
            )
        ]
    elif Flag.objects.filter(key=key).exists():
        errors["key"] = [ValidationError(_("A flag with this key already exists."), code="unique")]
    description = (description or "").strip() if isinstance(description, str) else ""
    if not description:
        errors["description"] = [_("Say what the flag guards.")]
    if kind not in FlagKind.values:
        errors["kind"] = [_("Choose kill_switch or gate.")]
    if not isinstance(fund_related, bool):
        errors["fund_related"] = [_("Give true or false.")]
    cleaned_scopes: list[str] = []
    if not isinstance(scopes, list | tuple):
        errors["scopes"] = [_("Give a list of scope kinds.")]
    else:
        for scope in scopes:
            if scope not in ScopeKind.values:
                errors["scopes"] = [
                    _("Unknown scope '%(scope)s'; use %(scopes)s.")
                    % {"scope": scope, "scopes": ", ".join(ScopeKind.values)}
                ]
                break
            if scope != ScopeKind.GLOBAL and scope not in cleaned_scopes:
                cleaned_scopes.append(scope)
    if errors:
        raise ValidationError(errors)
    flag = Flag(
        key=key,
        description=description,
        kind=kind,
        fund_related=fund_related,
        scopes=cleaned_scopes,
        created_by=actor,
    )
    flag.full_clean()
    try:
        with transaction.atomic():
            flag.save()
    except IntegrityError:
        raise ValidationError(
            {"key": [ValidationError(_("A flag with this key already exists."), code="unique")]}
        ) from None
    record_event(
        "flag.created",
        actor=actor,
        target=flag,
        data={
            "flag": key,
            "kind": kind,
            "fund_related": fund_related,
            "scopes": cleaned_scopes,
        },
    )
    log.info("flag.created", flag=key, actor=actor.pk)
    after_commit(None, None, actor)
    return flag


# --- states ---------------------------------------------------------------------------


def change_request_payload(flag: Flag, cleaned: dict, *, source: str) -> dict:
    """The payload of a ``flags.state`` change request (see apps.flags.handlers)."""
    return {
        "flag": flag.key,
        "scope_kind": cleaned["scope_kind"],
        "scope_value": cleaned["scope_value"],
        "state": cleaned["state"],
        "reason": cleaned["reason"],
        "incident_ref": cleaned["incident_ref"],
        "until": cleaned["until"].isoformat() if cleaned["until"] else None,
        "source": source,
    }


def flag_state_set(
    *,
    actor,
    flag,
    state,
    reason,
    scope_kind="global",
    scope_value="",
    incident_ref="",
    until=None,
    source="portal",
    token=None,
) -> StateChange:
    """Set the state of ``flag`` for one scope (see the module doc for who may).

    ``flag``: a Flag or its key. ``token``: the API token when ``actor`` is a service
    account. Returns ``StateChange(applied=True, state=row)`` when the state was inserted,
    ``StateChange(applied=False, change_request=cr)`` when a fund flag's risky direction
    filed a change request. Raises ``ValidationError`` (field dict; nothing written) and
    ``PermissionDenied``; filing may raise ``apps.approvals.services.ApprovalRefused``
    (e.g. ``pending_request_exists``, ``two_super_admins_needed``).
    """
    flag = resolve_flag(flag)
    errors: dict = {}
    if source not in CALLER_SOURCES:
        errors["source"] = [_("Unknown source.")]
    now = timezone.now()
    cleaned = clean_state_fields(
        flag,
        state=state,
        reason=reason,
        scope_kind=scope_kind,
        scope_value=scope_value,
        incident_ref=incident_ref,
        until=until,
        start=now,
        start_field=_("now"),
        errors=errors,
    )
    check_permission(actor, flag, cleaned["state"], cleaned["scope_kind"], token)
    previous = current_state(flag, cleaned["scope_kind"], cleaned["scope_value"], now=now)
    refuse_if_current(flag, cleaned, previous)

    if cleaned["state"] not in SAFE_STATES and flag.fund_related:
        from apps.approvals.services import change_request_create

        change_request = change_request_create(
            actor=actor,
            kind=KIND,
            payload=change_request_payload(flag, cleaned, source=source),
            reason=cleaned["reason"],
            ticket=cleaned["incident_ref"],
            token=token if is_service_account(actor) else None,
        )
        log.info(
            "flag.change_requested",
            flag=flag.key,
            scope=f"{cleaned['scope_kind']}={cleaned['scope_value']}",
            change_request=change_request.pk,
            actor=actor.pk,
        )
        return StateChange(applied=False, state=None, change_request=change_request)

    with transaction.atomic():
        # Lock the flag row so two changes to one flag serialise; it is read, never written.
        Flag.objects.select_for_update().filter(pk=flag.pk).first()
        previous = current_state(flag, cleaned["scope_kind"], cleaned["scope_value"])
        refuse_if_current(flag, cleaned, previous)
        row = insert_state(
            flag=flag, cleaned=cleaned, actor=actor, source=source, previous=previous
        )
    return StateChange(applied=True, state=row, change_request=None)


def flag_state_apply_approved(*, change_request, actor) -> FlagState:
    """Insert the state an approved ``flags.state`` request asked for (approval source).

    Runs inside the approval transaction (``FlagStateChangeHandler.apply``). The row's
    ``actor`` is the requester; the approver is the event's actor and the webhook's
    ``approved_by``.
    """
    payload = change_request.payload
    flag = Flag.objects.get(key=payload["flag"])
    now = timezone.now()
    until = parse_moment(payload.get("until"))
    if until is not None and until <= now:
        from apps.approvals.services import ApprovalRefused

        raise ApprovalRefused(
            _("The requested end (%(until)s) has passed; reject this request and file a new one.")
            % {"until": payload["until"]},
            code="until_passed",
            status=409,
        )
    cleaned = {
        "state": payload["state"],
        "reason": payload["reason"],
        "scope_kind": payload["scope_kind"],
        "scope_value": payload["scope_value"],
        "incident_ref": payload.get("incident_ref") or "",
        "until": until,
    }
    previous = current_state(flag, cleaned["scope_kind"], cleaned["scope_value"], now=now)
    return insert_state(
        flag=flag,
        cleaned=cleaned,
        actor=change_request.requester,
        event_actor=actor,
        source=StateSource.APPROVAL,
        change_request=change_request,
        previous=previous,
        now=now,
    )
