"""factory-boy factories shared by every app's tests."""

from __future__ import annotations

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from apps.accounts.models import ApiToken, User

DEFAULT_PASSWORD = "correct-horse-battery-staple-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.test")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password(DEFAULT_PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            for role in extracted:
                self.groups.add(Group.objects.get(name=role))


class ServiceAccountFactory(UserFactory):
    username = factory.Sequence(lambda n: f"svc-{n}")
    is_service_account = True
    password = factory.LazyFunction(lambda: "!")  # unusable


def make_token(
    *,
    scopes: list[str],
    service_account: User | None = None,
    expires_in: timezone.timedelta | None = None,
    allowed_ips: list[str] | None = None,
    revoked: bool = False,
) -> tuple[ApiToken, str]:
    """Create a token directly (tests of other features); token creation itself is tested
    through its service and pages."""
    account = service_account or ServiceAccountFactory()
    plaintext, prefix, token_hash = ApiToken.generate()
    token = ApiToken.objects.create(
        service_account=account,
        name="test token",
        prefix=prefix,
        token_hash=token_hash,
        scopes=scopes,
        allowed_ips=allowed_ips or [],
        expires_at=timezone.now() + (expires_in or timezone.timedelta(days=30)),
        revoked_at=timezone.now() if revoked else None,
    )
    return token, plaintext


def verified_contact_method(person, *, kind: str = "email", target: str | None = None, **fields):
    """A contact method ``person`` added, already proven by a delivered test message.

    Proving one through the outbox is the notify tests' subject; here it only makes the
    person reachable (a shift counts as covered, a page step reaches them).
    """
    from apps.notify.models import ContactMethod
    from apps.notify.services import contact_method_create

    method = contact_method_create(
        actor=person, kind=kind, target=target if target is not None else person.email, **fields
    )
    ContactMethod.objects.filter(pk=method.pk).update(verified_at=timezone.now())
    method.refresh_from_db()
    return method
