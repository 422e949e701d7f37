"""``manage.py demo_totp <username>``: the current TOTP code of a demo person.

Stands in for an authenticator app while trying the demo. Only devices the demo made are
read, and the command refuses to run in production.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.core.demo import current_totp_code, demo_device


class Command(BaseCommand):
    help = "Print a demo person's current TOTP code (demo only; refused in production)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("demo_totp refuses to run with OPSPORTAL_ENV=production.")
        device = demo_device(options["username"])
        if device is None:
            raise CommandError(
                f"{options['username']!r} has no demo TOTP device; run `manage.py demo` first."
            )
        self.stdout.write(current_totp_code(device))
