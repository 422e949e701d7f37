"""Teams, members and leads; the lead's per-object permissions follow the lead."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from apps.accounts.policy import require
from apps.core.events import record_event
from apps.oncall.models import LayerVersion, Membership, Team

# What a team lead may do on their own team's objects (django-guardian grants).
LEAD_SCHEDULE_PERMS = ("oncall.change_schedule",)
LEAD_POLICY_PERMS = ("oncall.change_escalationpolicy",)
LEAD_TEAM_PERMS = ("oncall.send_test_page",)


def grant_lead_permissions(team: Team, user) -> None:
    if user is None:
        return
    for perm in LEAD_TEAM_PERMS:
        assign_perm(perm, user, team)
    for schedule in team.schedules.all():
        for perm in LEAD_SCHEDULE_PERMS:
            assign_perm(perm, user, schedule)
    for policy in team.escalation_policies.all():
        for perm in LEAD_POLICY_PERMS:
            assign_perm(perm, user, policy)


def revoke_lead_permissions(team: Team, user) -> None:
    if user is None:
        return
    for perm in LEAD_TEAM_PERMS:
        remove_perm(perm, user, team)
    for schedule in team.schedules.all():
        for perm in LEAD_SCHEDULE_PERMS:
            remove_perm(perm, user, schedule)
    for policy in team.escalation_policies.all():
        for perm in LEAD_POLICY_PERMS:
            remove_perm(perm, user, policy)


def _check_person(user, field: str) -> None:
    if user is None or not user.is_active or getattr(user, "is_service_account", False):
        raise ValidationError({field: _("Choose an active person (not a service account).")})


@transaction.atomic
def team_create(*, actor, name: str, slug: str = "", description: str = "", lead=None) -> Team:
    require(actor, "oncall.add_team")
    team = Team(
        name=(name or "").strip(),
        slug=(slug or slugify(name or "")).strip(),
        description=description or "",
    )
    team.full_clean()
    team.save()
    record_event("team.created", actor=actor, target=team, data={"slug": team.slug})
    if lead is not None:
        team_set_lead(actor=actor, team=team, lead=lead)
    return team


@transaction.atomic
def team_update(
    *, actor, team: Team, name: str | None = None, description: str | None = None, channel=...
) -> Team:
    """Rename, describe or set the war-room channel (``channel=None`` clears it)."""
    require(actor, "oncall.change_team", team)
    team = Team.objects.select_for_update().get(pk=team.pk)
    changed = {}
    if name is not None and name.strip() != team.name:
        changed["name"] = [team.name, name.strip()]
        team.name = name.strip()
    if description is not None and description != team.description:
        changed["description"] = True
        team.description = description
    if channel is not ... and (channel.pk if channel else None) != team.channel_id:
        changed["channel"] = [team.channel_id, channel.pk if channel else None]
        team.channel = channel
    team.full_clean()
    if changed:
        team.save()
        record_event("team.updated", actor=actor, target=team, data={"changed": changed})
    return team


@transaction.atomic
def team_member_add(*, actor, team: Team, user) -> Membership:
    require(actor, "oncall.change_team", team)
    _check_person(user, "user")
    # Two adds of the same person at once: the second waits here and finds the first.
    team = Team.objects.select_for_update().get(pk=team.pk)
    existing = Membership.objects.filter(team=team, user=user).first()
    if existing is not None:
        return existing
    membership = Membership(team=team, user=user)
    membership.full_clean()
    membership.save()
    record_event(
        "team.member_added",
        actor=actor,
        target=team,
        data={"user": user.pk, "username": user.username},
    )
    return membership


@transaction.atomic
def team_member_remove(*, actor, team: Team, user) -> None:
    """Take someone off a team; refused while they lead it or are in a current rotation."""
    require(actor, "oncall.change_team", team)
    team = Team.objects.select_for_update().get(pk=team.pk)
    if team.lead_id == user.pk:
        raise ValidationError(
            {"user": _("%(user)s leads this team; choose another lead first.") % {"user": user}}
        )
    in_rotation = (
        LayerVersion.objects.filter(layer__schedule__team=team, participants__user=user)
        .filter(Q(effective_until__isnull=True) | Q(effective_until__gt=timezone.now()))
        .first()
    )
    if in_rotation is not None:
        raise ValidationError(
            {
                "user": _(
                    "%(user)s is in the rotation of layer '%(layer)s'; take them out of it first."
                )
                % {"user": user, "layer": in_rotation.name}
            }
        )
    deleted, _rows = Membership.objects.filter(team=team, user=user).delete()
    if deleted:
        record_event(
            "team.member_removed",
            actor=actor,
            target=team,
            data={"user": user.pk, "username": user.username},
        )


@transaction.atomic
def team_set_lead(*, actor, team: Team, lead) -> Team:
    """Make ``lead`` (added as a member if needed) the lead; move the lead's grants."""
    require(actor, "oncall.change_team", team)
    team = Team.objects.select_for_update().get(pk=team.pk)
    if lead is not None:
        _check_person(lead, "lead")
    previous = team.lead
    if (previous.pk if previous else None) == (lead.pk if lead else None):
        return team
    if lead is not None and not Membership.objects.filter(team=team, user=lead).exists():
        Membership.objects.create(team=team, user=lead)
    revoke_lead_permissions(team, previous)
    team.lead = lead
    team.full_clean()
    team.save(update_fields=["lead"])
    grant_lead_permissions(team, lead)
    record_event(
        "team.lead_changed",
        actor=actor,
        target=team,
        data={"from": previous.pk if previous else None, "to": lead.pk if lead else None},
    )
    return team
