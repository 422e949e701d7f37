"""Shared helpers of the status update tests."""

from __future__ import annotations

from apps.accounts.roles import OPS
from apps.incidents.models import StatusTemplate
from apps.notify.services import channel_create
from tests.factories import UserFactory
from tests.incidents.factories import declare


def email_channel(name: str = "partners-mail"):
    return channel_create(
        actor=UserFactory(roles=[OPS]),
        name=name,
        kind="email",
        config={"recipients": ["partners@example.test"]},
    )


def template(key: str, audience: str, language: str) -> StatusTemplate:
    return StatusTemplate.objects.get(key=key, audience=audience, language=language)


def declared(**kwargs):
    kwargs.setdefault("customer_impact", "Withdrawals on Tron wait up to 40 minutes.")
    return declare(**kwargs)
