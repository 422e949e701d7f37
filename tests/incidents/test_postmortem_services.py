"""Post-mortems: started on resolution from the template, the close rule, read-only once
published, action items."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.audit.models import AuditEvent
from apps.incidents.models import (
    ActionItemStatus,
    EntryKind,
    PostMortem,
    PostMortemState,
    Severity,
    Status,
)
from apps.incidents.services import postmortems as services
from apps.incidents.services.lifecycle import incident_set_status
from apps.incidents.services.timeline import timeline_append
from tests.factories import UserFactory
from tests.incidents.factories import commander, declare
from tests.incidents.postmortem_helpers import SECTIONS, published, resolved

pytestmark = pytest.mark.django_db


def test_resolving_an_s1__starts_its_postmortem_due_after_the_severity_hours():
    incident = resolved(severity="S1")

    postmortem = PostMortem.objects.get(incident=incident)
    assert postmortem.state == PostMortemState.DRAFT
    assert postmortem.owner == incident.owner
    assert postmortem.due_at == incident.resolved_at + timedelta(hours=48)
    assert incident.timeline.filter(kind=EntryKind.POSTMORTEM).count() == 1
    assert AuditEvent.objects.filter(
        name="incident.postmortem_created", target_id=str(postmortem.pk)
    ).exists()


def test_resolving_an_s3__starts_no_postmortem():
    incident = resolved(severity="S3")
    assert not PostMortem.objects.filter(incident=incident).exists()


def test_due_hours_follow_the_severity():
    Severity.objects.filter(code="S2").update(postmortem_due_hours=24)
    incident = resolved(severity="S2")
    assert incident.postmortem.due_at == incident.resolved_at + timedelta(hours=24)


def test_timeline_section__prefilled_with_pinned_and_automatic_entries_not_plain_notes():
    person = commander()
    incident = declare(actor=person, severity="S1")
    timeline_append(incident, EntryKind.NOTE, body="coffee is ready", actor=person)
    timeline_append(incident, EntryKind.NOTE, body="RPC key expired", actor=person, pinned=True)
    timeline_append(incident, EntryKind.DECISION, body="fail over to node B", actor=person)
    incident_set_status(actor=person, incident=incident, status=Status.MITIGATED)
    incident_set_status(actor=person, incident=incident, status=Status.RESOLVED)

    text = PostMortem.objects.get(incident=incident).timeline

    assert "RPC key expired" in text
    assert "Declared" in text and "Status changed" in text
    assert "coffee is ready" not in text
    assert "fail over to node B" not in text  # a decision that was not pinned
    assert text.index("Declared") < text.index("RPC key expired")


def test_s1_cannot_close_until_published__the_reason_says_why_and_when():
    incident = resolved(severity="S1")

    with pytest.raises(ValidationError) as caught:
        incident_set_status(actor=incident.owner, incident=incident, status=Status.CLOSED)

    (reason,) = caught.value.message_dict["status"]
    assert reason.startswith(
        "The post-mortem must be published before this S1 incident can close (due "
    )
    incident.refresh_from_db()
    assert incident.status == Status.RESOLVED

    published(incident)
    incident_set_status(actor=incident.owner, incident=incident, status=Status.CLOSED)
    incident.refresh_from_db()
    assert incident.status == Status.CLOSED


def test_in_review_is_not_enough_to_close():
    incident = resolved(severity="S2")
    postmortem = services.postmortem_update(
        actor=incident.owner, postmortem=incident.postmortem, **SECTIONS
    )
    services.postmortem_submit(actor=incident.owner, postmortem=postmortem)
    with pytest.raises(ValidationError):
        incident_set_status(actor=incident.owner, incident=incident, status=Status.CLOSED)


def test_s3_closes_without_a_postmortem():
    incident = resolved(severity="S3")
    incident_set_status(actor=incident.owner, incident=incident, status=Status.CLOSED)
    incident.refresh_from_db()
    assert incident.status == Status.CLOSED


def test_postmortem_by_hand_for_an_s3__and_only_one_per_incident():
    incident = resolved(severity="S3")
    postmortem = services.postmortem_create(actor=incident.owner, incident=incident)
    assert postmortem.due_at == incident.resolved_at + timedelta(hours=48)
    with pytest.raises(ValidationError) as caught:
        services.postmortem_create(actor=incident.owner, incident=incident)
    assert "incident" in caught.value.message_dict
    # Optional for an S3: closing does not wait for it.
    incident_set_status(actor=incident.owner, incident=incident, status=Status.CLOSED)


def test_submit_needs_the_main_sections():
    incident = resolved()
    with pytest.raises(ValidationError) as caught:
        services.postmortem_submit(actor=incident.owner, postmortem=incident.postmortem)
    assert {"root_cause", "prevention"} <= set(caught.value.message_dict)
    assert PostMortem.objects.get(pk=incident.postmortem.pk).state == PostMortemState.DRAFT


def test_publish_only_from_review__return_to_draft_needs_a_reason():
    incident = resolved()
    postmortem = services.postmortem_update(
        actor=incident.owner, postmortem=incident.postmortem, **SECTIONS
    )
    with pytest.raises(ValidationError):
        services.postmortem_publish(actor=incident.owner, postmortem=postmortem)
    postmortem = services.postmortem_submit(actor=incident.owner, postmortem=postmortem)
    with pytest.raises(ValidationError) as caught:
        services.postmortem_return_to_draft(actor=incident.owner, postmortem=postmortem, reason=" ")
    assert "reason" in caught.value.message_dict
    postmortem = services.postmortem_return_to_draft(
        actor=incident.owner, postmortem=postmortem, reason="Root cause too vague"
    )
    assert postmortem.state == PostMortemState.DRAFT
    assert postmortem.returned_reason == "Root cause too vague"


def test_published_is_read_only():
    incident = resolved()
    postmortem = published(incident)
    assert postmortem.published_by == incident.owner and postmortem.published_at

    with pytest.raises(ValidationError) as caught:
        services.postmortem_update(actor=incident.owner, postmortem=postmortem, summary="new")
    assert "state" in caught.value.message_dict
    with pytest.raises(ValidationError):
        services.postmortem_return_to_draft(
            actor=incident.owner, postmortem=postmortem, reason="again"
        )
    with pytest.raises(ValidationError):
        services.action_item_create(
            actor=incident.owner,
            postmortem=postmortem,
            title="late",
            owner=incident.owner,
            due_date=date.today(),
        )
    assert PostMortem.objects.get(pk=postmortem.pk).summary == SECTIONS["summary"]


def test_only_the_incident_team_writes():
    incident = resolved()
    outsider = UserFactory(roles=["ops"])
    with pytest.raises(PermissionDenied):
        services.postmortem_update(actor=outsider, postmortem=incident.postmortem, summary="x")
    # Another incident commander may (they run any incident).
    services.postmortem_update(actor=commander(), postmortem=incident.postmortem, summary="x")


def test_action_items__owner_moves_status_and_link__not_the_title():
    incident = resolved()
    doer = UserFactory(roles=["ops"])
    item = services.action_item_create(
        actor=incident.owner,
        postmortem=incident.postmortem,
        title="Alert on credential expiry",
        owner=doer,
        due_date=date.today() + timedelta(days=7),
        link="https://tracker.example.test/OPS-1",
    )
    item = services.action_item_update(actor=doer, item=item, status=ActionItemStatus.DONE)
    assert item.status == ActionItemStatus.DONE and item.completed_at is not None
    with pytest.raises(PermissionDenied):
        services.action_item_update(actor=doer, item=item, title="renamed")
    with pytest.raises(PermissionDenied):
        services.action_item_update(
            actor=UserFactory(roles=["ops"]), item=item, status=ActionItemStatus.OPEN
        )


def test_action_item_link_must_be_http_or_https():
    incident = resolved()
    with pytest.raises(ValidationError) as caught:
        services.action_item_create(
            actor=incident.owner,
            postmortem=incident.postmortem,
            title="x",
            owner=incident.owner,
            due_date=date.today(),
            link="javascript:alert(1)",
        )
    assert "link" in caught.value.message_dict


def test_after_publication_items_still_move_but_keep_their_terms():
    incident = resolved()
    item = services.action_item_create(
        actor=incident.owner,
        postmortem=incident.postmortem,
        title="Rotate keys",
        owner=incident.owner,
        due_date=date.today() + timedelta(days=3),
    )
    published(incident)
    item = services.action_item_update(
        actor=incident.owner, item=item, status=ActionItemStatus.IN_PROGRESS
    )
    assert item.status == ActionItemStatus.IN_PROGRESS
    with pytest.raises(ValidationError) as caught:
        services.action_item_update(
            actor=incident.owner, item=item, due_date=date.today() + timedelta(days=30)
        )
    assert "due_date" in caught.value.message_dict


def test_reopened_and_resolved_again__one_postmortem_with_the_new_due_time():
    incident = resolved(severity="S1")
    first_due = incident.postmortem.due_at
    incident_set_status(
        actor=incident.owner, incident=incident, status=Status.MITIGATED, reason="came back"
    )
    incident_set_status(actor=incident.owner, incident=incident, status=Status.RESOLVED)
    incident.refresh_from_db()
    assert PostMortem.objects.filter(incident=incident).count() == 1
    assert incident.postmortem.due_at == incident.resolved_at + timedelta(hours=48)
    assert incident.postmortem.due_at >= first_due
