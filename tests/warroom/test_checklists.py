"""Checklists through the services: runs record who did what and when, completion rules,
evidence and notes, template edits that leave started runs alone, the seeded templates."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.audit.models import AuditEvent as Event
from apps.warroom import services
from apps.warroom.models import (
    ChecklistItemMark,
    ChecklistRun,
    ChecklistRunItem,
    ChecklistTemplate,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def template(ops):
    return services.checklist_template_create(
        actor=ops,
        name="Test checklist",
        slug="test-checklist",
        kind="daily",
        items=[
            {"title": "Tx pending aging", "help_text": "Top 20; none over 15 min."},
            {"title": "Reconcile", "evidence_required": True},
            {"title": "Spam reports", "required": False},
        ],
    )


def _items(run) -> dict[int, ChecklistRunItem]:
    return {item.position: item for item in run.items.all()}


def test_run__each_item_records_who_marked_it_and_when(template, ops, make_user):
    finance = make_user("finance", username="fin")
    with time_machine.travel(datetime(2027, 3, 28, 6, 0, tzinfo=UTC), tick=False):
        run = services.checklist_run_start(
            actor=ops, template=template, environment="staging", launch_label="Pilot"
        )
    items = _items(run)
    with time_machine.travel(datetime(2027, 3, 28, 6, 5, tzinfo=UTC), tick=False):
        services.checklist_item_mark(actor=ops, item=items[1], result="passed", note="3 pending")
    with time_machine.travel(datetime(2027, 3, 28, 6, 9, tzinfo=UTC), tick=False):
        services.checklist_item_mark(
            actor=finance,
            item=items[2],
            result="failed",
            note="12.50 USDC off",
            evidence_text="https://grafana.example/reconcile",
        )

    run.refresh_from_db()
    items = _items(run)
    assert (run.started_by, run.started_at) == (ops, datetime(2027, 3, 28, 6, 0, tzinfo=UTC))
    assert (run.environment, run.launch_label, run.status) == ("staging", "Pilot", "in_progress")
    assert (items[1].result, items[1].marked_by, items[1].marked_at) == (
        "passed",
        ops,
        datetime(2027, 3, 28, 6, 5, tzinfo=UTC),
    )
    assert (items[2].result, items[2].marked_by, items[2].marked_at) == (
        "failed",
        finance,
        datetime(2027, 3, 28, 6, 9, tzinfo=UTC),
    )
    assert items[2].note == "12.50 USDC off"
    assert items[3].result == "open" and items[3].marked_by is None
    names = list(
        Event.objects.filter(name__startswith="checklist.")
        .order_by("pk")
        .values_list("name", flat=True)
    )
    assert names[-3:] == ["checklist.run_started", "checklist.item_marked", "checklist.item_marked"]


def test_complete__refused_while_a_required_item_is_open(template, ops):
    run = services.checklist_run_start(actor=ops, template=template)
    items = _items(run)
    services.checklist_item_mark(actor=ops, item=items[1], result="passed")

    with pytest.raises(ValidationError) as refused:
        services.checklist_run_complete(actor=ops, run=run)

    assert "2. Reconcile" in str(refused.value.message_dict["items"])
    run.refresh_from_db()
    assert (run.status, run.result, run.completed_at) == ("in_progress", "", None)


def test_complete__optional_item_open__passed_with_skips(template, ops):
    run = services.checklist_run_start(actor=ops, template=template)
    items = _items(run)
    services.checklist_item_mark(actor=ops, item=items[1], result="passed")
    services.checklist_item_mark(actor=ops, item=items[2], result="passed", evidence_text="link")

    run = services.checklist_run_complete(actor=ops, run=run, note="done")

    assert (run.status, run.result, run.completed_by) == ("completed", "passed_with_skips", ops)
    assert run.completed_at is not None and run.closing_note == "done"


@pytest.mark.parametrize(
    ("results", "expected"),
    [
        (("passed", "passed", "passed"), "passed"),
        (("passed", "passed", "skipped"), "passed_with_skips"),
        (("passed", "failed", "skipped"), "failed"),
        (("skipped", "passed", "passed"), "passed_with_skips"),
    ],
)
def test_complete__result_from_the_items(template, ops, results, expected):
    run = services.checklist_run_start(actor=ops, template=template)
    for (_position, item), result in zip(sorted(_items(run).items()), results, strict=True):
        services.checklist_item_mark(
            actor=ops, item=item, result=result, note="why", evidence_text="proof"
        )
    assert services.checklist_run_complete(actor=ops, run=run).result == expected


def test_evidence_required__pass_without_evidence_refused(template, ops):
    run = services.checklist_run_start(actor=ops, template=template)
    item = _items(run)[2]

    with pytest.raises(ValidationError) as refused:
        services.checklist_item_mark(actor=ops, item=item, result="passed", note="looks fine")

    assert "needs evidence" in refused.value.message_dict["evidence_text"][0]
    item.refresh_from_db()
    assert item.result == "open" and not item.marks.exists()


def test_evidence_required__passes_with_text_or_file(template, ops, media):
    run = services.checklist_run_start(actor=ops, template=template)
    item = _items(run)[2]
    upload = SimpleUploadedFile("reconcile.txt", b"mismatches: 0\n", content_type="text/plain")

    item = services.checklist_item_mark(actor=ops, item=item, result="passed", evidence_file=upload)

    assert item.result == "passed"
    assert item.evidence_file_name == "reconcile.txt" and item.evidence_size == 14
    assert item.evidence_content_type == "text/plain" and len(item.evidence_sha256) == 64
    assert item.evidence_file.name.startswith(f"checklists/{run.pk}/")
    assert (media / item.evidence_file.name).read_bytes() == b"mismatches: 0\n"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("tool.exe", b"MZ", "Upload one of these file types"),
        ("shot.png", b"not a png", "does not match its type"),
        ("notes.txt", b"\xff\xfe\x00bad", "must be UTF-8 text"),
        ("empty.log", b"", "empty"),
    ],
)
def test_evidence_file__bad_files_refused(template, ops, media, name, content, message):
    run = services.checklist_run_start(actor=ops, template=template)
    upload = SimpleUploadedFile(name, content)
    with pytest.raises(ValidationError) as refused:
        services.checklist_item_mark(
            actor=ops, item=_items(run)[2], result="passed", evidence_file=upload
        )
    assert message in refused.value.message_dict["evidence_file"][0]


def test_evidence_file__too_big_refused(template, ops, media, settings, monkeypatch):
    from apps.warroom.services import checklists

    monkeypatch.setattr(checklists, "EVIDENCE_MAX_BYTES", 10)
    run = services.checklist_run_start(actor=ops, template=template)
    upload = SimpleUploadedFile("big.txt", b"x" * 11)
    with pytest.raises(ValidationError) as refused:
        services.checklist_item_mark(
            actor=ops, item=_items(run)[2], result="passed", evidence_file=upload
        )
    assert "larger than" in refused.value.message_dict["evidence_file"][0]


@pytest.mark.parametrize("result", ["failed", "skipped"])
def test_fail_or_skip__needs_a_note(template, ops, result):
    run = services.checklist_run_start(actor=ops, template=template)
    with pytest.raises(ValidationError) as refused:
        services.checklist_item_mark(actor=ops, item=_items(run)[1], result=result, note="  ")
    assert "note" in refused.value.message_dict


@pytest.mark.parametrize("result", ["open", "done", ""])
def test_mark__unknown_result_refused(template, ops, result):
    run = services.checklist_run_start(actor=ops, template=template)
    with pytest.raises(ValidationError) as refused:
        services.checklist_item_mark(actor=ops, item=_items(run)[1], result=result, note="x")
    assert "result" in refused.value.message_dict


def test_remark__latest_on_the_item_and_every_change_in_the_trail(template, ops, make_user):
    commander = make_user("incident_commander", username="ic")
    run = services.checklist_run_start(actor=ops, template=template)
    item = _items(run)[1]
    with time_machine.travel(datetime(2027, 3, 28, 6, 0, tzinfo=UTC), tick=False):
        services.checklist_item_mark(actor=ops, item=item, result="failed", note="30 stuck")
    with time_machine.travel(datetime(2027, 3, 28, 7, 0, tzinfo=UTC), tick=False):
        item = services.checklist_item_mark(
            actor=commander, item=item, result="passed", note="cleared after speed-up"
        )

    assert (item.result, item.marked_by, item.revision) == ("passed", commander, 2)
    assert item.marked_at == datetime(2027, 3, 28, 7, 0, tzinfo=UTC)
    trail = list(ChecklistItemMark.objects.filter(item=item).order_by("at"))
    assert [(m.previous_result, m.result, m.actor, m.note) for m in trail] == [
        ("open", "failed", ops, "30 stuck"),
        ("failed", "passed", commander, "cleared after speed-up"),
    ]
    event = Event.objects.filter(name="checklist.item_marked").order_by("-pk").first()
    assert event.data["from"] == "failed" and event.data["to"] == "passed"


def test_remark__same_mark_again_is_not_a_new_change(template, ops):
    run = services.checklist_run_start(actor=ops, template=template)
    item = _items(run)[1]
    services.checklist_item_mark(actor=ops, item=item, result="passed", note="ok")
    item = services.checklist_item_mark(actor=ops, item=item, result="passed", note="ok")
    assert item.revision == 1 and item.marks.count() == 1


def test_closed_run__items_and_run_can_no_longer_change(template, ops):
    run = services.checklist_run_start(actor=ops, template=template)
    run = services.checklist_run_abandon(actor=ops, run=run, reason="Started by mistake")
    assert (run.status, run.result, run.closing_note) == ("abandoned", "", "Started by mistake")

    with pytest.raises(ValidationError, match="abandoned"):
        services.checklist_item_mark(actor=ops, item=_items(run)[1], result="passed")
    with pytest.raises(ValidationError):
        services.checklist_run_complete(actor=ops, run=run)
    with pytest.raises(ValidationError):
        services.checklist_run_abandon(actor=ops, run=run, reason="again")


def test_abandon__needs_a_reason(template, ops):
    run = services.checklist_run_start(actor=ops, template=template)
    with pytest.raises(ValidationError) as refused:
        services.checklist_run_abandon(actor=ops, run=run, reason=" ")
    assert "reason" in refused.value.message_dict


def test_template_edit__bumps_version_and_leaves_started_runs_alone(template, ops):
    run = services.checklist_run_start(actor=ops, template=template)

    template = services.checklist_template_update(
        actor=ops,
        template=template,
        items=[{"title": "Only one item now", "evidence_required": True}],
    )

    assert template.version == 2
    assert [i.title for i in template.items.all()] == ["Only one item now"]
    assert [i.title for i in run.items.order_by("position")] == [
        "Tx pending aging",
        "Reconcile",
        "Spam reports",
    ]
    run.refresh_from_db()
    assert run.template_version == 1
    newer = services.checklist_run_start(actor=ops, template=template)
    assert newer.template_version == 2 and newer.items.count() == 1


def test_template_edit__same_items__version_unchanged(template, ops):
    items = [
        {
            "title": i.title,
            "help_text": i.help_text,
            "evidence_required": i.evidence_required,
            "required": i.required,
        }
        for i in template.items.all()
    ]
    template = services.checklist_template_update(
        actor=ops, template=template, description="Now described", items=items
    )
    assert template.version == 1 and template.description == "Now described"


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ([], "at least one item"),
        ([{"title": ""}], "Item 1: give a title"),
        ([{"title": "ok"}, {"title": "x" * 201}], "Item 2: the title is longer"),
        ([{"title": "ok", "colour": "red"}], "unknown fields colour"),
        (["not an object"], "Item 1: expected an object"),
    ],
)
def test_template__bad_items_refused(ops, items, message):
    with pytest.raises(ValidationError) as refused:
        services.checklist_template_create(actor=ops, name="Bad", items=items)
    assert message in " ".join(refused.value.message_dict["items"])


def test_template__duplicate_slug_refused(template, ops):
    with pytest.raises(ValidationError) as refused:
        services.checklist_template_create(
            actor=ops, name="Other", slug="test-checklist", items=[{"title": "x"}]
        )
    assert "slug" in refused.value.message_dict


def test_start__retired_template_refused(template, ops):
    services.checklist_template_update(actor=ops, template=template, active=False)
    with pytest.raises(ValidationError) as refused:
        services.checklist_run_start(actor=ops, template=template)
    assert "retired" in refused.value.message_dict["template"][0]


def test_start__unknown_environment_refused(template, ops):
    with pytest.raises(ValidationError) as refused:
        services.checklist_run_start(actor=ops, template=template, environment="moon")
    assert "environment" in refused.value.message_dict


@pytest.mark.parametrize(
    ("role", "may_run", "may_manage"),
    [
        ("ops", True, True),
        ("super_admin", True, True),
        ("incident_commander", True, False),
        ("finance", True, False),
        ("support", False, False),
        ("reviewer", False, False),
    ],
)
def test_permissions__who_runs_and_who_edits(template, make_user, role, may_run, may_manage):
    person = make_user(role)
    if may_run:
        run = services.checklist_run_start(actor=person, template=template)
        services.checklist_item_mark(actor=person, item=_items(run)[1], result="passed")
    else:
        with pytest.raises(PermissionDenied):
            services.checklist_run_start(actor=person, template=template)
    if may_manage:
        services.checklist_template_update(actor=person, template=template, description="x")
    else:
        with pytest.raises(PermissionDenied):
            services.checklist_template_update(actor=person, template=template, description="x")


def test_permissions__mark_refused_without_the_role(template, ops, make_user):
    run = services.checklist_run_start(actor=ops, template=template)
    with pytest.raises(PermissionDenied):
        services.checklist_item_mark(
            actor=make_user("support"), item=_items(run)[1], result="passed"
        )


# --- the seeded templates -------------------------------------------------------------------

SEEDED = {
    "daily-ops-morning": [
        "Transaction pending aging",
        "Indexer lag",
        "Reconcile status",
        "Claim failures",
        "Refund queue",
        "audit log sampling",
    ],
    "daily-ops-evening": [
        "Transaction pending aging",
        "Indexer lag",
        "Reconcile status",
        "Claim failures",
        "Refund queue",
        "audit log sampling",
        "Treasury balance",
    ],
    "pre-launch-cutover": [
        "final version tagged",
        "Migrations locked",
        "secrets generated or rotated",
        "Paid RPC key is server-side only",
        "tx_manager, indexer, workers",
        "backup policy",
        "DNS and SSL",
        "T-2 h: payout-engine queues at 0",
    ],
    "prod-smoke-test": [
        "User login and wallet link",
        "Blue check purchase",
        "Post to the feed",
        "MFA",
        "Dummy internal project",
        "Trending endpoint",
        "Tx manager and indexer status OK",
        "No stuck background jobs",
    ],
    "financial-safety-verification": [
        "Finalize requires an Idempotency-Key",
        "less than 12 months",
        "Referral claim",
        "primary wallet",
        "OVERRIDDEN_PASS",
    ],
    "go-no-go": [
        "Error rate below 1% for 15 minutes",
        "P99 latency below 500 ms",
        "No P0 alerts firing",
        "circuit breakers CLOSED",
        "pool utilisation below 50%",
        "No rollback criterion",
    ],
    "release": [
        "Release approved",
        "Rollback plan ready",
        "Post-release smoke test",
        "first 60 minutes",
    ],
}


@pytest.mark.parametrize("slug", sorted(SEEDED))
def test_seeded_templates__carry_the_runbook_items(slug):
    template = ChecklistTemplate.objects.get(slug=slug)
    titles = [item.title for item in template.items.order_by("position")]
    for expected in SEEDED[slug]:
        assert any(expected in title for title in titles), (slug, expected, titles)
    assert template.active and template.source


def test_seeded_templates__keep_the_runbook_figures():
    morning = " ".join(
        ChecklistTemplate.objects.get(slug="daily-ops-morning").items.values_list(
            "help_text", flat=True
        )
    )
    assert "15 minutes" in morning and "20 minutes" in morning and "24 hours" in morning
    cutover = " ".join(
        ChecklistTemplate.objects.get(slug="pre-launch-cutover").items.values_list(
            "help_text", flat=True
        )
    )
    assert "1.5%" in cutover and "$10" in cutover and "70/30" in cutover
    go = " ".join(
        ChecklistTemplate.objects.get(slug="go-no-go").items.values_list("help_text", flat=True)
    )
    assert "p95 pass-through ≤ 15 min" in go and "98%" in go and "90 min" in go
    safety = ChecklistTemplate.objects.get(slug="financial-safety-verification")
    assert all(safety.items.values_list("evidence_required", flat=True))


def test_seeded_template__runs_end_to_end(ops):
    template = ChecklistTemplate.objects.get(slug="financial-safety-verification")
    run = services.checklist_run_start(actor=ops, template=template)
    for item in run.items.all():
        services.checklist_item_mark(
            actor=ops, item=item, result="passed", evidence_text="dry-run: refused as expected"
        )
    assert services.checklist_run_complete(actor=ops, run=run).result == ChecklistRun.Result.PASSED
