"""The approvals handler for flag states (kind ``flags.state``).

Filed by ``apps.flags.services`` when the risky direction (allowed / open) of a
fund-related flag is asked for, now or scheduled. Payload::

    {"flag": "contribute", "scope_kind": "round", "scope_value": "42",
     "state": "allowed", "reason": "...", "incident_ref": "INC-7",
     "until": null | ISO time, "source": "portal" | "api" | "admin" | "schedule",
     "scheduled_change": <id>, "run_at": ISO time}     # the last two only when scheduled

- Now: the target is the (flag, scope), so one request per scope can be pending; its
  version is the id of the state in force for that scope ("0": none). Approval inserts
  the state (source ``approval``, ``change_request`` set); if somebody changed the scope
  meanwhile the request ends as ``conflict`` and nothing is applied.
- Scheduled: the target is the scheduled change; its version is the change's status.
  Approval marks it ``scheduled``; the beat task inserts the state at its time. A
  cancelled scheduled change makes a later approval a conflict.

Not freezable: re-enabling an action after an incident is operations, not configuration,
and must stay possible during a code or config freeze (the second person still decides).
Service tokens with ``flags:write`` may file (the API's 202), never approve.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.approvals.registry import ChangeHandler
from apps.flags.models import SAFE_STATES, Flag, ScheduledFlagChange, ScheduledStatus
from apps.flags.scopes import ScopeKind

KIND = "flags.state"
TOKEN_SCOPE = "flags:write"


def _scope_label(payload: dict) -> str:
    if payload["scope_kind"] == ScopeKind.GLOBAL:
        return _("global")
    return f"{payload['scope_kind']}={payload['scope_value']}"


class FlagStateChangeHandler(ChangeHandler):
    kind = KIND
    request_permission = "flags.unblock_flag"
    approve_permission = "approvals.approve_change"
    token_scope = TOKEN_SCOPE
    freezable = False

    def validate(self, payload: dict) -> dict:
        from apps.flags.services.rules import clean_state_fields, parse_moment, resolve_flag

        flag = resolve_flag(payload.get("flag"))
        errors: dict = {}
        scheduled_id = payload.get("scheduled_change")
        scheduled = None
        if scheduled_id is not None:
            if isinstance(scheduled_id, int) and not isinstance(scheduled_id, bool):
                scheduled = ScheduledFlagChange.objects.filter(pk=scheduled_id).first()
            if scheduled is None or scheduled.status != ScheduledStatus.AWAITING_APPROVAL:
                errors["scheduled_change"] = [_("No scheduled change awaits approval here.")]
        until = payload.get("until")
        until_moment = parse_moment(until) if isinstance(until, str) else until
        if until and until_moment is None:
            errors["until"] = [_("Give a date and time.")]
        start = scheduled.run_at if scheduled is not None else timezone.now()
        cleaned = clean_state_fields(
            flag,
            state=payload.get("state"),
            reason=payload.get("reason"),
            scope_kind=payload.get("scope_kind"),
            scope_value=payload.get("scope_value"),
            incident_ref=payload.get("incident_ref"),
            until=until_moment,
            start=start,
            errors=errors,
        )
        if cleaned["state"] in SAFE_STATES or not flag.fund_related:
            raise ValidationError(
                {
                    "state": [
                        _(
                            "Only turning a fund-related flag back on needs a second person; "
                            "set this state directly."
                        )
                    ]
                }
            )
        result = {
            "flag": flag.key,
            "scope_kind": cleaned["scope_kind"],
            "scope_value": cleaned["scope_value"],
            "state": cleaned["state"],
            "reason": cleaned["reason"],
            "incident_ref": cleaned["incident_ref"],
            "until": cleaned["until"].isoformat() if cleaned["until"] else None,
            "source": payload.get("source") or "portal",
        }
        if scheduled is not None:
            result["scheduled_change"] = scheduled.pk
            result["run_at"] = scheduled.run_at.isoformat()
        return result

    def target(self, payload: dict) -> str:
        if payload.get("scheduled_change") is not None:
            return f"flags.schedule:{payload['scheduled_change']}"
        return f"flags.state:{payload['flag']}:{payload['scope_kind']}:{payload['scope_value']}"

    def current_version(self, target: str) -> str:
        from apps.flags.services import current_state

        prefix, rest = target.split(":", 1)
        if prefix == "flags.schedule":
            scheduled = ScheduledFlagChange.objects.filter(pk=int(rest)).first()
            return scheduled.status if scheduled is not None else ""
        key, scope_kind, scope_value = rest.split(":", 2)
        flag = Flag.objects.filter(key=key).first()
        if flag is None:
            return ""
        row = current_state(flag, scope_kind, scope_value)
        return str(row.pk) if row is not None else "0"

    def diff(self, payload: dict) -> list[dict]:
        from apps.flags.services import current_state

        flag = Flag.objects.filter(key=payload["flag"]).first()
        rows = []
        if payload.get("scheduled_change") is not None:
            rows.append(
                {
                    "field": _("runs at"),
                    "before": "",
                    "after": payload.get("run_at") or "",
                }
            )
            before = _("(at that time)")
        else:
            row = current_state(flag, payload["scope_kind"], payload["scope_value"])
            if row is not None:
                before = _("%(state)s since %(since)s: %(reason)s") % {
                    "state": row.state,
                    "since": row.effective_from.isoformat(timespec="seconds"),
                    "reason": row.reason,
                }
            else:
                before = _("%(state)s (default)") % {"state": flag.default_state}
        after = payload["state"]
        if payload.get("until"):
            after = _("%(state)s until %(until)s") % {
                "state": payload["state"],
                "until": payload["until"],
            }
        rows.insert(
            0,
            {
                "field": _("%(flag)s (%(scope)s)")
                % {"flag": payload["flag"], "scope": _scope_label(payload)},
                "before": before,
                "after": after,
            },
        )
        return rows

    def describe(self, payload: dict) -> str:
        text = _("Set %(flag)s to %(state)s (%(scope)s)") % {
            "flag": payload["flag"],
            "state": payload["state"],
            "scope": _scope_label(payload),
        }
        if payload.get("scheduled_change") is not None:
            text = _("%(text)s at %(run_at)s") % {"text": text, "run_at": payload["run_at"]}
        return text

    def apply(self, *, change_request, actor) -> dict:
        from apps.flags import services

        if change_request.payload.get("scheduled_change") is not None:
            scheduled = services.scheduled_change_mark_approved(
                change_request=change_request, actor=actor
            )
            return {"scheduled_change": scheduled.pk, "status": scheduled.status}
        row = services.flag_state_apply_approved(change_request=change_request, actor=actor)
        return {"state_id": row.pk, "flag": change_request.payload["flag"], "state": row.state}

    def people_named(self, payload: dict) -> list[tuple[int, str]]:
        # A request may name a scheduled change somebody else made: its author is behind
        # the request as much as the requester.
        scheduled_id = payload.get("scheduled_change")
        if scheduled_id is None:
            return []
        scheduled = ScheduledFlagChange.objects.filter(pk=scheduled_id).first()
        if scheduled is None or scheduled.requested_by_id is None:
            return []
        return [
            (
                scheduled.requested_by_id,
                _("scheduled change #%(id)s") % {"id": scheduled.pk},
            )
        ]

    def allows_bootstrap(self, *, payload: dict, actor) -> bool:
        return False


UNBLOCK_REQUEST_KIND = "flags.unblock_request"


class FlagUnblockRequestHandler(FlagStateChangeHandler):
    """Kind ``flags.unblock_request``: someone who may block a customer (a user-scoped
    state) but not lift the block asks for the unblock (support froze a customer's claims).

    The payload, the target and what approval does are those of ``flags.state`` — so one
    request per (flag, scope) may be pending, whichever kind filed it, and approval inserts
    the unblock. Only the filing differs: ``flags.set_user_scope`` (support) may file it,
    for the user scope of a fund-related flag only (the unblock of any other flag a
    support person applies alone), and only people file it. The approver needs
    ``approvals.approve_change`` (super admins), as for every fund-related unblock: asking
    through this kind opens no shorter path.
    """

    kind = UNBLOCK_REQUEST_KIND
    request_permission = "flags.set_user_scope"
    approve_permission = "approvals.approve_change"
    token_scope = ""
    freezable = False

    def validate(self, payload: dict) -> dict:
        errors: dict = {}
        if payload.get("scheduled_change") is not None:
            errors["scheduled_change"] = [_("An unblock request takes effect when approved.")]
        if payload.get("scope_kind") != ScopeKind.USER:
            errors["scope_kind"] = [
                _("An unblock request is for one customer: use the user scope.")
            ]
        if errors:
            raise ValidationError(errors)
        return super().validate(payload)

    def describe(self, payload: dict) -> str:
        return _("Unblock requested: %(change)s") % {"change": super().describe(payload)}
