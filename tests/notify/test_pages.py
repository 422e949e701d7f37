"""Portal pages: channels, the outbox and my contact methods, through the test client."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from apps.audit.models import AuditEvent, LogEntry
from apps.notify import services
from apps.notify.models import Channel, ContactMethod, OutboxMessage, OutboxStatus
from tests.notify.conftest import TELEGRAM_TOKEN, WEBHOOK_SECRET

pytestmark = pytest.mark.django_db

NEW_SECRET = "brand-new-signing-secret-42"


def _webhook_form(**overrides):
    data = {
        "name": "Partner hook",
        "kind": "webhook",
        "url": "https://hooks.example.test/opsportal",
        "secret": WEBHOOK_SECRET,
        "enabled": "on",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("ops", 200),
        ("super_admin", 200),
        ("finance", 200),
        ("incident_commander", 200),
        ("support", 403),
        ("reviewer", 403),
    ],
)
def test_channel_list__by_role__view_permission_decides(make_user, verified_client, role, status):
    client = verified_client(make_user(role))
    assert client.get(reverse("notify:channels")).status_code == status


@pytest.mark.parametrize(
    ("role", "status"), [("ops", 200), ("super_admin", 200), ("finance", 403), ("support", 403)]
)
def test_channel_create_page__by_role__manage_permission_decides(
    make_user, verified_client, role, status
):
    client = verified_client(make_user(role))
    assert client.get(reverse("notify:channel_create")).status_code == status


def test_channel_create__ops__saved_encrypted_and_audited(make_user, verified_client):
    person = make_user("ops")
    client = verified_client(person)

    response = client.post(reverse("notify:channel_create"), _webhook_form())

    assert response.status_code == 302
    channel = Channel.objects.get(name="Partner hook")
    assert channel.config == {"url": "https://hooks.example.test/opsportal"}
    assert channel.secret == WEBHOOK_SECRET
    assert channel.created_by == person
    event = AuditEvent.objects.get(name="notify.channel_created", target_id=str(channel.pk))
    assert event.actor == person
    assert WEBHOOK_SECRET not in str(event.data)
    changes = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Channel), object_pk=str(channel.pk)
    )
    assert changes.exists()
    assert all(WEBHOOK_SECRET not in str(entry.changes) for entry in changes)
    listing = client.get(reverse("notify:channels")).content.decode()
    assert "Partner hook" in listing
    assert WEBHOOK_SECRET not in listing


def test_channel_create__finance__refused_nothing_written(make_user, verified_client):
    client = verified_client(make_user("finance"))

    response = client.post(reverse("notify:channel_create"), _webhook_form())

    assert response.status_code == 403
    assert not Channel.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kind": "sms"}, "kind"),
        ({"url": "not a url"}, "url"),
        ({"url": "ftp://files.example.test/x"}, "url"),
        ({"secret": ""}, "secret"),
        ({"kind": "email", "recipients": "not-an-address", "secret": ""}, "recipients"),
        ({"kind": "telegram", "chat_id": "", "secret": TELEGRAM_TOKEN}, "chat_id"),
        ({"kind": "telegram", "chat_id": "42", "secret": "nonsense"}, "secret"),
        ({"kind": "slack", "secret": "not a url"}, "secret"),
    ],
)
def test_channel_create__bad_input__field_error_nothing_written(
    make_user, verified_client, overrides, field
):
    client = verified_client(make_user("ops"))

    response = client.post(reverse("notify:channel_create"), _webhook_form(**overrides))

    assert response.status_code == 200
    assert response.context["form"].errors.get(field)
    assert not Channel.objects.exists()
    assert not AuditEvent.objects.filter(name="notify.channel_created").exists()


def test_channel_create__duplicate_name__field_error(make_user, verified_client, make_channel):
    make_channel(
        kind="webhook",
        name="Partner hook",
        config={"url": "https://a.example.test"},
        secret=WEBHOOK_SECRET,
    )
    client = verified_client(make_user("ops"))

    response = client.post(reverse("notify:channel_create"), _webhook_form())

    assert response.status_code == 200
    assert response.context["form"].errors.get("name")
    assert Channel.objects.count() == 1


def test_channel_edit__secret_left_empty__kept_and_never_rendered(
    make_user, verified_client, make_channel
):
    channel = make_channel(config={"url": "https://a.example.test/h"}, secret=WEBHOOK_SECRET)
    client = verified_client(make_user("ops"))
    url = reverse("notify:channel_edit", args=[channel.pk])

    page = client.get(url).content.decode()
    assert WEBHOOK_SECRET not in page
    assert "set" in page

    response = client.post(
        url, _webhook_form(name="Renamed", secret="", url="https://b.example.test/h")
    )

    assert response.status_code == 302
    channel.refresh_from_db()
    assert (channel.name, channel.secret) == ("Renamed", WEBHOOK_SECRET)
    assert channel.config["url"] == "https://b.example.test/h"


def test_channel_edit__new_secret__replaces(make_user, verified_client, make_channel):
    channel = make_channel(config={"url": "https://a.example.test/h"}, secret=WEBHOOK_SECRET)
    client = verified_client(make_user("ops"))

    client.post(
        reverse("notify:channel_edit", args=[channel.pk]),
        _webhook_form(secret=NEW_SECRET, url="https://a.example.test/h"),
    )

    channel.refresh_from_db()
    assert channel.secret == NEW_SECRET
    event = AuditEvent.objects.get(name="notify.channel_updated", target_id=str(channel.pk))
    assert event.data == {"changed": ["name", "secret"]}


def test_channel_disable__ops__disabled(make_user, verified_client, make_channel):
    channel = make_channel(config={"url": "https://a.example.test/h"}, secret=WEBHOOK_SECRET)
    client = verified_client(make_user("ops"))

    response = client.post(reverse("notify:channel_disable", args=[channel.pk]))

    assert response.status_code == 302
    channel.refresh_from_db()
    assert channel.enabled is False
    assert AuditEvent.objects.filter(name="notify.channel_disabled").count() == 1


def test_channel_disable__finance__refused(make_user, verified_client, make_channel):
    channel = make_channel(config={"url": "https://a.example.test/h"}, secret=WEBHOOK_SECRET)
    client = verified_client(make_user("finance"))

    assert client.post(reverse("notify:channel_disable", args=[channel.pk])).status_code == 403
    channel.refresh_from_db()
    assert channel.enabled is True


def test_channel_send_test__ops__message_queued_and_audited(
    make_user, verified_client, make_channel
):
    channel = make_channel(config={"url": "https://a.example.test/h"}, secret=WEBHOOK_SECRET)
    person = make_user("ops")
    client = verified_client(person)

    response = client.post(reverse("notify:channel_test", args=[channel.pk]))

    assert response.status_code == 302
    message = OutboxMessage.objects.get(channel=channel)
    assert message.event == "notify.test"
    assert AuditEvent.objects.get(name="notify.test_sent").actor == person


def test_channel_send_test__finance__refused(make_user, verified_client, make_channel):
    channel = make_channel(config={"url": "https://a.example.test/h"}, secret=WEBHOOK_SECRET)
    client = verified_client(make_user("finance"))

    assert client.post(reverse("notify:channel_test", args=[channel.pk])).status_code == 403
    assert not OutboxMessage.objects.exists()


def test_channel_list__many_channels__paginated(make_user, verified_client, make_channel):
    for number in range(30):
        make_channel(
            kind="email", name=f"team-{number:02}", config={"recipients": ["a@example.test"]}
        )
    client = verified_client(make_user("ops"))

    first = client.get(reverse("notify:channels"))
    second = client.get(reverse("notify:channels"), {"page": 2})

    assert first.context["page"].paginator.num_pages == 2
    assert "team-29" in second.content.decode()


# --- the outbox ----------------------------------------------------------------------


def _dead_letter(channel, settings) -> OutboxMessage:
    settings.NOTIFY_MAX_ATTEMPTS = 1
    message = services.notification_enqueue(channel=channel, subject="Payout stuck", body="b")
    services.outbox_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == OutboxStatus.DEAD
    return message


def test_outbox__dead_letter__visible_with_error_and_retryable(
    make_user, verified_client, make_receiver, webhook_channel, settings
):
    receiver = make_receiver(statuses=[500])
    message = _dead_letter(webhook_channel(receiver), settings)
    client = verified_client(make_user("ops"))

    page = client.get(reverse("notify:outbox"), {"status": "dead"})

    html = page.content.decode()
    assert page.status_code == 200
    assert "Payout stuck" in html
    assert "HTTP 500" in html
    assert reverse("notify:outbox_retry", args=[message.pk]) in html

    response = client.post(reverse("notify:outbox_retry", args=[message.pk]))
    assert response.status_code == 302
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.PENDING, 0)
    assert services.outbox_deliver(message_id=message.pk).result == "delivered"


def test_outbox__status_filter__shows_only_that_status(
    make_user, verified_client, make_receiver, webhook_channel, settings
):
    channel = webhook_channel(make_receiver(statuses=[500]))
    _dead_letter(channel, settings)
    services.notification_enqueue(channel=channel, subject="Still waiting", body="b")
    client = verified_client(make_user("ops"))

    html = client.get(reverse("notify:outbox"), {"status": "pending"}).content.decode()

    assert "Still waiting" in html
    assert "Payout stuck" not in html


def test_outbox__incident_commander__sees_but_cannot_retry(
    make_user, verified_client, make_receiver, webhook_channel, settings
):
    message = _dead_letter(webhook_channel(make_receiver(statuses=[500])), settings)
    client = verified_client(make_user("incident_commander"))

    assert client.get(reverse("notify:outbox")).status_code == 200
    assert client.post(reverse("notify:outbox_retry", args=[message.pk])).status_code == 403
    message.refresh_from_db()
    assert message.status == OutboxStatus.DEAD


@pytest.mark.parametrize("role", ["finance", "support"])
def test_outbox__without_view_outbox__refused(make_user, verified_client, role):
    assert verified_client(make_user(role)).get(reverse("notify:outbox")).status_code == 403


# --- my contact methods ----------------------------------------------------------------


def test_contact_methods__add_email__saved_for_me(make_user, verified_client):
    person = make_user("support")
    client = verified_client(person)

    response = client.post(
        reverse("notify:contact_methods"),
        {"kind": "email", "target": "me@example.test", "label": "work"},
    )

    assert response.status_code == 302
    method = ContactMethod.objects.get()
    assert (method.user, method.target, method.label) == (person, "me@example.test", "work")
    assert AuditEvent.objects.filter(name="notify.contact_method_created").exists()


def test_contact_methods__add_slack__secret_url_never_rendered(make_user, verified_client):
    client = verified_client(make_user("support"))
    slack_url = "https://hooks.slack.test/services/T1/B2/very-secret"

    client.post(reverse("notify:contact_methods"), {"kind": "slack", "secret": slack_url})

    assert ContactMethod.objects.get().secret == slack_url
    assert slack_url not in client.get(reverse("notify:contact_methods")).content.decode()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "email", "target": "nope"}, "target"),
        ({"kind": "webhook", "target": "https://me.example.test/h", "secret": ""}, "secret"),
        ({"kind": "webhook", "target": "nope", "secret": WEBHOOK_SECRET}, "target"),
        ({"kind": "pager", "target": "x"}, "kind"),
        ({"kind": "telegram", "target": "1234", "secret": ""}, "secret"),
    ],
)
def test_contact_methods__bad_input__field_error_nothing_written(
    make_user, verified_client, data, field
):
    client = verified_client(make_user("support"))

    response = client.post(reverse("notify:contact_methods"), data)

    assert response.status_code == 200
    assert response.context["form"].errors.get(field)
    assert not ContactMethod.objects.exists()


def test_contact_methods__send_test__message_queued(make_user, verified_client):
    person = make_user("support")
    method = services.contact_method_create(actor=person, kind="email", target="me@example.test")
    client = verified_client(person)

    response = client.post(reverse("notify:contact_method_test", args=[method.pk]))

    assert response.status_code == 302
    assert OutboxMessage.objects.get().contact_method == method


def test_contact_methods__delete_own__removed(make_user, verified_client):
    person = make_user("support")
    method = services.contact_method_create(actor=person, kind="email", target="me@example.test")
    client = verified_client(person)

    client.post(reverse("notify:contact_method_delete", args=[method.pk]))

    assert not ContactMethod.objects.exists()
    assert AuditEvent.objects.filter(name="notify.contact_method_deleted").exists()


def test_contact_methods__someone_elses__not_found(make_user, verified_client):
    owner = make_user("ops")
    method = services.contact_method_create(actor=owner, kind="email", target="o@example.test")
    client = verified_client(make_user("super_admin"))

    assert client.post(reverse("notify:contact_method_delete", args=[method.pk])).status_code == 404
    assert client.post(reverse("notify:contact_method_test", args=[method.pk])).status_code == 404
    assert ContactMethod.objects.filter(pk=method.pk).exists()
    assert not OutboxMessage.objects.exists()
    assert "o@example.test" not in client.get(reverse("notify:contact_methods")).content.decode()


def test_navigation__ops__shows_notifications(make_user, verified_client):
    html = verified_client(make_user("ops")).get(reverse("notify:contact_methods")).content.decode()
    assert f'href="{reverse("notify:channels")}"' in html


# --- admin ------------------------------------------------------------------------------


def test_admin__channel_list__secret_hidden_and_disable_action_uses_service(
    make_user, verified_client, make_channel
):
    channel = make_channel(config={"url": "https://a.example.test/h"}, secret=WEBHOOK_SECRET)
    person = make_user("ops", is_staff=True)
    client = verified_client(person)

    listing = client.get(reverse("admin:notify_channel_changelist"))
    detail = client.get(reverse("admin:notify_channel_change", args=[channel.pk]))
    response = client.post(
        reverse("admin:notify_channel_changelist"),
        {"action": "disable_channels", "_selected_action": [channel.pk]},
    )

    assert listing.status_code == detail.status_code == 200
    assert WEBHOOK_SECRET not in listing.content.decode() + detail.content.decode()
    assert response.status_code == 302
    channel.refresh_from_db()
    assert channel.enabled is False
    assert AuditEvent.objects.get(name="notify.channel_disabled").actor == person


def test_admin__finance_staff__disable_action_refused_by_service(
    make_user, verified_client, make_channel
):
    channel = make_channel(config={"url": "https://a.example.test/h"}, secret=WEBHOOK_SECRET)
    client = verified_client(make_user("finance", is_staff=True))

    client.post(
        reverse("admin:notify_channel_changelist"),
        {"action": "disable_channels", "_selected_action": [channel.pk]},
    )

    channel.refresh_from_db()
    assert channel.enabled is True
