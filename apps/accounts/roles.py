"""The roles (Django Groups) and the permissions each one holds.

This mapping is the single source of truth. Groups are created by a data migration;
after every ``migrate`` the groups' permissions are set to exactly this mapping
(``sync_role_permissions``), so a later app adds its permissions here and nowhere else.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

SUPER_ADMIN = "super_admin"
OPS = "ops"
FINANCE = "finance"
REVIEWER = "reviewer"
SUPPORT = "support"
INCIDENT_COMMANDER = "incident_commander"

ROLES: dict[str, str] = {
    SUPER_ADMIN: _("Super admin: approves configuration and fund changes, grants roles"),
    OPS: _("Ops: kill switches, checklists, the daily routine"),
    FINANCE: _("Finance: treasury, fee rules, reconciliation"),
    REVIEWER: _("Reviewer: reviews projects and rounds; read access"),
    SUPPORT: _("Support: customer lookup, diagnostics, canned replies"),
    INCIDENT_COMMANDER: _("Incident commander: leads incidents, grants freeze exceptions"),
}

# What every verified person may do regardless of role.
_EVERYONE = {
    "accounts.view_user",
    "approvals.view_changerequest",
    "seedconfig.view_config",
    # War room: everyone sees who is on call and pages, and can acknowledge a page.
    "warroom.view_team",
    "warroom.view_schedule",
    "warroom.view_rotationlayer",
    "warroom.view_override",
    "warroom.view_escalationpolicy",
    "warroom.view_page",
    "warroom.acknowledge_page",
}

# War room: who runs teams, schedules and policies (team leads also get per-object
# grants on their own team's schedules and policies through django-guardian).
_WARROOM_MANAGE = {
    "warroom.add_team",
    "warroom.change_team",
    "warroom.add_schedule",
    "warroom.change_schedule",
    "warroom.add_escalationpolicy",
    "warroom.change_escalationpolicy",
    "warroom.trigger_page",
    "warroom.send_test_page",
    "warroom.view_calendarfeed",
}

ROLE_PERMISSIONS: dict[str, set[str]] = {
    SUPER_ADMIN: _EVERYONE
    | _WARROOM_MANAGE
    | {
        "accounts.assign_role",
        "accounts.reset_mfa",
        "accounts.manage_service_accounts",
        "approvals.approve_change",
        "approvals.manage_freeze",
        "audit.view_audit_trail",
        "audit.export_audit_trail",
        "notify.view_channel",
        "notify.manage_channel",
        "notify.view_outbox",
        "seedconfig.request_change",
    },
    OPS: _EVERYONE
    | _WARROOM_MANAGE
    | {
        "audit.view_audit_trail",
        "notify.view_channel",
        "notify.manage_channel",
        "notify.view_outbox",
    },
    FINANCE: _EVERYONE
    | {
        "notify.view_channel",
        "seedconfig.request_change",
    },
    REVIEWER: _EVERYONE
    | {
        "audit.view_audit_trail",
    },
    SUPPORT: _EVERYONE | set(),
    INCIDENT_COMMANDER: _EVERYONE
    | {
        "warroom.trigger_page",
        "approvals.grant_freeze_exception",
        "approvals.manage_freeze",
        "audit.view_audit_trail",
        "notify.view_channel",
        "notify.view_outbox",
    },
}


def sync_role_permissions(group_model=None, permission_model=None) -> None:
    """Create the groups and set each one's permissions to exactly ROLE_PERMISSIONS.

    Permissions not yet created (an app not migrated) are skipped; the next migrate adds
    them.
    """
    if group_model is None or permission_model is None:
        from django.contrib.auth.models import Group, Permission

        group_model, permission_model = Group, Permission
    wanted = {perm for perms in ROLE_PERMISSIONS.values() for perm in perms}
    by_name = {}
    for perm in permission_model.objects.select_related("content_type").filter(
        codename__in={p.split(".", 1)[1] for p in wanted}
    ):
        by_name[f"{perm.content_type.app_label}.{perm.codename}"] = perm
    for role, perms in ROLE_PERMISSIONS.items():
        group, _created = group_model.objects.get_or_create(name=role)
        group.permissions.set([by_name[p] for p in sorted(perms) if p in by_name])
