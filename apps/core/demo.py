"""Demo data for the embedded quickstart (``manage.py demo``).

Core imports no app, so each app contributes its own demo data by registering a step,
either from its ``AppConfig.ready()`` or from a module ``apps/<app>/demo.py``, which the
command imports (Django's ``autodiscover_modules("demo")``)::

    from apps.core.demo import register_demo_step

    def _flags(ctx):
        flag_create(actor=ctx.users["admin"], key="contribute", ...)
        ctx.say("Flags: contribute, claim, payout")

    register_demo_step("flags", _flags, order=200)

Steps run in ``order`` (then name), after the demo people exist, and must be safe to run
again: a second ``manage.py demo`` keeps what the first made. The people step lives here
because every other step needs them; it uses only Django's auth and django-otp models
and the role names (Groups) the accounts app creates on migrate.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.core.events import record_event

# The password every demo person gets unless ``manage.py demo --password`` says otherwise.
DEFAULT_DEMO_PASSWORD = "opsportal-demo-pass"
DEMO_DEVICE_NAME = "demo authenticator"
DEMO_EMAIL_DOMAIN = "demo.opsportal.test"

# (username, role, display name). Two super_admins: the two-person rule needs two.
DEMO_PEOPLE: tuple[tuple[str, str, str], ...] = (
    ("admin", "super_admin", "Ada Admin"),
    ("admin2", "super_admin", "Budi Admin"),
    ("ops", "ops", "Olga Ops"),
    ("finance", "finance", "Fitri Finance"),
    ("reviewer", "reviewer", "Rafael Reviewer"),
    ("support", "support", "Sari Support"),
    ("commander", "incident_commander", "Ivan Commander"),
)


# Where the demo's loopback webhook receiver listens (``manage.py demo --receiver-port``).
DEFAULT_RECEIVER_PORT = 8025


@dataclass
class DemoContext:
    """What a step gets: the demo people by username, a way to tell the operator, and the
    address of the demo's webhook receiver (see apps.core.demo_receiver)."""

    say: Callable[[str], None]
    users: dict[str, Any] = field(default_factory=dict)
    receiver_url: str = f"http://127.0.0.1:{DEFAULT_RECEIVER_PORT}"


@dataclass(frozen=True)
class DemoStep:
    name: str
    func: Callable[[DemoContext], None]
    order: int = 100


_STEPS: dict[str, DemoStep] = {}


def register_demo_step(name: str, func: Callable[[DemoContext], None], order: int = 100) -> None:
    """Add (or replace, by name) a demo step; registering the same step twice is harmless."""
    _STEPS[name] = DemoStep(name=name, func=func, order=order)


def demo_steps() -> list[DemoStep]:
    return sorted(_STEPS.values(), key=lambda step: (step.order, step.name))


@dataclass(frozen=True)
class DemoPerson:
    user: Any
    role: str
    device: TOTPDevice
    created: bool


@transaction.atomic
def demo_people_ensure(*, password: str = DEFAULT_DEMO_PASSWORD) -> list[DemoPerson]:
    """Create or refresh one person per role, each with a confirmed TOTP device.

    Existing people keep their devices, so codes from an authenticator that scanned the
    first run's QR keep working; their password and role are set again.
    """
    user_model = get_user_model()
    groups = {group.name: group for group in Group.objects.all()}
    missing = sorted({role for _u, role, _n in DEMO_PEOPLE} - set(groups))
    if missing:
        raise RuntimeError(f"Roles missing (run migrate first): {', '.join(missing)}")
    people = []
    for username, role, display_name in DEMO_PEOPLE:
        first_name, _space, last_name = display_name.partition(" ")
        user = user_model.objects.filter(username=username).first()
        created = user is None
        if created:
            user = user_model(username=username)
        user.first_name, user.last_name = first_name, last_name
        user.email = f"{username}@{DEMO_EMAIL_DOMAIN}"
        user.is_active = True
        # The admin site is for back-office work, which super admins do.
        user.is_staff = role == "super_admin"
        user.set_password(password)
        user.full_clean()
        user.save()
        user.groups.add(groups[role])
        device = TOTPDevice.objects.filter(user=user, name=DEMO_DEVICE_NAME).first()
        if device is None:
            device = TOTPDevice(user=user, name=DEMO_DEVICE_NAME, confirmed=True)
            device.full_clean()
            device.save()
        elif not device.confirmed:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
        people.append(DemoPerson(user=user, role=role, device=device, created=created))
    record_event(
        "demo.people_ensured",
        data={
            "created": [p.user.username for p in people if p.created],
            "refreshed": [p.user.username for p in people if not p.created],
        },
    )
    return people


def demo_device(username: str) -> TOTPDevice | None:
    """The TOTP device the demo made for ``username``, if any."""
    return TOTPDevice.objects.filter(user__username=username, name=DEMO_DEVICE_NAME).first()


def current_totp_code(device: TOTPDevice) -> str:
    """The code an authenticator app shows now for ``device``."""
    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def fresh_totp_code(device: TOTPDevice) -> str:
    """A code ``device`` will accept now: the current one, or the next if it was just used.

    Demo steps that approve a change (two-person rule) need a code per approval; two
    approvals within one 30-second step would otherwise reuse a spent code.
    """
    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    current = totp.t()
    if device.last_t is not None and device.last_t >= current:
        totp.time = time.time() + device.step * (device.last_t - current + 1)
    return f"{totp.token():0{device.digits}d}"
