"""The demo's people can be reached on one machine: contact methods on the demo's loopback
webhook receiver and console email, war-room channels, and a test page to watch."""

from __future__ import annotations

import json
import urllib.request
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from apps.core.demo import DEFAULT_RECEIVER_PORT, DEMO_EMAIL_DOMAIN
from apps.core.demo_receiver import DemoReceiver
from apps.notify.models import ContactMethod, OutboxMessage
from apps.oncall.models import Page, Team


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", "--no-serve", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_demo__every_demo_person__receiver_webhook_and_email_each_with_a_test_queued():
    output = run_demo()

    people = get_user_model().objects.filter(email__endswith=f"@{DEMO_EMAIL_DOMAIN}")
    assert people.count() >= 11  # the seven role people and the on-call people
    for person in people:
        kinds = dict(person.contact_methods.values_list("kind", "target"))
        assert kinds == {
            "webhook": f"http://127.0.0.1:{DEFAULT_RECEIVER_PORT}/people/{person.username}",
            "email": person.email,
        }
    tests = OutboxMessage.objects.filter(event="notify.test")
    assert tests.count() == ContactMethod.objects.count() == 2 * people.count()
    # Verified only once a worker has delivered them (manage.py demo's serving mode).
    assert not ContactMethod.objects.filter(verified_at__isnull=False).exists()
    for slug in ("backend", "ops", "finance"):
        channel = Team.objects.get(slug=slug).channel
        assert channel.config["url"] == f"http://127.0.0.1:{DEFAULT_RECEIVER_PORT}/channels/{slug}"
    page = Page.objects.get(team__slug="ops", is_test=True)
    assert f"/warroom/pages/{page.pk}/" in output


@pytest.mark.django_db
def test_demo__run_again_on_another_receiver_port__methods_and_channels_repointed_once():
    run_demo()
    first_ids = set(ContactMethod.objects.values_list("pk", flat=True))

    run_demo("--receiver-port", "18999")
    run_demo("--receiver-port", "18999")

    methods = ContactMethod.objects.all()
    webhooks = methods.filter(kind="webhook")
    assert all(m.target.startswith("http://127.0.0.1:18999/people/") for m in webhooks)
    assert set(methods.filter(kind="email").values_list("pk", flat=True)) <= first_ids
    assert not set(webhooks.values_list("pk", flat=True)) & first_ids
    ops = Team.objects.get(slug="ops")
    assert ops.channel.config["url"] == "http://127.0.0.1:18999/channels/ops"
    assert Page.objects.filter(is_test=True).count() == 1


def test_demo_receiver__webhook_post__answered_200_and_recorded_without_headers(tmp_path):
    log_path = tmp_path / "var" / "demo" / "webhooks.jsonl"
    receiver = DemoReceiver(port=0, log_path=log_path).start()
    try:
        request = urllib.request.Request(  # noqa: S310 - loopback
            f"{receiver.url}/people/ops",
            data=json.dumps({"subject": "[PAGE] Ops: payouts stuck"}).encode(),
            headers={
                "Content-Type": "application/json",
                "X-OpsPortal-Delivery": "d-123",
                "X-OpsPortal-Event": "warroom.page",
                "X-OpsPortal-Signature": "t=1,v1=secret-looking",
            },
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - loopback
            status = response.status
    finally:
        receiver.stop()

    assert status == 200
    (entry,) = receiver.received()
    assert entry["path"] == "/people/ops" and entry["delivery_id"] == "d-123"
    assert entry["event"] == "warroom.page"
    assert entry["subject"] == "[PAGE] Ops: payouts stuck"
    assert "secret-looking" not in log_path.read_text()
