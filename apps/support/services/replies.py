"""Canned replies: support leads write them; agents use them (each use counted)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.policy import can
from apps.core.events import record_event
from apps.core.logging import get_logger
from apps.support.models import CannedReply, Language, ReplyUsage
from apps.support.replies import PLACEHOLDERS, unknown_placeholders

log = get_logger(__name__)

MANAGE = "support.manage_cannedreply"
VIEW = "support.view_customer"
_KEY_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789_.")


def _check_manager(actor) -> None:
    if not can(actor, MANAGE):
        raise PermissionDenied(_("Only support leads may change canned replies."))


def clean_reply(*, key, language, title, body) -> dict:
    """The cleaned fields of a reply, or ValidationError naming each bad one."""
    errors: dict[str, list[str]] = {}
    key = (key or "").strip().lower() if isinstance(key, str) else ""
    if not key or len(key) > 100 or not set(key) <= _KEY_CHARS or key.startswith("."):
        errors["key"] = [
            _("A key is the case, optionally a dot and the outcome: refund_failed.completed.")
        ]
    if language not in Language.values:
        errors["language"] = [_("Choose en, id or ru.")]
    title = (title or "").strip() if isinstance(title, str) else ""
    if not title:
        errors["title"] = [_("Give the reply a title.")]
    elif len(title) > 200:
        errors["title"] = [_("At most 200 characters.")]
    body = (body or "").strip() if isinstance(body, str) else ""
    if not body:
        errors["body"] = [_("Write the reply.")]
    elif len(body) > 5000:
        errors["body"] = [_("At most 5000 characters.")]
    else:
        unknown = unknown_placeholders(body)
        if unknown:
            errors["body"] = [
                _("Unknown placeholders: %(names)s. Use %(known)s.")
                % {
                    "names": ", ".join("{" + n + "}" for n in unknown),
                    "known": ", ".join("{" + n + "}" for n in PLACEHOLDERS),
                }
            ]
    if errors:
        raise ValidationError(errors)
    return {"key": key, "language": language, "title": title, "body": body}


@transaction.atomic
def reply_create(*, actor, key, language, title, body, is_active=True) -> CannedReply:
    _check_manager(actor)
    values = clean_reply(key=key, language=language, title=title, body=body)
    reply = CannedReply(**values, is_active=bool(is_active), updated_by=actor)
    reply.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            reply.save()
    except IntegrityError:
        raise ValidationError(
            {"key": [_("A reply with this key already exists in this language; edit it.")]}
        ) from None
    record_event("support.reply_created", actor=actor, target=reply, data=values)
    return reply


@transaction.atomic
def reply_update(*, actor, reply: CannedReply, title, body, is_active) -> CannedReply:
    _check_manager(actor)
    values = clean_reply(key=reply.key, language=reply.language, title=title, body=body)
    reply = CannedReply.objects.select_for_update().get(pk=reply.pk)
    changed = (reply.title, reply.body, reply.is_active) != (
        values["title"],
        values["body"],
        bool(is_active),
    )
    if not changed:
        return reply
    reply.title, reply.body, reply.is_active = values["title"], values["body"], bool(is_active)
    reply.updated_by, reply.updated_at = actor, timezone.now()
    reply.full_clean(validate_constraints=False)
    reply.save()
    record_event(
        "support.reply_updated",
        actor=actor,
        target=reply,
        data={"key": reply.key, "language": reply.language, "is_active": reply.is_active},
    )
    return reply


@transaction.atomic
def reply_use(*, actor, reply: CannedReply, customer=None) -> ReplyUsage:
    """Count one use of ``reply`` (copied to send to ``customer``)."""
    if not can(actor, VIEW):
        raise PermissionDenied(_("You may not use canned replies."))
    usage = ReplyUsage.objects.create(reply=reply, actor=actor, customer=customer)
    log.info("support.reply_used", reply=reply.pk, actor=actor.pk)
    return usage
