"""Demo data: every demo person can be reached on one machine.

Each gets two contact methods: a webhook to the demo's loopback receiver (which
``manage.py demo`` runs while it serves; deliveries land in ``var/demo/webhooks.jsonl``)
and their demo email address (development's console email backend prints it in the
worker's output). A test message to each is queued; once the worker delivers it the
method is verified, and the person's shifts count as covered.

Safe to run again: methods are kept, or re-pointed if the receiver moved.
"""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model

from apps.core.demo import DEMO_EMAIL_DOMAIN, register_demo_step

RECEIVER_LABEL = "Demo receiver"
EMAIL_LABEL = "Console email"


def _ensure(person, *, kind: str, target: str, label: str, secret: str = "") -> bool:
    """Give ``person`` this method (replacing a demo one that points elsewhere) and queue
    a test message to it. True if something was made."""
    from apps.notify import services

    method = person.contact_methods.filter(label=label).first()
    if method is not None and method.kind == kind and method.target == target:
        return False
    if method is not None:
        services.contact_method_delete(actor=person, contact_method=method)
    method = services.contact_method_create(
        actor=person, kind=kind, target=target, secret=secret, label=label
    )
    services.contact_method_send_test(actor=person, contact_method=method)
    return True


def reachable_people_demo(ctx) -> None:
    people = get_user_model().objects.filter(
        email__iendswith=f"@{DEMO_EMAIL_DOMAIN}", is_active=True, is_service_account=False
    )
    made = 0
    for person in people.order_by("username"):
        made += _ensure(
            person,
            kind="webhook",
            target=f"{ctx.receiver_url}/people/{person.username}",
            secret=secrets.token_urlsafe(24),
            label=RECEIVER_LABEL,
        )
        made += _ensure(person, kind="email", target=person.email, label=EMAIL_LABEL)
    ctx.say(
        f"Contact methods: {made} new (the demo receiver at {ctx.receiver_url} and console "
        "email); each is verified once the worker delivers its test message"
    )


# After the war room's step, which adds the on-call people who cannot log in.
register_demo_step("notify-contact-methods", reachable_people_demo, order=305)
