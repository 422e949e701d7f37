"""Checklist pages: list, start, marking items with htmx (field errors), completing, the
report page and its Markdown and PDF downloads, evidence files, query budgets."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.warroom import services
from apps.warroom.models import ChecklistRun, ChecklistTemplate
from tests.warroom.pdf_text import pdf_text

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def template(ops):
    return services.checklist_template_create(
        actor=ops,
        name="Smoke — дым — asap",
        slug="smoke-pages",
        kind="verification",
        items=[
            {"title": "Login and wallet link"},
            {"title": "Reconcile | ledger", "evidence_required": True},
            {"title": "Проверка индексатора (indexer)"},
            {"title": "Spam reports", "required": False},
        ],
    )


@pytest.fixture
def run(template, ops):
    return services.checklist_run_start(actor=ops, template=template, launch_label="Pilot T0")


def _item(run, position):
    return run.items.get(position=position)


def _mark(client, run, position, **data):
    body = {f"i{position}-{key}": value for key, value in data.items()}
    return client.post(f"/warroom/checklists/runs/{run.pk}/items/{position}", body, **HTMX)


def test_list_page__templates_runs_in_progress_and_recent(run, ops, verified_client, make_user):
    done = services.checklist_run_start(actor=ops, template=run.template)
    services.checklist_run_abandon(actor=ops, run=done, reason="test")
    client = verified_client(make_user("support"))

    response = client.get("/warroom/checklists/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Daily ops — morning" in html and "Go / no-go decision" in html  # seeded
    assert f'href="/warroom/checklists/runs/{run.pk}/"' in html
    assert f'href="/warroom/checklists/runs/{done.pk}/"' in html
    assert "Start a run" not in html  # support may look, not run


def test_list_page__query_budget(ops, verified_client, template, django_assert_max_num_queries):
    for _n in range(30):
        services.checklist_run_start(actor=ops, template=template)
    client = verified_client(ops)
    client.get("/warroom/checklists/")
    with django_assert_max_num_queries(12):
        response = client.get("/warroom/checklists/?page=2")
    assert response.status_code == 200


def test_start_page__starts_a_run(template, ops, verified_client):
    client = verified_client(ops)
    assert client.get(f"/warroom/checklists/start?template={template.slug}").status_code == 200

    response = client.post(
        "/warroom/checklists/start",
        {"template": template.slug, "environment": "staging", "launch_label": "Canary"},
    )

    run = ChecklistRun.objects.get(template=template)
    assert (
        response.status_code == 302
        and response["Location"] == f"/warroom/checklists/runs/{run.pk}/"
    )
    assert (run.environment, run.launch_label, run.started_by) == ("staging", "Canary", ops)
    assert run.items.count() == 4


def test_start_page__bad_input__field_errors(ops, verified_client):
    response = verified_client(ops).post(
        "/warroom/checklists/start", {"template": "no-such", "environment": "moon"}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert html.count('class="errorlist') >= 2
    assert not ChecklistRun.objects.exists()


def test_run_page__mark_with_htmx__item_and_summary_swapped(run, ops, verified_client):
    client = verified_client(ops)

    response = _mark(client, run, 1, result="passed", note="All good")

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="item-1"' in html and "All good" in html
    assert 'hx-swap-oob="true"' in html and "1 passed" in html
    item = _item(run, 1)
    assert (item.result, item.marked_by, item.note) == ("passed", ops, "All good")


def test_run_page__mark_without_htmx__redirects_back(run, ops, verified_client):
    response = verified_client(ops).post(
        f"/warroom/checklists/runs/{run.pk}/items/1", {"i1-result": "passed"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/warroom/checklists/runs/{run.pk}/#item-1"


@pytest.mark.parametrize(
    ("position", "data", "field", "message"),
    [
        (2, {"result": "passed"}, "evidence_text", "needs evidence"),
        (1, {"result": "failed"}, "note", "needs one"),
        (1, {"result": "skipped", "note": " "}, "note", "needs one"),
        (1, {"result": "maybe"}, "result", "Select a valid choice"),
        (1, {}, "result", "This field is required"),
        (1, {"result": "passed", "note": "x" * 2001}, "note", "at most 2000"),
    ],
)
def test_run_page__bad_marks__field_errors_on_the_item(
    run, ops, verified_client, position, data, field, message
):
    response = _mark(verified_client(ops), run, position, **data)

    html = response.content.decode()
    assert response.status_code == 200  # htmx swaps the item with its errors in place
    assert f'id="item-{position}"' in html
    errors = re.search(
        rf'name="i{position}-{field}".*?<ul class="errorlist[^"]*">(.*?)</ul>', html, re.S
    ) or re.search(
        rf'<ul class="errorlist[^"]*" id="id_i{position}-{field}_error">(.*?)</ul>', html, re.S
    )
    assert errors is not None and message.lower() in errors.group(1).lower(), html
    assert _item(run, position).result == "open"


def test_run_page__bad_mark_without_htmx__400_page_with_errors(run, ops, verified_client):
    response = verified_client(ops).post(
        f"/warroom/checklists/runs/{run.pk}/items/2", {"i2-result": "passed"}
    )
    assert response.status_code == 400
    assert "needs evidence" in response.content.decode()


def test_run_page__bad_mark_without_htmx__summary_at_the_top_links_to_the_field(
    run, ops, verified_client
):
    response = verified_client(ops).post(
        f"/warroom/checklists/runs/{run.pk}/items/2", {"i2-result": "passed"}
    )

    html = response.content.decode()
    assert response.status_code == 400
    summary = html.index('class="error-summary"')
    assert summary < html.index('id="item-1"'), "the summary comes before every item"
    assert 'href="#id_i2-evidence_text"' in html[summary:]
    assert "Item 2" in html[summary : html.index('id="item-1"')]


def test_run_page__bad_mark_with_htmx__summary_swapped_in_at_the_top(run, ops, verified_client):
    client = verified_client(ops)

    refused = _mark(client, run, 2, result="passed").content.decode()
    accepted = _mark(client, run, 2, result="passed", evidence_text="tx 0xabc").content.decode()

    assert '<div id="form-errors" hx-swap-oob="true">' in refused
    assert 'href="#id_i2-evidence_text"' in refused
    # once the item is marked, the summary at the top is emptied
    after = accepted[accepted.index('<div id="form-errors"') :]
    assert "error-summary" not in after


def test_run_page__no_such_item__404(run, ops, verified_client):
    assert _mark(verified_client(ops), run, 99, result="passed").status_code == 404


def test_run_page__people_without_the_role_see_no_forms_and_cannot_mark(
    run, verified_client, make_user
):
    client = verified_client(make_user("support"))
    html = client.get(f"/warroom/checklists/runs/{run.pk}/").content.decode()
    assert "Mark this item" not in html and "Complete the run" not in html
    assert _mark(client, run, 1, result="passed").status_code == 403
    assert _item(run, 1).result == "open"


def test_run_page__query_budget(
    run, ops, verified_client, make_user, django_assert_max_num_queries
):
    finance = make_user("finance")
    for item in run.items.all():
        services.checklist_item_mark(actor=ops, item=item, result="failed", note="first")
        services.checklist_item_mark(
            actor=finance, item=item, result="passed", note="fixed", evidence_text="proof"
        )
    client = verified_client(ops)
    client.get(f"/warroom/checklists/runs/{run.pk}/")
    with django_assert_max_num_queries(10):
        response = client.get(f"/warroom/checklists/runs/{run.pk}/")
    assert response.status_code == 200
    assert response.content.decode().count('class="card checklist-item"') == 4


def test_complete_page__refused_while_required_open__then_completed(run, ops, verified_client):
    client = verified_client(ops)
    response = client.post(f"/warroom/checklists/runs/{run.pk}/complete", {}, follow=True)
    assert "required item(s) are still open" in response.content.decode()
    run.refresh_from_db()
    assert run.status == "in_progress"

    _mark(client, run, 1, result="passed")
    _mark(client, run, 2, result="passed", evidence_text="https://grafana.example/d/1")
    _mark(client, run, 3, result="skipped", note="indexer paused for maintenance")
    response = client.post(f"/warroom/checklists/runs/{run.pk}/complete", {"note": "ok"})

    run.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == f"/warroom/checklists/runs/{run.pk}/report"
    assert (run.status, run.result, run.completed_by) == ("completed", "passed_with_skips", ops)


def test_abandon_page__needs_a_reason(run, ops, verified_client):
    client = verified_client(ops)
    response = client.post(
        f"/warroom/checklists/runs/{run.pk}/abandon", {"reason": ""}, follow=True
    )
    assert "This field is required" in response.content.decode()
    client.post(f"/warroom/checklists/runs/{run.pk}/abandon", {"reason": "wrong template"})
    run.refresh_from_db()
    assert (run.status, run.closing_note) == ("abandoned", "wrong template")


# --- the report ----------------------------------------------------------------------------


@pytest.fixture
def finished_run(run, ops, make_user):
    finance = make_user("finance", username="dewi-fin", first_name="Dewi", last_name="Lestari")
    items = {i.position: i for i in run.items.all()}
    with time_machine.travel(datetime(2027, 3, 28, 7, 0, 5, tzinfo=UTC), tick=False):
        services.checklist_item_mark(actor=ops, item=items[1], result="passed", note="ok")
    with time_machine.travel(datetime(2027, 3, 28, 7, 10, tzinfo=UTC), tick=False):
        services.checklist_item_mark(
            actor=finance,
            item=items[2],
            result="failed",
            note="Selisih 12.50 USDC — тикет FIN-231",
            evidence_text="https://grafana.example/reconcile",
        )
    with time_machine.travel(datetime(2027, 3, 28, 7, 20, tzinfo=UTC), tick=False):
        services.checklist_item_mark(
            actor=ops, item=items[3], result="skipped", note="Индексатор на обслуживании"
        )
        services.checklist_run_complete(actor=ops, run=run, note="NO-GO")
    run.refresh_from_db()
    return run


def test_report_page__every_item_result_who_when_in_viewer_timezone(
    finished_run, verified_client, make_user
):
    viewer = make_user("reviewer", timezone="Asia/Jakarta")
    response = verified_client(viewer).get(f"/warroom/checklists/runs/{finished_run.pk}/report")

    html = response.content.decode()
    assert response.status_code == 200
    for position, result in ((1, "Passed"), (2, "Failed"), (3, "Skipped"), (4, "Open")):
        row = re.search(rf'<tr id="report-item-{position}">(.*?)</tr>', html, re.S).group(1)
        assert result in row
    assert "2027-03-28 14:10:00 +0700" in html  # 07:10 UTC in Jakarta
    assert "Selisih 12.50 USDC — тикет FIN-231" in html
    assert "Asia/Jakarta" in html and "NO-GO" in html


def test_report_markdown__lists_every_item_with_its_result(
    finished_run, verified_client, make_user
):
    viewer = make_user("support", timezone="Europe/Warsaw")
    response = verified_client(viewer).get(f"/warroom/checklists/runs/{finished_run.pk}/report.md")

    text = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/markdown")
    assert "attachment" in response["Content-Disposition"]
    rows = [line for line in text.splitlines() if re.match(r"^\| \d+ \|", line)]
    assert len(rows) == 4
    assert "| 1 | Login and wallet link |" in rows[0] and "| PASSED |" in rows[0]
    assert "Reconcile \\| ledger" in rows[1] and "| FAILED |" in rows[1]
    assert "Dewi Lestari (dewi-fin)" in rows[1]
    assert "2027-03-28 09:10:00 +02:00 (Europe/Warsaw)" in rows[1]  # CEST after the change
    assert "Selisih 12.50 USDC — тикет FIN-231" in rows[1]
    assert "| SKIPPED |" in rows[2] and "| OPEN |" in rows[3]
    assert "**Result:** Failed" in text
    assert "## Audit trail" in text


def test_report_pdf__lists_every_item_with_its_result(finished_run, verified_client, make_user):
    viewer = make_user("support", timezone="Asia/Jakarta")
    response = verified_client(viewer).get(f"/warroom/checklists/runs/{finished_run.pk}/report.pdf")

    body = response.content
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert body.startswith(b"%PDF-") and body.rstrip().endswith(b"%%EOF")
    assert b"/FontFile2" in body and b"DejaVuSans" in body  # the vendored font, embedded
    lines = pdf_text(body).splitlines()
    assert "Result: Failed" in lines
    assert "1. [PASSED] Login and wallet link" in lines
    assert "2. [FAILED] Reconcile | ledger" in lines
    assert "3. [SKIPPED] Проверка индексатора (indexer)" in lines
    assert "4. [OPEN] Spam reports" in lines
    assert "By Dewi Lestari (dewi-fin) at 2027-03-28 14:10:00 +07:00 (Asia/Jakarta)" in lines
    assert "Note: Selisih 12.50 USDC — тикет FIN-231" in lines
    assert "Evidence: https://grafana.example/reconcile" in lines


def test_report_pdf__long_run_spans_pages(ops, verified_client):
    template = services.checklist_template_create(
        actor=ops,
        name="Long",
        items=[{"title": f"Item {n} — проверка {n}", "help_text": "x" * 300} for n in range(80)],
    )
    run = services.checklist_run_start(actor=ops, template=template)
    for item in run.items.all():
        services.checklist_item_mark(actor=ops, item=item, result="skipped", note="n/a " * 30)
    body = verified_client(ops).get(f"/warroom/checklists/runs/{run.pk}/report.pdf").content
    assert body.startswith(b"%PDF-")
    pages = re.findall(rb"/Type /Page\b", body)
    assert len(pages) >= 3
    lines = pdf_text(body).splitlines()
    assert all(f"{n + 1}. [SKIPPED] Item {n} — проверка {n}" in lines for n in range(80))


@pytest.mark.parametrize("for_a_launch", [False, True], ids=["no-launch", "launch"])
def test_report__query_budget(
    finished_run, ops, verified_client, django_assert_max_num_queries, for_a_launch
):
    if for_a_launch:  # the launch comes with the run (a join, not a query)
        plan = services.launch_plan_create(
            actor=ops, name="Go-live", t0=datetime(2027, 4, 1, 9, 0, tzinfo=UTC)
        )
        ChecklistRun.objects.filter(pk=finished_run.pk).update(launch=plan)
    client = verified_client(ops)
    for suffix in ("report", "report.md", "report.pdf"):
        client.get(f"/warroom/checklists/runs/{finished_run.pk}/{suffix}")
        with django_assert_max_num_queries(10):
            assert (
                client.get(f"/warroom/checklists/runs/{finished_run.pk}/{suffix}").status_code
                == 200
            )


# --- evidence files ------------------------------------------------------------------------


def test_evidence_upload__stored_and_served_only_to_signed_in_staff(
    run, ops, verified_client, media, client
):
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    verified = verified_client(ops)
    response = verified.post(
        f"/warroom/checklists/runs/{run.pk}/items/2",
        {"i2-result": "passed", "i2-evidence_file": SimpleUploadedFile("grafana.png", png)},
        **HTMX,
    )
    assert response.status_code == 200
    item = _item(run, 2)
    assert (item.result, item.evidence_file_name, item.evidence_size) == (
        "passed",
        "grafana.png",
        40,
    )

    served = verified.get(f"/warroom/checklists/runs/{run.pk}/items/2/evidence")
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png" and served["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in served["Content-Disposition"]
    assert b"".join(served.streaming_content) == png
    mark = item.marks.get()
    assert verified.get(f"/warroom/checklists/marks/{mark.pk}/evidence").status_code == 200

    verified.logout()
    anonymous = verified.get(f"/warroom/checklists/runs/{run.pk}/items/2/evidence")
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]


def test_evidence_upload__wrong_type__field_error(run, ops, verified_client, media):
    response = verified_client(ops).post(
        f"/warroom/checklists/runs/{run.pk}/items/2",
        {"i2-result": "passed", "i2-evidence_file": SimpleUploadedFile("x.exe", b"MZ")},
        **HTMX,
    )
    assert "Upload one of these file types" in response.content.decode()
    assert _item(run, 2).result == "open"


def test_no_evidence_file__404(run, ops, verified_client):
    response = verified_client(ops).get(f"/warroom/checklists/runs/{run.pk}/items/1/evidence")
    assert response.status_code == 404


# --- templates ------------------------------------------------------------------------------


def _items_post(*rows) -> dict:
    data = {
        "items-TOTAL_FORMS": str(len(rows)),
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "100",
    }
    for number, row in enumerate(rows):
        for key, value in row.items():
            data[f"items-{number}-{key}"] = value
    return data


def test_template_pages__create_then_edit_bumps_version(ops, verified_client):
    client = verified_client(ops)
    assert client.get("/warroom/checklists/templates/new").status_code == 200
    response = client.post(
        "/warroom/checklists/templates/new",
        {
            "name": "Weekly SLO report",
            "kind": "other",
            "active": "on",
            **_items_post(
                {"title": "API p95 latency", "required": "on"},
                {"title": ""},  # a blank row is dropped
                {"title": "Stuck tx over 15 min", "evidence_required": "on", "required": "on"},
            ),
        },
    )
    template = ChecklistTemplate.objects.get(slug="weekly-slo-report")
    assert response.status_code == 302
    assert [(i.title, i.evidence_required) for i in template.items.all()] == [
        ("API p95 latency", False),
        ("Stuck tx over 15 min", True),
    ]

    response = client.post(
        f"/warroom/checklists/templates/{template.slug}/edit",
        {
            "name": "Weekly SLO report",
            "kind": "other",
            "active": "on",
            **_items_post({"title": "API p95 latency", "required": "on"}),
        },
    )
    template.refresh_from_db()
    assert response.status_code == 302 and template.version == 2


def test_template_pages__no_items__error_and_nothing_saved(ops, verified_client):
    response = verified_client(ops).post(
        "/warroom/checklists/templates/new",
        {"name": "Empty", "kind": "other", **_items_post({"title": ""})},
    )
    assert response.status_code == 400
    assert "at least one item" in response.content.decode()
    assert not ChecklistTemplate.objects.filter(name="Empty").exists()


def test_template_page__shows_items(verified_client, make_user):
    html = (
        verified_client(make_user("support"))
        .get("/warroom/checklists/templates/go-no-go/")
        .content.decode()
    )
    assert "Error rate below 1% for 15 minutes" in html


def test_run_page__in_russian__help_texts_in_russian(run, ops, verified_client):
    ops.language = "ru"
    ops.save(update_fields=["language"])

    html = verified_client(ops).get(f"/warroom/checklists/runs/{run.pk}/").content.decode()

    assert "Не более" in html  # the evidence file's limit, formatted when shown
    assert "At most" not in html


def test_run_page__history_of_marks__24_hour_times_with_seconds(run, ops, verified_client):
    item = _item(run, 1)
    with time_machine.travel(datetime(2027, 3, 28, 7, 5, 42, tzinfo=UTC), tick=False):
        services.checklist_item_mark(actor=ops, item=item, result="passed", note="ok")
    with time_machine.travel(datetime(2027, 3, 28, 19, 6, 7, tzinfo=UTC), tick=False):
        services.checklist_item_mark(actor=ops, item=_item(run, 1), result="failed", note="no")

    html = verified_client(ops).get(f"/warroom/checklists/runs/{run.pk}/").content.decode()

    assert "07:05:42" in html and "19:06:07" in html
    assert "a.m.:" not in html and "p.m.:" not in html
