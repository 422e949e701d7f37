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

# The short names pages show for the roles (the role's identifier stays in the data).
ROLE_LABELS: dict[str, str] = {
    SUPER_ADMIN: _("Super admin"),
    OPS: _("Ops"),
    FINANCE: _("Finance"),
    REVIEWER: _("Reviewer"),
    SUPPORT: _("Support"),
    INCIDENT_COMMANDER: _("Incident commander"),
}

# What every verified person may do regardless of role.
_EVERYONE = {
    "accounts.view_user",
    "approvals.view_changerequest",
    "seedconfig.view_config",
    # War room: everyone sees who is on call and pages, and can acknowledge a page.
    "oncall.view_team",
    "oncall.view_schedule",
    "oncall.view_rotationlayer",
    "oncall.view_override",
    "oncall.view_escalationpolicy",
    "oncall.view_page",
    "oncall.acknowledge_page",
    # Launch plans and the war-room log: everyone sees them.
    "warroom.view_launchplan",
    "warroom.view_launchlogentry",
    # War room checklists: everyone sees templates, runs and their reports.
    "warroom.view_checklisttemplate",
    "warroom.view_checklistrun",
    # Flags: everyone sees the kill switches and gates and their history.
    "flags.view_flag",
    "flags.view_flagstate",
    "flags.view_scheduledflagchange",
    # Incidents: all staff see every incident, its timeline and the severity levels.
    "incidents.view_incident",
    "incidents.view_severity",
    "incidents.view_timelineentry",
    # Incident status updates: everyone sees what was told to whom, and the templates.
    "incidents.view_statusupdate",
    "incidents.view_statustemplate",
    "incidents.view_postmortem",
    "incidents.view_actionitem",
    # Evidence: everyone lists and downloads it (each download is in the access log);
    # attaching needs the right to run the incident (incidents.change_incident).
    "incidents.view_evidence",
    # Alerts: all staff see alert groups, deliveries and their decision logs, routes and
    # maintenance windows.
    "incidents.view_alertgroup",
    # ... and the same records in the back office (read-only there).
    "incidents.view_alertdelivery",
    "incidents.view_alert",
    "incidents.view_alertdecision",
    "incidents.view_alertpage",
    "incidents.view_alertroute",
    "incidents.view_maintenancewindow",
}

# Incidents: anyone on duty declares (reviewers only read). Incident commanders and super
# admins run any incident; whoever holds a role in one incident gets a per-object grant of
# ``incidents.change_incident`` on it (apps.incidents.services.roles).
_INCIDENT_DECLARE = {"incidents.add_incident"}
_INCIDENT_RUN_ANY = {"incidents.add_incident", "incidents.change_incident"}
# Status update templates: edited by incident commanders and super admins.
_INCIDENT_TEMPLATES = {"incidents.add_statustemplate", "incidents.change_statustemplate"}
# Alert routes (and their test alert) and maintenance windows: ops and super admins.
_ALERTS_MANAGE = {
    "incidents.add_alertroute",
    "incidents.change_alertroute",
    "incidents.add_maintenancewindow",
    "incidents.change_maintenancewindow",
}

# Flags: the safe direction (block / close) is anyone's on duty; the risky direction
# (unblock / open) is ops and super admins, and for fund flags it files a change request
# that a super admin approves (approvals.approve_change). Support sets user-scoped states.
_FLAGS_BLOCK = {"flags.block_flag"}
_FLAGS_OPERATE = {
    "flags.block_flag",
    "flags.unblock_flag",
    "flags.set_user_scope",
    "flags.schedule_change",
}

# War room: who runs teams, schedules and policies (team leads also get per-object
# grants on their own team's schedules and policies through django-guardian).
_WARROOM_MANAGE = {
    "oncall.add_team",
    "oncall.change_team",
    "oncall.add_schedule",
    "oncall.change_schedule",
    "oncall.add_escalationpolicy",
    "oncall.change_escalationpolicy",
    "oncall.trigger_page",
    "oncall.send_test_page",
    "oncall.view_calendarfeed",
}

# War room checklists: who starts runs and marks their items (finance too: the daily
# reconcile/treasury items and the financial safety verification are theirs), and who
# edits the templates (ops and super admins).
_CHECKLIST_RUN = {"warroom.run_checklist"}
_CHECKLIST_MANAGE = {"warroom.add_checklisttemplate", "warroom.change_checklisttemplate"}

# Launch plans: ops, incident commanders and super admins create plans, move T0, go live
# or roll back, add tasks and criteria, move any task and write any war-room log entry.
# A task's owners (person or team members) may move that task and add notes/events to
# its launch's log: checked per task in apps.warroom.services.launch.
_LAUNCH_MANAGE = {
    "warroom.add_launchplan",
    "warroom.change_launchplan",
    "warroom.change_launchtask",
    "warroom.add_launchlogentry",
}

# Support (apps.support). Who does what with the customer read models:
# - reading (search, customer and transaction pages, diagnostics, canned replies to copy):
#   support, whose job it is, and the roles that chase customer-facing problems with them —
#   ops (stuck transactions, the daily routine), finance (refunds, payouts, reconcile),
#   incident commanders (who is hit by an incident) and super admins. Reviewers review
#   projects, not customers: no access. Every look is in the access log.
# - amounts (``support.view_amounts``): finance and super admins only. Support answers with
#   statuses, hashes and times; the figures of a customer's money are financial data, so
#   pages and API answers show them masked to everyone else.
# - email and names (``support.reveal_pii``): masked for everyone; revealing asks for a
#   reason code and a ticket each time and is logged. Held by super admins and granted to
#   support leads.
# - ``support.manage_cannedreply`` (edit the replies) and ``support.review_lookups`` (the
#   supervisor page sampling lookups by agent) are the support lead's. There is no support
#   lead role: a super admin makes a support person a lead on the Support leads page, which
#   grants the person these permissions directly (Django user permissions) together with
#   ``support.reveal_pii``, and records who did it. Super admins hold all three here.
# - support actions (freeze a customer's claims, block their posting, request the
#   unfreeze) are user-scoped flag states: ``flags.set_user_scope`` above decides.
_SUPPORT_READ = {"support.view_customer"}
_SUPPORT_LEAD = {
    "support.manage_cannedreply",
    "support.review_lookups",
    "support.reveal_pii",
}

ROLE_PERMISSIONS: dict[str, set[str]] = {
    SUPER_ADMIN: _EVERYONE
    | _WARROOM_MANAGE
    | _LAUNCH_MANAGE
    | _CHECKLIST_RUN
    | _CHECKLIST_MANAGE
    | {
        "accounts.assign_role",
        "accounts.reset_mfa",
        "accounts.manage_service_accounts",
        "accounts.view_loginlockout",
        "accounts.lift_loginlockout",
        "approvals.approve_change",
        "approvals.manage_freeze",
        "audit.view_audit_trail",
        "audit.export_audit_trail",
        "notify.view_channel",
        "notify.manage_channel",
        "notify.view_outbox",
        "seedconfig.request_change",
        "flags.add_flag",
        "support.view_amounts",
    }
    | _FLAGS_OPERATE
    | _SUPPORT_READ
    | _SUPPORT_LEAD
    | _INCIDENT_RUN_ANY
    | _INCIDENT_TEMPLATES
    | _ALERTS_MANAGE
    | {"incidents.add_severity", "incidents.change_severity"},
    OPS: _EVERYONE
    | _WARROOM_MANAGE
    | _LAUNCH_MANAGE
    | _CHECKLIST_RUN
    | _CHECKLIST_MANAGE
    | _FLAGS_OPERATE
    | _SUPPORT_READ
    | _INCIDENT_DECLARE
    | _ALERTS_MANAGE
    | {
        "audit.view_audit_trail",
        "notify.view_channel",
        "notify.manage_channel",
        "notify.view_outbox",
    },
    FINANCE: _EVERYONE
    | _CHECKLIST_RUN
    | _SUPPORT_READ
    | _INCIDENT_DECLARE
    | {
        "notify.view_channel",
        "seedconfig.request_change",
        "support.view_amounts",
    },
    REVIEWER: _EVERYONE
    | {
        "audit.view_audit_trail",
    },
    SUPPORT: _EVERYONE | _SUPPORT_READ | _INCIDENT_DECLARE | {"flags.set_user_scope"},
    INCIDENT_COMMANDER: _EVERYONE
    | _LAUNCH_MANAGE
    | _CHECKLIST_RUN
    | _FLAGS_BLOCK
    | _SUPPORT_READ
    | _INCIDENT_RUN_ANY
    | _INCIDENT_TEMPLATES
    | {
        "oncall.trigger_page",
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
