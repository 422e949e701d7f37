"""Role grants and removals from the person's page and the admin: one service, audited
twice (auditlog m2m row with the actor, and a domain event), refused without permission."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from apps.accounts.models import User
from apps.audit.models import LogEntry
from tests.accounts.mfa_support import events
from tests.factories import ServiceAccountFactory, UserFactory

pytestmark = pytest.mark.django_db


def _roles(user) -> set[str]:
    return set(User.objects.get(pk=user.pk).groups.values_list("name", flat=True))


def _group_changes(user):
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(User),
        object_pk=str(user.pk),
        changes__has_key="groups",
    )


def test_role_grant__page__granted_and_audited(verified_client):
    admin = UserFactory(roles=["super_admin"])
    person = UserFactory()
    client = verified_client(admin)

    response = client.post(reverse("accounts:role_grant", args=[person.pk]), {"role": "ops"})

    assert response.status_code == 302
    assert _roles(person) == {"ops"}
    entry = _group_changes(person).get()
    assert entry.actor == admin
    assert entry.changes["groups"]["operation"] == "add"
    assert entry.changes["groups"]["objects"] == ["ops"]
    event = events("account.role_granted", target_id=str(person.pk)).get()
    assert event.actor == admin and event.data == {"role": "ops"}


def test_role_revoke__page__removed_and_audited(verified_client):
    admin = UserFactory(roles=["super_admin"])
    person = UserFactory(roles=["ops", "support"])
    client = verified_client(admin)

    response = client.post(reverse("accounts:role_revoke", args=[person.pk]), {"role": "ops"})

    assert response.status_code == 302
    assert _roles(person) == {"support"}
    entry = _group_changes(person).filter(actor=admin).get()
    assert entry.changes["groups"] == {"type": "m2m", "operation": "delete", "objects": ["ops"]}
    assert events("account.role_revoked", target_id=str(person.pk), actor=admin).count() == 1


@pytest.mark.parametrize("role", ["ops", "finance", "reviewer", "support", "incident_commander"])
def test_role_grant__page_without_permission__403_nothing_changes(verified_client, role):
    actor = UserFactory(roles=[role])
    person = UserFactory()

    response = verified_client(actor).post(
        reverse("accounts:role_grant", args=[person.pk]), {"role": "super_admin"}
    )

    assert response.status_code == 403
    assert _roles(person) == set()
    assert not _group_changes(person).exists()
    assert not events("account.role_granted").exists()


def test_role_grant__service_account__refused_with_message(verified_client):
    admin = UserFactory(roles=["super_admin"])
    account = ServiceAccountFactory()
    client = verified_client(admin)

    # Service accounts are not listed among people, so the page answers 404 ...
    page = client.post(reverse("accounts:role_grant", args=[account.pk]), {"role": "ops"})
    # ... and the service refuses them whatever the door.
    from django.core.exceptions import ValidationError

    from apps.accounts.services.roles import role_grant

    with pytest.raises(ValidationError, match="Service accounts cannot hold roles"):
        role_grant(actor=User.objects.get(pk=admin.pk), user=account, role="ops")

    assert page.status_code == 404
    assert _roles(account) == set()


def test_role_grant__unknown_or_held_role__field_error(verified_client):
    admin = UserFactory(roles=["super_admin"])
    person = UserFactory(roles=["ops"])
    client = verified_client(admin)

    unknown = client.post(reverse("accounts:role_grant", args=[person.pk]), {"role": "root"})
    held = client.post(reverse("accounts:role_grant", args=[person.pk]), {"role": "ops"})

    assert unknown.status_code == 400
    assert held.status_code == 400
    assert "already holds the role ops" in held.content.decode()
    assert _roles(person) == {"ops"}


def test_role_revoke__would_leave_fewer_than_two_super_admins__refused(verified_client):
    first = UserFactory(roles=["super_admin"])
    second = UserFactory(roles=["super_admin"])

    response = verified_client(first).post(
        reverse("accounts:role_revoke", args=[second.pk]), {"role": "super_admin"}
    )

    assert response.status_code == 400
    assert "At least 2 super admins must remain" in response.content.decode()
    assert _roles(second) == {"super_admin"}


def test_admin__roles_changed__through_services_and_audited(verified_client):
    admin = UserFactory(roles=["super_admin"], is_staff=True)
    person = UserFactory(roles=["support"])
    ops = Group.objects.get(name="ops")
    client = verified_client(admin)
    url = reverse("admin:accounts_user_change", args=[person.pk])

    page = client.get(url)
    response = client.post(url, {"groups": [ops.pk]})

    assert page.status_code == 200
    assert "pbkdf2" not in page.content.decode()
    assert 'name="password' not in page.content.decode()
    assert response.status_code == 302
    assert _roles(person) == {"ops"}
    by_admin = _group_changes(person).filter(actor=admin)
    assert sorted(e.changes["groups"]["operation"] for e in by_admin) == ["add", "delete"]
    assert events("account.role_granted", target_id=str(person.pk), actor=admin).count() == 1
    assert events("account.role_revoked", target_id=str(person.pk), actor=admin).count() == 1


def test_admin__staff_without_assign_role__cannot_change_roles(verified_client):
    staff = UserFactory(roles=["ops"], is_staff=True)
    person = UserFactory(roles=["support"])
    ops = Group.objects.get(name="ops")
    url = reverse("admin:accounts_user_change", args=[person.pk])

    response = verified_client(staff).post(url, {"groups": [ops.pk]})

    assert response.status_code == 403
    assert _roles(person) == {"support"}
    assert not events("account.role_granted").exists()


def test_admin__last_super_admins__removal_refused_with_form_error(verified_client):
    admin = UserFactory(roles=["super_admin"], is_staff=True)
    other = UserFactory(roles=["super_admin"])
    url = reverse("admin:accounts_user_change", args=[other.pk])

    response = verified_client(admin).post(url, {"groups": []})

    assert response.status_code == 200
    assert "At least 2 super admins must remain" in response.content.decode()
    assert _roles(other) == {"super_admin"}


def test_people_list__search_and_role_filter(verified_client):
    viewer = UserFactory(roles=["support"])
    UserFactory(username="alice", email="alice@example.test", roles=["ops"])
    UserFactory(username="bob", email="bob@corp.test", roles=["finance"])
    ServiceAccountFactory(username="svc-indexer")
    client = verified_client(viewer)

    everyone = client.get(reverse("accounts:people")).content.decode()
    by_email = client.get(reverse("accounts:people"), {"q": "corp.test"}).content.decode()
    by_role = client.get(reverse("accounts:people"), {"role": "ops"}).content.decode()

    assert "alice" in everyone and "bob" in everyone and "svc-indexer" not in everyone
    assert "bob" in by_email and "alice" not in by_email
    assert "alice" in by_role and "bob" not in by_role


def test_people_list__paginated(verified_client):
    viewer = UserFactory(roles=["support"])
    for number in range(30):
        UserFactory(username=f"zz-person-{number:02d}")
    client = verified_client(viewer)

    first = client.get(reverse("accounts:people"), {"q": "zz-person"})
    second = client.get(reverse("accounts:people"), {"q": "zz-person", "page": 2})

    assert first.context["page"].paginator.num_pages == 2
    assert "zz-person-00" in first.content.decode()
    assert "zz-person-29" in second.content.decode()
    assert "q=zz-person&amp;page=2" in first.content.decode()


def test_people_pages__person_without_role__403(verified_client):
    nobody = UserFactory()
    other = UserFactory()
    client = verified_client(nobody)

    assert client.get(reverse("accounts:people")).status_code == 403
    assert client.get(reverse("accounts:person", args=[other.pk])).status_code == 403


def test_navigation__people_entry__shown_by_permission(verified_client):
    client = verified_client(UserFactory(roles=["support"]))

    assert reverse("accounts:people") in client.get("/").content.decode()
