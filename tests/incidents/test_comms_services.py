"""Status updates: rendering, refusals, sending, the internal-note rule, templates."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection
from django.utils import timezone

from apps.accounts.roles import FINANCE, INCIDENT_COMMANDER, OPS, SUPER_ADMIN
from apps.audit.models import AuditEvent
from apps.incidents.migrations._comms_seed_0002 import TEMPLATES
from apps.incidents.models import (
    EntryKind,
    Incident,
    IncidentRole,
    Status,
    StatusTemplate,
    StatusUpdate,
    StatusUpdateImmutable,
    TimelineEntry,
)
from apps.incidents.services.comms import (
    status_template_create,
    status_template_update,
    status_update_preview,
    status_update_send,
)
from apps.incidents.services.lifecycle import incident_assign_role, incident_end_role
from apps.incidents.services.timeline import timeline_append
from apps.notify.models import OutboxMessage
from tests.factories import UserFactory
from tests.incidents.comms_helpers import declared, email_channel, template
from tests.incidents.factories import commander

pytestmark = pytest.mark.django_db


def _counts():
    return (
        StatusUpdate.objects.count(),
        TimelineEntry.objects.filter(kind=EntryKind.STATUS_UPDATE).count(),
        OutboxMessage.objects.count(),
        AuditEvent.objects.filter(name="incident.status_update_sent").count(),
    )


def test_seeded_templates__every_kind_audience_and_language__render_for_an_incident():
    assert StatusTemplate.objects.count() == len(TEMPLATES) == 30
    incident = declared()
    for stored in StatusTemplate.objects.exclude(key="resolved"):
        rendered = status_update_preview(
            incident=incident,
            audience=stored.audience,
            language=stored.language,
            template=stored,
            message="We switched to the backup RPC node.",
        )
        assert "{" not in rendered.subject + rendered.body, stored


def test_send__russian_update__cyrillic_rendered_stored_sent_and_on_the_timeline():
    person = commander()
    incident = declared(actor=person, title="Вывод средств в Tron задерживается")
    channel = email_channel()
    update = status_update_send(
        actor=person,
        incident=incident,
        audience="partners",
        language="ru",
        template=template("update", "partners", "ru"),
        message="Переключились на резервный RPC-узел, очередь выплат уменьшается.",
        channels=[channel.name],
        next_update_in_minutes=30,
    )
    update.refresh_from_db()
    assert update.subject == f"{incident.number}: Вывод средств в Tron задерживается — апдейт"
    assert "Уважаемые партнёры" in update.body
    assert "Статус: Investigating." in update.body or "Статус: " in update.body
    assert "Переключились на резервный RPC-узел" in update.body
    assert "Withdrawals on Tron wait up to 40 minutes." in update.body
    assert update.channels == [channel.name]
    incident.refresh_from_db()
    assert incident.next_update_due_at == update.next_update_due_at
    assert update.next_update_due_at - update.sent_at == timedelta(minutes=30)
    entry = incident.timeline.get(kind=EntryKind.STATUS_UPDATE)
    assert entry.internal_only is False
    assert entry.data["audience"] == "partners" and entry.data["language"] == "ru"
    assert "Переключились" in entry.body
    message = OutboxMessage.objects.get(event="incident.status_update")
    assert (message.channel, message.subject, message.body) == (
        channel,
        update.subject,
        update.body,
    )
    event = AuditEvent.objects.get(name="incident.status_update_sent")
    assert event.data["audience"] == "partners" and event.actor_id == person.pk


def test_send__unknown_placeholder__refused_naming_it_and_nothing_written():
    person = commander()
    incident = declared(actor=person)
    before = _counts()
    due_before = incident.next_update_due_at
    with pytest.raises(ValidationError) as caught:
        status_update_send(
            actor=person,
            incident=incident,
            audience="public",
            language="en",
            subject="{title}",
            body="Status {status}; ETA {eta}.",
            channels=[email_channel().name],
        )
    assert "{eta}" in " ".join(caught.value.message_dict["body"])
    assert _counts() == before
    incident.refresh_from_db()
    assert incident.next_update_due_at == due_before


@pytest.mark.parametrize(
    "text, named",
    [
        ("{incident.__class__}", "{incident.__class__}"),
        ("{title.__class__.__mro__}", "{title.__class__.__mro__}"),
        ("{title!r}", "{title!r}"),
        ("{title:>500}", "{title:>500}"),
        ("{number[0]}", "{number[0]}"),
        ("{0}", "{0}"),
    ],
)
def test_render__attribute_index_conversion_and_spec__refused_as_unknown(text, named):
    incident = declared()
    with pytest.raises(ValidationError) as caught:
        status_update_preview(
            incident=incident, audience="internal", language="en", subject="x", body=text
        )
    assert named in " ".join(caught.value.message_dict["body"])


def test_render__literal_braces_and_unbalanced_ones():
    incident = declared(title="Payout lag")
    rendered = status_update_preview(
        incident=incident, audience="internal", language="en", subject="s", body="{{title}} {title}"
    )
    assert rendered.body == "{title} Payout lag"
    with pytest.raises(ValidationError) as caught:
        status_update_preview(
            incident=incident, audience="internal", language="en", subject="s", body="{title"
        )
    assert "body" in caught.value.message_dict


def test_render__empty_value__refused_naming_the_placeholder():
    incident = declared(customer_impact="")
    with pytest.raises(ValidationError) as caught:
        status_update_preview(
            incident=incident,
            audience="public",
            language="en",
            template=template("first_notice", "public", "en"),
        )
    assert "{impact}" in " ".join(caught.value.message_dict["body"])
    with pytest.raises(ValidationError) as caught:
        status_update_preview(
            incident=declared(),
            audience="public",
            language="en",
            template=template("update", "public", "en"),
            message="   ",
        )
    assert "{message}" in " ".join(caught.value.message_dict["body"])


def test_public_update__repeating_an_internal_note__refused_and_nothing_written():
    person = commander()
    incident = declared(actor=person)
    timeline_append(
        incident,
        EntryKind.NOTE,
        body="Hot wallet key may be exposed. Rotating it now.",
        actor=person,
        internal_only=True,
    )
    before = _counts()
    for audience in ("public", "partners"):
        with pytest.raises(ValidationError) as caught:
            status_update_send(
                actor=person,
                incident=incident,
                audience=audience,
                language="en",
                template=template("update", audience, "en"),
                message="Update: hot wallet KEY may be   exposed; we are on it.",
            )
        assert "internal-only" in " ".join(caught.value.message_dict["body"])
    assert _counts() == before
    # The same words are fine for staff, and a short common fragment is not a leak.
    status_update_send(
        actor=person,
        incident=incident,
        audience="internal",
        language="en",
        template=template("update", "internal", "en"),
        message="Hot wallet key may be exposed.",
    )
    status_update_send(
        actor=person,
        incident=incident,
        audience="public",
        language="en",
        template=template("update", "public", "en"),
        message="We are rotating infrastructure credentials now.",
    )


def test_public_update__text_of_an_internal_update__refused():
    person = commander()
    incident = declared(actor=person)
    status_update_send(
        actor=person,
        incident=incident,
        audience="internal",
        language="en",
        subject="Staff only",
        body="The partner Acme caused the double payout run.",
    )
    with pytest.raises(ValidationError) as caught:
        status_update_send(
            actor=person,
            incident=incident,
            audience="public",
            language="en",
            subject="Update",
            body="Cause: the partner Acme caused the double payout run",
        )
    assert "body" in caught.value.message_dict


@pytest.mark.parametrize("placeholder", ["summary", "commander", "internal_notes"])
def test_public_update__internal_placeholder__refused(placeholder):
    incident = declared(summary="Internal summary")
    timeline_append(incident, EntryKind.NOTE, body="Something internal", internal_only=True)
    with pytest.raises(ValidationError) as caught:
        status_update_preview(
            incident=incident,
            audience="public",
            language="en",
            subject="s",
            body=f"Hello {{{placeholder}}}",
        )
    assert f"{{{placeholder}}}" in " ".join(caught.value.message_dict["body"])
    rendered = status_update_preview(
        incident=incident,
        audience="internal",
        language="en",
        subject="s",
        body=f"{{{placeholder}}}",
    )
    assert rendered.body


def test_template__public_with_internal_placeholder_or_unknown__refused():
    admin = UserFactory(roles=[SUPER_ADMIN])
    with pytest.raises(ValidationError) as caught:
        status_template_create(
            actor=admin,
            key="custom",
            name="Custom",
            audience="public",
            language="en",
            subject="{title}",
            body="{internal_notes}",
        )
    assert "{internal_notes}" in " ".join(caught.value.message_dict["body"])
    with pytest.raises(ValidationError) as caught:
        status_template_create(
            actor=admin,
            key="custom",
            name="Custom",
            audience="internal",
            language="en",
            subject="{titel}",
            body="ok",
        )
    assert "{titel}" in " ".join(caught.value.message_dict["subject"])
    assert not StatusTemplate.objects.filter(key="custom").exists()


def test_template__edited_by_commanders_not_by_ops_and_audited():
    stored = template("update", "public", "en")
    with pytest.raises(PermissionDenied):
        status_template_update(actor=UserFactory(roles=[OPS]), template=stored, body="x {title}")
    person = UserFactory(roles=[INCIDENT_COMMANDER])
    status_template_update(actor=person, template=stored, body="Now: {status}. {message}")
    stored.refresh_from_db()
    assert stored.body == "Now: {status}. {message}" and stored.updated_by == person
    assert AuditEvent.objects.filter(name="incident.status_template_updated").exists()


def test_send__who_may():
    incident = declared()
    outsider = UserFactory(roles=[FINANCE])
    args = dict(incident=incident, audience="internal", language="en", subject="s", body="b")
    with pytest.raises(PermissionDenied):
        status_update_send(actor=outsider, **args)
    incident_assign_role(
        actor=incident.owner,
        incident=incident,
        role=IncidentRole.COMMUNICATIONS,
        person=outsider,
    )
    assert status_update_send(actor=outsider, **args).sent_by == outsider
    # Once the role is handed on, the former lead sends no more.
    incident_end_role(actor=incident.owner, incident=incident, role=IncidentRole.COMMUNICATIONS)
    with pytest.raises(PermissionDenied):
        status_update_send(actor=outsider, **args)


def test_send__template_of_another_audience_and_unknown_channel__refused():
    person = commander()
    incident = declared(actor=person)
    with pytest.raises(ValidationError) as caught:
        status_update_send(
            actor=person,
            incident=incident,
            audience="public",
            language="en",
            template=template("update", "partners", "ru"),
            message="m",
        )
    assert "template" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        status_update_send(
            actor=person,
            incident=incident,
            audience="internal",
            language="en",
            subject="s",
            body="b",
            channels=["nope"],
        )
    assert "nope" in " ".join(caught.value.message_dict["channels"])
    assert not StatusUpdate.objects.exists()


def test_send__open_incident_must_owe_a_next_update():
    person = commander()
    incident = declared(actor=person)
    with pytest.raises(ValidationError) as caught:
        status_update_send(
            actor=person,
            incident=incident,
            audience="internal",
            language="en",
            subject="s",
            body="b",
            next_update_in_minutes=0,
        )
    assert "next_update_in_minutes" in caught.value.message_dict
    update = status_update_send(
        actor=person, incident=incident, audience="internal", language="en", subject="s", body="b"
    )
    interval = incident.severity.update_interval_minutes
    assert update.next_update_due_at - update.sent_at == timedelta(minutes=interval)


def test_sent_update__immutable_in_python():
    person = commander()
    update = status_update_send(
        actor=person,
        incident=declared(actor=person),
        audience="internal",
        language="en",
        subject="s",
        body="b",
    )
    update.body = "rewritten"
    with pytest.raises(StatusUpdateImmutable):
        update.save()
    with pytest.raises(StatusUpdateImmutable):
        StatusUpdate.objects.filter(pk=update.pk).update(body="x")
    with pytest.raises(StatusUpdateImmutable):
        update.delete()


@pytest.mark.postgres
def test_sent_update__immutable_in_postgresql():
    person = commander()
    update = status_update_send(
        actor=person,
        incident=declared(actor=person),
        audience="internal",
        language="en",
        subject="s",
        body="b",
    )
    with pytest.raises(IntegrityError, match="kept as sent"):
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE incidents_statusupdate SET body = %s WHERE id = %s", ["x", update.pk]
            )
    assert timezone.now() >= update.sent_at


def test_send__resolved_needs_no_next_update_and_closed_sends_none():
    person = commander()
    incident = declared(actor=person)
    Incident.objects.filter(pk=incident.pk).update(
        status=Status.RESOLVED, resolved_at=timezone.now()
    )
    incident.refresh_from_db()
    update = status_update_send(
        actor=person,
        incident=incident,
        audience="public",
        language="id",
        template=template("resolved", "public", "id"),
    )
    assert update.next_update_due_at is None and "Masalah telah selesai" in update.body
    incident.refresh_from_db()
    assert incident.next_update_due_at is None
    Incident.objects.filter(pk=incident.pk).update(status=Status.CLOSED)
    incident.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        status_update_send(
            actor=person,
            incident=incident,
            audience="internal",
            language="en",
            subject="s",
            body="b",
        )
    assert "__all__" in caught.value.message_dict


def test_render__values_and_message_are_inserted_verbatim_never_parsed():
    incident = declared(title="Price feed {title} stuck {{x}}")
    rendered = status_update_preview(
        incident=incident,
        audience="internal",
        language="en",
        subject="{title}",
        body="{message}",
        message="Look at {incident.__class__} and {number}",
    )
    assert rendered.subject == "Price feed {title} stuck {{x}}"
    assert rendered.body == "Look at {incident.__class__} and {number}"
