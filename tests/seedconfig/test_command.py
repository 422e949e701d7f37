"""manage.py seed_config load/export, and the demo step."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from apps.approvals.models import ChangeRequest
from apps.core.demo import DemoContext, demo_people_ensure
from apps.seedconfig.models import ConfigVersion, FeeRule
from tests.seedconfig.conftest import SEED_PATH, load_seed

pytestmark = pytest.mark.django_db


def test_load__v1_seed__one_pending_request_and_nothing_applied(people):
    out = io.StringIO()

    call_command(
        "seed_config",
        "load",
        str(SEED_PATH),
        "--requester",
        "sc-finance",
        "--reason",
        "v1 seed",
        "--ticket",
        "LAUNCH-1",
        stdout=out,
    )

    change_request = ChangeRequest.objects.get()
    assert change_request.status == "pending"
    assert change_request.kind == "seedconfig.change"
    assert change_request.ticket == "LAUNCH-1"
    assert change_request.base_version == "0"
    assert f"#{change_request.pk}" in out.getvalue()
    assert not FeeRule.objects.exists() and not ConfigVersion.objects.exists()


def test_load__invalid_file__errors_with_paths_and_no_request(people, tmp_path):
    document = load_seed()
    document["fee_rules"][0]["splits"] = {"treasury": 9000}
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"config": document}))

    with pytest.raises(CommandError) as raised:
        call_command(
            "seed_config", "load", str(bad), "--requester", "sc-finance", "--reason", "bad seed"
        )

    assert "fee_rules[0].splits" in str(raised.value)
    assert not ChangeRequest.objects.exists()


def test_load__requester_without_permission__refused(people):
    with pytest.raises(CommandError, match="may not request"):
        call_command(
            "seed_config",
            "load",
            str(SEED_PATH),
            "--requester",
            "sc-support",
            "--reason",
            "v1 seed",
        )

    assert not ChangeRequest.objects.exists()


def test_export__after_apply__loadable_snapshot(people, applied, tmp_path):
    applied(load_seed())
    target = tmp_path / "export.json"

    call_command("seed_config", "export", str(target), stdout=io.StringIO())

    exported = json.loads(target.read_text())
    version = ConfigVersion.objects.get()
    assert exported["version"] == 1 and exported["sha256"] == version.sha256
    assert exported["config"] == version.document
    call_command(
        "seed_config",
        "load",
        str(target),
        "--requester",
        "sc-finance",
        "--reason",
        "re-file the export",
        stdout=io.StringIO(),
    )
    assert ChangeRequest.objects.get(status="pending").diff == []


def test_demo_step__fresh_database__v1_applied_and_one_request_pending(db):
    from apps.seedconfig.demo import _seed_config

    said: list[str] = []
    ctx = DemoContext(say=said.append)
    for person in demo_people_ensure():
        ctx.users[person.user.username] = person.user

    _seed_config(ctx)
    _seed_config(ctx)  # a second run keeps what the first made

    version = ConfigVersion.objects.get()
    applied = ChangeRequest.objects.get(status="applied")
    assert (applied.requester.username, applied.decided_by.username) == ("admin", "admin2")
    assert version.change_request_id == applied.pk
    pending = ChangeRequest.objects.get(status="pending")
    assert pending.requester.username == "finance"
    assert [row["field"] for row in pending.diff] == [
        "fee_rules[blue_check_fee].splits.referral",
        "fee_rules[blue_check_fee].splits.treasury",
    ]
