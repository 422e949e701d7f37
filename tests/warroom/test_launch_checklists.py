"""Checklist runs that belong to a launch plan: the start form offers the open launches,
starting, completing and abandoning such a run writes to the launch's war-room log (a
failed go/no-go as a NO-GO entry), closed launches are refused with a field error and
nothing written, the run page, the report and the launch pages show the link, the API takes
and returns ``launch``, the demo adds a go/no-go run to its launch, query counts stay flat."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.audit.models import AuditEvent as Event
from apps.core.demo import DemoContext, demo_people_ensure
from apps.oncall.demo import warroom_demo
from apps.warroom import services
from apps.warroom.demo.launch import DEMO_LAUNCH_NAME, launch_demo
from apps.warroom.demo.launch_checklists import checklist_launch_demo
from apps.warroom.models import ChecklistRun, ChecklistTemplate, LaunchLogEntry, LaunchPlan
from tests.warroom import launch_fixtures
from tests.warroom.pdf_text import pdf_text

pytestmark = pytest.mark.django_db

commander = launch_fixtures.commander
make_plan = launch_fixtures.make_plan

GO_NO_GO = "go-no-go"
CUTOVER = "pre-launch-cutover"


@pytest.fixture
def go_no_go():
    return ChecklistTemplate.objects.get(slug=GO_NO_GO)  # seeded by warroom.0004


@pytest.fixture
def cutover():
    return ChecklistTemplate.objects.get(slug=CUTOVER)


@pytest.fixture
def plan(make_plan):
    return make_plan(name="Club pilot → go-live")


def _entries(plan) -> list[LaunchLogEntry]:
    return list(LaunchLogEntry.objects.filter(plan=plan).order_by("created_at", "id"))


def _checklist_entries(plan) -> list[LaunchLogEntry]:
    return [entry for entry in _entries(plan) if "checklist_run" in entry.data]


def _mark_all(run, actor, *, fail=()) -> None:
    for item in run.items.all():
        if item.position in fail:
            services.checklist_item_mark(
                actor=actor, item=item, result="failed", note=f"Measured: bad {item.position}"
            )
        else:
            services.checklist_item_mark(
                actor=actor, item=item, result="passed", evidence_text="grafana link"
            )


def _cancel(plan, actor) -> LaunchPlan:
    return services.launch_plan_set_status(
        actor=actor, plan=plan, status="cancelled", reason="Partner postponed"
    )


def _complete(plan, actor) -> LaunchPlan:
    services.launch_plan_set_status(actor=actor, plan=plan, status="live")
    return services.launch_plan_set_status(actor=actor, plan=plan, status="completed")


# --- services: the link and the war-room log -------------------------------------------------


def test_run_start__for_a_launch__linked_and_start_logged_as_automatic_event(
    plan, go_no_go, commander
):
    before = len(_entries(plan))

    run = services.checklist_run_start(
        actor=commander, template=go_no_go, launch=plan, launch_label="T-1 h"
    )

    run.refresh_from_db()
    assert run.launch == plan and run.launch_label == "T-1 h"
    assert list(plan.checklist_runs.all()) == [run]
    entries = _entries(plan)
    assert len(entries) == before + 1
    entry = entries[-1]
    assert (entry.kind, entry.automatic, entry.author) == ("event", True, commander)
    assert "Go / no-go decision" in entry.text and f"run #{run.pk}" in entry.text
    assert "started by" in entry.text and commander.username in entry.text
    assert entry.data["checklist_run"] == run.pk and entry.data["event"] == "checklist_started"
    event = Event.objects.filter(name="checklist.run_started").order_by("-pk").first()
    assert event.data["launch"] == plan.pk


def test_run_start__without_launch__nothing_in_the_war_room_log(plan, go_no_go, commander):
    before = LaunchLogEntry.objects.count()

    run = services.checklist_run_start(actor=commander, template=go_no_go, launch_label="Drill")
    _mark_all(run, commander)
    services.checklist_run_complete(actor=commander, run=run)

    assert run.launch is None
    assert LaunchLogEntry.objects.count() == before


def test_run_start__finance_runs_checklists_without_log_rights__entries_still_written(
    plan, cutover, make_user
):
    """The entries are the portal's own: running the checklist is enough to leave them."""
    finance = make_user("finance")
    with pytest.raises(PermissionDenied):
        services.launch_log_append(actor=finance, plan=plan, kind="event", text="typed")

    run = services.checklist_run_start(actor=finance, template=cutover, launch=plan)
    _mark_all(run, finance)
    services.checklist_run_complete(actor=finance, run=run)

    entries = _checklist_entries(plan)
    assert [(e.kind, e.author, e.automatic) for e in entries] == [
        ("event", finance, True),
        ("event", finance, True),
    ]
    assert "completed by" in entries[1].text and "passed" in entries[1].text


def test_run_complete__go_no_go_passed__go_no_go_entry(plan, go_no_go, commander):
    run = services.checklist_run_start(actor=commander, template=go_no_go, launch=plan)
    _mark_all(run, commander)

    services.checklist_run_complete(actor=commander, run=run, note="All green")

    entry = _checklist_entries(plan)[-1]
    assert entry.kind == "go_no_go" and entry.automatic
    assert f"run #{run.pk}" in entry.text and ": passed." in entry.text
    assert "All green" in entry.text and "NO-GO" not in entry.text
    assert entry.data["result"] == "passed" and entry.data["no_go"] is False


def test_run_complete__go_no_go_failed__no_go_entry_names_the_failed_items_and_shows_red(
    plan, go_no_go, commander, verified_client
):
    run = services.checklist_run_start(actor=commander, template=go_no_go, launch=plan)
    _mark_all(run, commander, fail={2, 11})

    services.checklist_run_complete(actor=commander, run=run)

    entry = _checklist_entries(plan)[-1]
    assert entry.kind == "go_no_go"
    assert entry.text.startswith("NO-GO:")
    assert "2. P99 latency below 500 ms" in entry.text
    assert "11. Launch SLOs within target" in entry.text
    assert entry.data["no_go"] is True and entry.data["failed_items"] == [2, 11]
    page = verified_client(commander).get(f"/warroom/launches/{plan.pk}/countdown")
    html = page.content.decode()
    row = re.search(rf'<li id="log-{entry.pk}".*?</li>', html, re.S).group(0)
    assert 'class="badge danger"' in row and "NO-GO:" in row


def test_run_complete__other_checklist_failed__event_marked_failed(plan, cutover, commander):
    run = services.checklist_run_start(actor=commander, template=cutover, launch=plan)
    _mark_all(run, commander, fail={1})

    services.checklist_run_complete(actor=commander, run=run)

    entry = _checklist_entries(plan)[-1]
    assert entry.kind == "event" and entry.text.startswith("FAILED:")
    assert entry.data["result"] == "failed" and entry.data["no_go"] is False


def test_run_abandon__for_a_launch__logged_with_the_reason(plan, go_no_go, commander):
    run = services.checklist_run_start(actor=commander, template=go_no_go, launch=plan)

    services.checklist_run_abandon(actor=commander, run=run, reason="Wrong environment")

    entry = _checklist_entries(plan)[-1]
    assert entry.kind == "event" and "abandoned" in entry.text
    assert "Wrong environment" in entry.text


@pytest.mark.parametrize("close", [_cancel, _complete], ids=["cancelled", "completed"])
def test_run_start__closed_launch__field_error_and_nothing_written(
    plan, go_no_go, commander, close
):
    close(plan, commander)
    runs, entries, events = (
        ChecklistRun.objects.count(),
        LaunchLogEntry.objects.count(),
        Event.objects.count(),
    )

    with pytest.raises(ValidationError) as caught:
        services.checklist_run_start(actor=commander, template=go_no_go, launch=plan)

    assert "launch" in caught.value.message_dict
    assert "cannot get new checklist runs" in caught.value.message_dict["launch"][0]
    assert ChecklistRun.objects.count() == runs
    assert LaunchLogEntry.objects.count() == entries
    assert Event.objects.count() == events


def test_run_start__rolled_back_launch__still_takes_runs(plan, go_no_go, commander):
    services.launch_plan_set_status(actor=commander, plan=plan, status="live")
    services.launch_plan_set_status(actor=commander, plan=plan, status="rolled_back", reason="SEV1")

    run = services.checklist_run_start(actor=commander, template=go_no_go, launch=plan)

    assert run.launch_id == plan.pk


# --- pages ---------------------------------------------------------------------------------


def test_start_page__offers_open_launches_and_prefills_from_the_shortcut(
    make_plan, commander, verified_client
):
    open_plan = make_plan(name="Open launch")
    closed = _cancel(make_plan(name="Called-off launch"), commander)

    html = (
        verified_client(commander)
        .get(f"/warroom/checklists/start?template={GO_NO_GO}&launch={open_plan.pk}")
        .content.decode()
    )

    select = re.search(r'<select name="launch".*?</select>', html, re.S).group(0)
    assert re.search(rf'<option value="{open_plan.pk}" selected>Open launch \(Planned\)', select)
    assert closed.name not in select
    assert re.search(r'<option value="go-no-go" selected>', html)


def test_start_page__run_for_a_launch__shown_on_run_and_launch_pages(
    plan, go_no_go, commander, verified_client
):
    client = verified_client(commander)

    response = client.post(
        "/warroom/checklists/start",
        {"template": GO_NO_GO, "environment": "production", "launch": plan.pk},
    )

    run = ChecklistRun.objects.get(launch=plan)
    assert (
        response.status_code == 302
        and response["Location"] == f"/warroom/checklists/runs/{run.pk}/"
    )
    run_page = client.get(response["Location"]).content.decode()
    assert f'href="/warroom/launches/{plan.pk}/" id="run-launch">{plan.name}</a>' in run_page
    for url in (f"/warroom/launches/{plan.pk}/", f"/warroom/launches/{plan.pk}/countdown"):
        html = client.get(url).content.decode()
        section = re.search(
            r'<section class="card" id="launch-checklists">.*?</section>', html, re.S
        )
        assert section, url
        row = re.search(rf'<tr data-run="{run.pk}">.*?</tr>', section.group(0), re.S).group(0)
        assert "Go / no-go decision" in row and "In progress" in row
        assert commander.username in row
        assert f'href="/warroom/checklists/runs/{run.pk}/"' in row
        assert f'href="/warroom/checklists/runs/{run.pk}/report"' in row
    listed = client.get(f"/warroom/checklists/?launch={plan.pk}").content.decode()
    assert f'href="/warroom/launches/{plan.pk}/">{plan.name}</a>' in listed


def test_start_page__cancelled_launch__field_error_and_nothing_written(
    plan, commander, verified_client
):
    _cancel(plan, commander)
    entries = LaunchLogEntry.objects.count()

    response = verified_client(commander).post(
        "/warroom/checklists/start",
        {"template": GO_NO_GO, "environment": "production", "launch": plan.pk},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "completed and cancelled launches cannot get new checklist runs" in html
    assert not ChecklistRun.objects.exists()
    assert LaunchLogEntry.objects.count() == entries


def test_launch_pages__shortcuts_for_people_who_run_checklists_only(
    make_plan, commander, make_user, verified_client
):
    plan = make_plan(name="Open")
    closed = _cancel(make_plan(name="Closed"), commander)
    shortcut = f"/warroom/checklists/start?template={GO_NO_GO}&amp;launch={plan.pk}"
    cutover = f"/warroom/checklists/start?template={CUTOVER}&amp;launch={plan.pk}"

    ic_page = verified_client(commander).get(f"/warroom/launches/{plan.pk}/").content.decode()
    assert shortcut in ic_page and cutover in ic_page
    assert "Start “Go / no-go decision” for this launch" in ic_page
    closed_page = verified_client(commander).get(f"/warroom/launches/{closed.pk}/countdown")
    assert "data-shortcut" not in closed_page.content.decode()
    support = verified_client(make_user("support")).get(f"/warroom/launches/{plan.pk}/")
    html = support.content.decode()
    assert 'id="launch-checklists"' in html and "data-shortcut" not in html


@pytest.fixture
def finished_launch_run(plan, go_no_go, commander):
    run = services.checklist_run_start(actor=commander, template=go_no_go, launch=plan)
    _mark_all(run, commander, fail={1})
    return services.checklist_run_complete(actor=commander, run=run)


def test_report__page_markdown_and_pdf_show_the_launch(
    finished_launch_run, plan, make_user, verified_client
):
    client = verified_client(make_user("support", timezone="Europe/Warsaw"))
    base = f"/warroom/checklists/runs/{finished_launch_run.pk}"

    page = client.get(f"{base}/report").content.decode()
    markdown = client.get(f"{base}/report.md").content.decode()
    pdf = pdf_text(client.get(f"{base}/report.pdf").content)

    row = re.search(r'<tr id="report-launch">.*?</tr>', page, re.S).group(0)
    assert f'href="/warroom/launches/{plan.pk}/">{plan.name}</a>' in row and "Planned" in row
    expected = f"{plan.name} (#{plan.pk}, Planned; T0 2027-03-28 11:00:00 +02:00 (Europe/Warsaw))"
    assert f"- **Launch plan:** {expected}" in markdown
    assert f"Launch plan: {expected}" in pdf.splitlines()


# --- API -----------------------------------------------------------------------------------


def test_api_run_create__with_launch__linked_logged_and_listed(
    plan, go_no_go, commander, verified_api_client, token_client
):
    api = verified_api_client(commander)

    created = api.post(
        "/v1/checklists/runs/",
        {"template": GO_NO_GO, "launch": plan.pk},
        format="json",
        HTTP_IDEMPOTENCY_KEY="go-no-go-1",
    )

    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["launch"] == plan.pk and body["launch_label"] == ""
    run_id = body["id"]
    assert _checklist_entries(plan)[-1].data["checklist_run"] == run_id
    other = services.checklist_run_start(actor=commander, template=go_no_go)
    listed = api.get(f"/v1/checklists/runs/?launch={plan.pk}").json()["results"]
    assert [row["id"] for row in listed] == [run_id]
    everything = {
        row["id"]: row["launch"] for row in api.get("/v1/checklists/runs/").json()["results"]
    }
    assert everything == {run_id: plan.pk, other.pk: None}
    assert api.get(f"/v1/checklists/runs/{run_id}").json()["launch"] == plan.pk
    reader, _token = token_client(scopes=["oncall:read"])
    detail = reader.get(f"/v1/launches/{plan.pk}")
    assert detail.status_code == 200
    assert [(r["id"], r["template"], r["status"]) for r in detail.json()["checklist_runs"]] == [
        (run_id, GO_NO_GO, "in_progress")
    ]


def test_api_run_create__cancelled_or_unknown_launch__400_field_error_nothing_written(
    plan, commander, verified_api_client
):
    _cancel(plan, commander)
    entries = LaunchLogEntry.objects.count()
    api = verified_api_client(commander)

    cancelled = api.post(
        "/v1/checklists/runs/", {"template": GO_NO_GO, "launch": plan.pk}, format="json"
    )
    unknown = api.post(
        "/v1/checklists/runs/", {"template": GO_NO_GO, "launch": 999999}, format="json"
    )
    bad_filter = api.get("/v1/checklists/runs/?launch=abc")

    assert cancelled.status_code == 400
    error = cancelled.json()["error"]
    assert error["code"] == "validation_error"
    assert "cannot get new checklist runs" in error["fields"]["launch"][0]
    assert unknown.status_code == 400 and "launch" in unknown.json()["error"]["fields"]
    assert bad_filter.status_code == 400 and "launch" in bad_filter.json()["error"]["fields"]
    assert not ChecklistRun.objects.exists()
    assert LaunchLogEntry.objects.count() == entries


# --- query counts --------------------------------------------------------------------------


def _runs(plan, template, actor, count):
    for _n in range(count):
        run = services.checklist_run_start(actor=actor, template=template, launch=plan)
        item = run.items.get(position=1)
        services.checklist_item_mark(actor=actor, item=item, result="passed", evidence_text="x")


@pytest.mark.parametrize("page", ["", "countdown"])
def test_launch_pages__query_count_does_not_grow_with_checklist_runs(
    make_plan, go_no_go, commander, verified_client, django_assert_max_num_queries, page
):
    few, many = make_plan(name="Few"), make_plan(name="Many")
    _runs(few, go_no_go, commander, 1)
    _runs(many, go_no_go, commander, 15)
    client = verified_client(commander)
    client.get(f"/warroom/launches/{few.pk}/{page}")

    with django_assert_max_num_queries(16) as one:
        assert client.get(f"/warroom/launches/{few.pk}/{page}").status_code == 200
    with django_assert_max_num_queries(16) as fifteen:
        html = client.get(f"/warroom/launches/{many.pk}/{page}").content.decode()

    assert html.count("<tr data-run=") == 15
    assert len(fifteen.captured_queries) == len(one.captured_queries)


def test_checklist_list_and_api__query_count_does_not_grow_with_launch_runs(
    make_plan,
    go_no_go,
    commander,
    verified_client,
    verified_api_client,
    django_assert_max_num_queries,
):
    plan = make_plan()
    _runs(plan, go_no_go, commander, 1)
    client, api = verified_client(commander), verified_api_client(commander)
    urls = [
        (client, "/warroom/checklists/"),
        (client, f"/warroom/checklists/?launch={plan.pk}&status=in_progress"),
        (api, "/v1/checklists/runs/"),
        (api, f"/v1/launches/{plan.pk}"),
    ]
    counts = {}
    for who, url in urls:
        who.get(url)
        with django_assert_max_num_queries(14) as captured:
            assert who.get(url).status_code == 200
        counts[url] = len(captured.captured_queries)
    for number in range(12):
        other = make_plan(name=f"Other {number}")
        _runs(other, go_no_go, commander, 1)
    _runs(plan, go_no_go, commander, 12)
    for who, url in urls:
        with django_assert_max_num_queries(14) as captured:
            assert who.get(url).status_code == 200
        assert len(captured.captured_queries) == counts[url], url


# --- demo ----------------------------------------------------------------------------------


def test_demo__go_no_go_run_in_progress_for_the_demo_launch__idempotent(db):
    said: list[str] = []
    ctx = DemoContext(say=said.append)
    for person in demo_people_ensure():
        ctx.users[person.user.username] = person.user
    checklist_launch_demo(ctx)  # before the launch step: nothing to attach to, no error
    warroom_demo(ctx)
    launch_demo(ctx)

    checklist_launch_demo(ctx)
    checklist_launch_demo(ctx)  # a second run keeps what the first made

    plan = LaunchPlan.objects.get(name=DEMO_LAUNCH_NAME)
    run = ChecklistRun.objects.get(launch=plan)
    assert run.template.slug == GO_NO_GO and run.status == "in_progress"
    assert run.started_by.username == "commander"
    results = [item.result for item in run.items.order_by("position")]
    assert results[:4] == ["passed"] * 4 and "open" in results
    assert len(_checklist_entries(plan)) == 1
    assert any("go/no-go run" in line for line in said)
