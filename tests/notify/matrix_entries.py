"""Role-matrix entries of notifications (API and pages). See tests/matrix.py.

People only: no token scope reaches these endpoints. Channels are read by every role
holding notify.view_channel and managed by ops and super admins; the outbox is read by
notify.view_outbox holders and retried by channel managers. Contact methods belong to
each person (their per-owner rules are tested in test_pages.py).
"""

from __future__ import annotations

from apps.accounts.roles import FINANCE, INCIDENT_COMMANDER, OPS, SUPER_ADMIN
from tests.factories import UserFactory
from tests.matrix import EVERY_ROLE, Entry

CHANNEL_VIEWERS = {SUPER_ADMIN, OPS, FINANCE, INCIDENT_COMMANDER}
MANAGERS = {SUPER_ADMIN, OPS}
OUTBOX_VIEWERS = {SUPER_ADMIN, OPS, INCIDENT_COMMANDER}
SECRET = "matrix-signing-secret-0123"


def _services():
    from apps.notify import services

    return services


def _manager(ctx):
    return ctx.get("notify_manager", lambda: UserFactory(roles=[OPS]))


def _channel(ctx):
    return ctx.get(
        "channel",
        lambda: _services().channel_create(
            actor=_manager(ctx),
            name=ctx.unique("matrix-hook"),
            kind="webhook",
            config={"url": "https://hooks.example.test/matrix"},
            secret=SECRET,
        ),
    )


def _dead_letter(ctx):
    def make():
        services = _services()
        channel = services.channel_create(
            actor=_manager(ctx),
            name=ctx.unique("matrix-retired"),
            kind="webhook",
            config={"url": "https://hooks.example.test/retired"},
            secret=SECRET,
        )
        message = services.notification_enqueue(channel=channel, subject="matrix", body="b")
        services.channel_disable(actor=_manager(ctx), channel=channel)
        services.outbox_deliver(message_id=message.pk)  # disabled channel: dead at once
        return message

    return ctx.get("dead_letter", make)


def _channel_body(ctx):
    return {
        "name": ctx.unique("matrix-new"),
        "kind": "webhook",
        "config": {"url": "https://hooks.example.test/new"},
        "secret": SECRET,
    }


def _channel_form(ctx):
    return {
        "name": ctx.unique("matrix-form"),
        "kind": "webhook",
        "url": "https://hooks.example.test/form",
        "secret": SECRET,
        "enabled": "on",
    }


ENTRIES = [
    # --- API --------------------------------------------------------------------------
    Entry("notify.api.channels.list", "GET", "/v1/notify/channels/", roles=CHANNEL_VIEWERS),
    Entry(
        "notify.api.channels.create",
        "POST",
        "/v1/notify/channels/",
        roles=MANAGERS,
        data=_channel_body,
    ),
    Entry(
        "notify.api.channels.retrieve",
        "GET",
        lambda ctx: f"/v1/notify/channels/{_channel(ctx).pk}/",
        roles=CHANNEL_VIEWERS,
    ),
    Entry(
        "notify.api.channels.patch",
        "PATCH",
        lambda ctx: f"/v1/notify/channels/{_channel(ctx).pk}/",
        roles=MANAGERS,
        data={"enabled": True},
    ),
    Entry(
        "notify.api.channels.put",
        "PUT",
        lambda ctx: f"/v1/notify/channels/{_channel(ctx).pk}/",
        roles=MANAGERS,
        data={"name": "matrix renamed"},
    ),
    Entry(
        "notify.api.channels.disable",
        "DELETE",
        lambda ctx: f"/v1/notify/channels/{_channel(ctx).pk}/",
        roles=MANAGERS,
    ),
    Entry(
        "notify.api.channels.test",
        "POST",
        lambda ctx: f"/v1/notify/channels/{_channel(ctx).pk}/test",
        roles=MANAGERS,
    ),
    Entry("notify.api.outbox.list", "GET", "/v1/notify/outbox/", roles=OUTBOX_VIEWERS),
    Entry(
        "notify.api.outbox.retry",
        "POST",
        lambda ctx: f"/v1/notify/outbox/{_dead_letter(ctx).pk}/retry",
        roles=MANAGERS,
    ),
    # --- pages --------------------------------------------------------------------------
    Entry("notify.page.channels", "GET", "/notify/", roles=CHANNEL_VIEWERS),
    Entry("notify.page.channel_create_form", "GET", "/notify/channels/new/", roles=MANAGERS),
    Entry(
        "notify.page.channel_create",
        "POST",
        "/notify/channels/new/",
        roles=MANAGERS,
        data=_channel_form,
    ),
    Entry(
        "notify.page.channel_edit",
        "GET",
        lambda ctx: f"/notify/channels/{_channel(ctx).pk}/edit/",
        roles=MANAGERS,
    ),
    Entry(
        "notify.page.channel_disable",
        "POST",
        lambda ctx: f"/notify/channels/{_channel(ctx).pk}/disable/",
        roles=MANAGERS,
    ),
    Entry(
        "notify.page.channel_test",
        "POST",
        lambda ctx: f"/notify/channels/{_channel(ctx).pk}/test/",
        roles=MANAGERS,
    ),
    Entry("notify.page.outbox", "GET", "/notify/outbox/", roles=OUTBOX_VIEWERS),
    Entry(
        "notify.page.outbox_retry",
        "POST",
        lambda ctx: f"/notify/outbox/{_dead_letter(ctx).pk}/retry/",
        roles=MANAGERS,
    ),
    Entry("notify.page.contact_methods", "GET", "/notify/contact-methods/", roles=EVERY_ROLE),
]

# Deleting and testing a contact method: every verified person, on their own methods only
# (someone else's, or none, answers 404).
ENTRIES += [
    Entry(
        "notify.page.contact_method_delete",
        "POST",
        "/notify/contact-methods/999999/delete/",
        roles=EVERY_ROLE,
    ),
    Entry(
        "notify.page.contact_method_test",
        "POST",
        "/notify/contact-methods/999999/test/",
        roles=EVERY_ROLE,
    ),
]
