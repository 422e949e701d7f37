"""Objects the API fuzzing run needs, made on top of the demo data.

Run by ``.ci/fuzz_api`` through ``manage.py shell`` against the fuzzing database (never a
real one). Prints one JSON line: the service token with every scope and, per path
parameter, an object that exists, so the fuzzer reaches real objects instead of 404s.
Objects the fuzzer may end (a token to revoke, a feed to rotate, an override to cancel)
are made for it here, so the run never ends what it stands on.
"""

import json
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from apps.accounts.models import ApiToken
from apps.accounts.scopes import SCOPES
from apps.accounts.services import tokens as token_services
from apps.approvals.models import ChangeRequest
from apps.audit.models import AccessLogEntry, AuditEvent, LogEntry
from apps.core.events import record_access
from apps.flags.models import Flag, ScheduledFlagChange
from apps.incidents.models import (
    OPEN_STATUSES,
    ActionItem,
    AlertDelivery,
    AlertGroup,
    AlertRoute,
    Evidence,
    Incident,
    MaintenanceWindow,
)
from apps.notify.models import Channel, OutboxMessage
from apps.notify.services import channel_create
from apps.oncall import services as oncall_services
from apps.oncall.models import EscalationPolicy, Page, RotationLayer, Schedule, Team
from apps.seedconfig.models import ConfigVersion
from apps.support.models import CannedReply, Customer, Transaction
from apps.warroom.models import ChecklistRun, ChecklistTemplate, LaunchPlan

User = get_user_model()
admin = User.objects.get(username="admin")
ops = User.objects.get(username="ops")

account = token_services.service_account_create(
    actor=admin, username="fuzzer", description="API fuzzing in CI"
)
_token, plaintext = token_services.token_create(
    actor=admin, service_account=account, name="every scope", scopes=list(SCOPES)
)
# A second token, the one the fuzzer may revoke.
spare, _spare_plaintext = token_services.token_create(
    actor=admin, service_account=account, name="spare", scopes=["flags:read"]
)

schedule = Schedule.objects.order_by("pk").first()
now = timezone.now()
override = oncall_services.override_create(
    actor=admin,
    schedule=schedule,
    user=schedule.team.memberships.order_by("pk").first().user,
    start=now + timedelta(days=2),
    end=now + timedelta(days=2, hours=4),
    reason="fuzzing",
)
feed, _feed_token = oncall_services.feed_create(actor=admin, kind="person", schedule=None, days=30)
team = Team.objects.order_by("pk").first()
page = Page.objects.order_by("pk").first() or oncall_services.page_trigger(
    actor=admin, team=team, title="Fuzzing page", details="", policy=None
)
plan = LaunchPlan.objects.order_by("pk").first()
run = ChecklistRun.objects.order_by("pk").first()
channel = Channel.objects.order_by("pk").first() or channel_create(
    actor=admin, name="Fuzzing mail", kind="email", config={"recipients": ["ops@example.com"]}
)
# One sensitive read, so the access trail has a record to open.
record_access(
    subject=ConfigVersion.objects.order_by("number").last(),
    reason="API fuzzing set-up",
    actor=admin,
    what="view",
)
outbox = OutboxMessage.objects.order_by("created_at").first()
pending = ChangeRequest.objects.filter(status="pending").order_by("pk").first()


def first_pk(model):
    row = model.objects.order_by("pk").first()
    return row.pk if row is not None else 1


# The demo's open incident (actions, switches, updates) and its resolved one (evidence,
# post-mortem and action items).
open_incident = Incident.objects.filter(status__in=OPEN_STATUSES).order_by("pk").first()
evidence = Evidence.objects.select_related("incident").order_by("pk").first()


print(  # noqa: T201 - the fuzzing script reads this line
    json.dumps(
        {
            "token": plaintext,
            "spare_token": spare.pk,
            "approval": (pending or ChangeRequest.objects.order_by("pk").first()).pk,
            "audit_change": first_pk(LogEntry),
            "audit_event": first_pk(AuditEvent),
            "audit_access": first_pk(AccessLogEntry),
            "checklist_run": run.pk if run else 1,
            "checklist_item": run.items.order_by("position").first().position if run else 1,
            "checklist_template": ChecklistTemplate.objects.order_by("pk").first().slug,
            "config_version": ConfigVersion.objects.order_by("number").last().number,
            "policy": first_pk(EscalationPolicy),
            "flag": Flag.objects.order_by("pk").first().key,
            "scheduled_change": first_pk(ScheduledFlagChange),
            "launch": plan.pk if plan else 1,
            "launch_task": plan.tasks.order_by("pk").first().pk if plan else 1,
            "channel": channel.pk if channel else 1,
            "outbox": str(outbox.pk) if outbox else "00000000-0000-0000-0000-000000000000",
            "feed": feed.pk,
            "layer": first_pk(RotationLayer),
            "override": override.pk,
            "schedule": schedule.pk,
            "page": page.pk,
            "service_account": account.pk,
            "team": team.slug,
            "tokens": ApiToken.objects.count(),
            "customer": first_pk(Customer),
            "transaction": first_pk(Transaction),
            "reply": first_pk(CannedReply),
            "incident": open_incident.number if open_incident else "INC-2026-0001",
            "evidence_incident": evidence.incident.number if evidence else "INC-2026-0001",
            "evidence": evidence.pk if evidence else 1,
            "action_item": first_pk(ActionItem),
            "alert_group": first_pk(AlertGroup),
            "alert_delivery": first_pk(AlertDelivery),
            "alert_route": first_pk(AlertRoute),
            "maintenance_window": first_pk(MaintenanceWindow),
        }
    )
)
