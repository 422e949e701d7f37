"""A create form submitted twice creates one row (the one-time form token).

Each case opens the page that shows the form, takes the token the page rendered into
that form, posts the same form twice and counts the rows: one. The second answer sends
the person where the first one led and says the form was already submitted.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time, timedelta

import pytest
from django.utils import timezone

from apps.accounts.models import ApiToken
from apps.approvals.models import FreezeWindow
from apps.core.models import FormSubmission
from apps.flags.models import ScheduledFlagChange
from apps.notify.models import Channel, ContactMethod
from apps.oncall import services as oncall
from apps.oncall.models import CalendarFeed, Override, Page, RotationLayer
from apps.warroom import services as warroom_services
from apps.warroom.models import (
    ChecklistRun,
    ChecklistTemplate,
    LaunchLogEntry,
    LaunchPlan,
    LaunchTask,
    RollbackCriterion,
)
from tests.factories import ServiceAccountFactory

pytestmark = pytest.mark.django_db

_FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S)
_ACTION = re.compile(r'action="([^"]*)"')
_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


def token_in(html: str, action: str, page_url: str) -> str:
    """The one-time token inside the form of ``html`` that posts to ``action``."""
    for attributes, body in _FORM.findall(html):
        found = _ACTION.search(attributes)
        target = found.group(1) if found else page_url
        token = _TOKEN.search(body)
        if target.split("?")[0] == action and token:
            return token.group(1)
    raise AssertionError(f"no form posting to {action} with a token on {page_url}")


@pytest.fixture
def world(make_user, verified_client):
    actor = make_user("super_admin", "ops", username="maker")
    alice = make_user("support", username="alice")
    team = oncall.team_create(actor=actor, name="Once team", slug="once-team")
    for member in (actor, alice):
        oncall.team_member_add(actor=actor, team=team, user=member)
    schedule = oncall.schedule_create(
        actor=actor, team=team, kind="primary", timezone_name="Asia/Jakarta"
    )
    oncall.layer_create(
        actor=actor,
        schedule=schedule,
        name="Daily",
        shift_kind="daily",
        shift_length=1,
        handoff_time=time(9, 0),
        start_date=timezone.localdate() - timedelta(days=2),
        participants=[alice, actor],
    )
    policy = oncall.policy_create(
        actor=actor, team=team, name="Lead", steps=[{"kind": "notify_team_lead"}]
    )
    plan = warroom_services.launch_plan_create(
        actor=actor, name="Go-live", t0=timezone.now() + timedelta(days=10)
    )
    return {
        "client": verified_client(actor),
        "actor": actor,
        "alice": alice,
        "team": team,
        "schedule": schedule,
        "policy": policy,
        "plan": plan,
        "account": ServiceAccountFactory(),
    }


@dataclass(frozen=True)
class Case:
    name: str
    page: Callable[[dict], str]
    action: Callable[[dict], str]
    data: Callable[[dict], dict]
    rows: Callable[[], int]

    def __str__(self) -> str:
        return self.name


LATER = (timezone.now() + timedelta(days=30)).strftime("%Y-%m-%dT10:00")
LATER_END = (timezone.now() + timedelta(days=31)).strftime("%Y-%m-%dT10:00")


def _override(w, prefix=""):
    return {
        f"{prefix}schedule": w["schedule"].pk,
        f"{prefix}user": w["alice"].pk,
        f"{prefix}start": LATER,
        f"{prefix}end": LATER_END,
        f"{prefix}reason": "dentist",
    }


CASES = [
    Case(
        "override (schedule page)",
        lambda w: f"/warroom/schedules/{w['schedule'].pk}/",
        lambda w: f"/warroom/schedules/{w['schedule'].pk}/overrides/new",
        _override,
        lambda: Override.objects.count(),
    ),
    Case(
        "override (on-call board)",
        lambda w: "/warroom/",
        lambda w: f"/warroom/teams/{w['team'].slug}/override",
        lambda w: _override(w, prefix=f"team-{w['team'].pk}-"),
        lambda: Override.objects.count(),
    ),
    Case(
        "rotation layer",
        lambda w: f"/warroom/schedules/{w['schedule'].pk}/layers/new",
        lambda w: f"/warroom/schedules/{w['schedule'].pk}/layers/new",
        lambda w: {
            "name": "Weekend",
            "priority": 2,
            "shift_kind": "daily",
            "shift_length": 1,
            "handoff_time": "09:00",
            "days_of_week": [5, 6],
            "start_date": (date.today() + timedelta(days=3)).isoformat(),
            "participants": "alice",
        },
        lambda: RotationLayer.objects.count(),
    ),
    Case(
        "contact method",
        lambda w: "/notify/contact-methods/",
        lambda w: "/notify/contact-methods/",
        lambda w: {"kind": "email", "target": "maker@example.test", "label": "work"},
        lambda: ContactMethod.objects.count(),
    ),
    Case(
        "page trigger",
        lambda w: f"/warroom/teams/{w['team'].slug}/",
        lambda w: f"/warroom/teams/{w['team'].slug}/page",
        lambda w: {"title": "Indexer lag", "details": "", "policy": w["policy"].pk},
        lambda: Page.objects.count(),
    ),
    Case(
        "test page",
        lambda w: f"/warroom/teams/{w['team'].slug}/",
        lambda w: f"/warroom/teams/{w['team'].slug}/test-page",
        lambda w: {},
        lambda: Page.objects.count(),
    ),
    Case(
        "scheduled flag change",
        lambda w: "/flags/scheduled/",
        lambda w: "/flags/scheduled/",
        lambda w: {
            "flag": "contribute",
            "state": "blocked",
            "scope_kind": "global",
            "scope_value": "",
            "run_at": LATER,
            "reason": "maintenance window",
        },
        lambda: ScheduledFlagChange.objects.count(),
    ),
    Case(
        "launch plan",
        lambda w: "/warroom/launches/new",
        lambda w: "/warroom/launches/new",
        lambda w: {"plan-name": "Second launch", "plan-t0": LATER, "plan-description": ""},
        lambda: LaunchPlan.objects.count(),
    ),
    Case(
        "launch task",
        lambda w: f"/warroom/launches/{w['plan'].pk}/tasks/new",
        lambda w: f"/warroom/launches/{w['plan'].pk}/tasks/new",
        lambda w: {
            "task-phase": w["plan"].phases.first().pk,
            "task-title": "Freeze the release candidate",
            "task-offset": "T-2 h",
        },
        lambda: LaunchTask.objects.count(),
    ),
    Case(
        "rollback criterion",
        lambda w: f"/warroom/launches/{w['plan'].pk}/",
        lambda w: f"/warroom/launches/{w['plan'].pk}/criteria/new",
        lambda w: {"criterion-condition": "p95 over 15 min", "criterion-action": "roll back"},
        lambda: RollbackCriterion.objects.count(),
    ),
    Case(
        "war-room log entry",
        lambda w: "/warroom/launch-log/",
        lambda w: "/warroom/launch-log/append",
        lambda w: {"log-kind": "note", "log-text": "Canary looks fine", "back": "log"},
        lambda: LaunchLogEntry.objects.count(),
    ),
    Case(
        "checklist run",
        lambda w: "/warroom/checklists/start",
        lambda w: "/warroom/checklists/start",
        lambda w: {"template": "prod-smoke-test", "environment": "production"},
        lambda: ChecklistRun.objects.count(),
    ),
    Case(
        "freeze window",
        lambda w: "/approvals/freeze/",
        lambda w: "/approvals/freeze/",
        lambda w: {
            "name": "Release freeze",
            "kind": "code_freeze",
            "starts_at": LATER,
            "ends_at": LATER_END,
            "reason": "release",
        },
        lambda: FreezeWindow.objects.count(),
    ),
    Case(
        "calendar feed",
        lambda w: "/warroom/feeds/",
        lambda w: "/warroom/feeds/",
        lambda w: {"days": 30},
        lambda: CalendarFeed.objects.count(),
    ),
    Case(
        "notification channel",
        lambda w: "/notify/channels/new/",
        lambda w: "/notify/channels/new/",
        lambda w: {
            "name": "Ops mail",
            "kind": "email",
            "recipients": "ops@example.test",
            "enabled": "on",
        },
        lambda: Channel.objects.count(),
    ),
    Case(
        "API token",
        lambda w: f"/service-accounts/{w['account'].pk}/tokens/new/",
        lambda w: f"/service-accounts/{w['account'].pk}/tokens/new/",
        lambda w: {
            "name": "indexer",
            "scopes": ["flags:read"],
            "expires_on": (date.today() + timedelta(days=30)).isoformat(),
        },
        lambda: ApiToken.objects.count(),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_create_form__submitted_twice__one_row_and_a_message(world, case):
    client = world["client"]
    page_url, action = case.page(world), case.action(world)
    page = client.get(page_url)
    assert page.status_code == 200
    token = token_in(page.content.decode(), action, page_url)
    before = case.rows()

    first = client.post(action, {**case.data(world), "form_token": token})
    second = client.post(action, {**case.data(world), "form_token": token})

    assert first.status_code in (200, 201, 302), first.content.decode()[:2000]
    assert case.rows() == before + 1
    assert second.status_code == 302
    if first.status_code == 302:
        assert second["Location"] == first["Location"]
    shown = client.get(second["Location"])
    assert "already submitted" in shown.content.decode()
    assert FormSubmission.objects.filter(token=token).count() == 1


def test_create_form__first_submit_invalid__the_same_token_may_be_sent_again(world):
    client = world["client"]
    url = "/warroom/checklists/start"
    token = token_in(client.get(url).content.decode(), url, url)

    refused = client.post(url, {"template": "no-such", "form_token": token})
    accepted = client.post(
        url, {"template": "prod-smoke-test", "environment": "production", "form_token": token}
    )

    assert refused.status_code == 400
    assert accepted.status_code == 302
    assert ChecklistRun.objects.count() == 1


def test_create_form__htmx_double_submit__second_answer_empty(world):
    client = world["client"]
    plan = world["plan"]
    countdown = client.get(f"/warroom/launches/{plan.pk}/countdown").content.decode()
    token = token_in(countdown, "/warroom/launch-log/append", "")
    data = {"plan": plan.pk, "log-kind": "note", "log-text": "go", "form_token": token}

    first = client.post("/warroom/launch-log/append", data, HTTP_HX_REQUEST="true")
    second = client.post("/warroom/launch-log/append", data, HTTP_HX_REQUEST="true")

    assert first.status_code == 200 and second.status_code == 204
    assert LaunchLogEntry.objects.filter(text="go").count() == 1


def test_create_form__post_without_a_token__works_as_before(world):
    client = world["client"]
    response = client.post(
        "/warroom/checklists/start", {"template": "prod-smoke-test", "environment": "staging"}
    )
    assert response.status_code == 302
    assert ChecklistRun.objects.filter(environment="staging").count() == 1
    assert not FormSubmission.objects.exists()


def test_create_form__rendered_twice__two_different_tokens(world):
    client = world["client"]
    url = "/warroom/checklists/start"
    first = token_in(client.get(url).content.decode(), url, url)
    second = token_in(client.get(url).content.decode(), url, url)
    assert first != second
    assert ChecklistTemplate.objects.filter(slug="prod-smoke-test").exists()


@pytest.mark.postgres
def test_create_form__two_submits_at_the_same_moment__one_row(transactional_db, make_user):
    """A double click sends both submissions before the first answers: the token's
    unique row lets exactly one of them run."""
    import threading

    from django.db import connection
    from django.test import Client

    from tests.conftest import verify_session

    person = make_user("ops", username="double-clicker")
    # An earlier transactional test's flush may have removed the seeded templates.
    if not ChecklistTemplate.objects.filter(slug="prod-smoke-test").exists():
        from apps.warroom import services as warroom_services

        warroom_services.checklist_template_create(
            actor=make_user("ops"),
            name="Prod smoke test",
            slug="prod-smoke-test",
            kind="verification",
            items=[{"title": "Login and wallet link"}],
        )
    clients = [Client(), Client()]
    for client in clients:
        verify_session(client, person)
    url = "/warroom/checklists/start"
    token = token_in(clients[0].get(url).content.decode(), url, url)
    data = {"template": "prod-smoke-test", "environment": "production", "form_token": token}
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []
    lock = threading.Lock()

    def submit(client):
        try:
            barrier.wait(timeout=30)
            response = client.post(url, data)
            with lock:
                statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(statuses) == [302, 302], statuses
    assert ChecklistRun.objects.filter(started_by=person).count() == 1
    assert FormSubmission.objects.filter(token=token).count() == 1
