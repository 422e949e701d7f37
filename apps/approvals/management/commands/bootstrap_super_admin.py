"""Create the first super admin: ``manage.py bootstrap_super_admin --username U --email E``.

The password comes from the environment variable named by ``--password-env`` (default
OPSPORTAL_BOOTSTRAP_PASSWORD), or is typed at a prompt with ``--prompt``; otherwise a
password is generated and printed once. The person enrols MFA at first login.
"""

from __future__ import annotations

import getpass
import os
import secrets

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from apps.approvals.bootstrap import super_admin_bootstrap


class Command(BaseCommand):
    help = "Create the first super admin (refused if one already exists)."

    def add_arguments(self, parser):
        parser.add_argument("--username", required=True)
        parser.add_argument("--email", required=True)
        parser.add_argument(
            "--password-env",
            default="OPSPORTAL_BOOTSTRAP_PASSWORD",
            help="Environment variable holding the password (default: %(default)s).",
        )
        parser.add_argument("--prompt", action="store_true", help="Type the password at a prompt.")

    def handle(self, *args, username, email, password_env, prompt, **options):
        generated = False
        password = os.environ.get(password_env, "")
        if not password and prompt:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The passwords differ.")
        if not password:
            password = secrets.token_urlsafe(18)
            generated = True
        try:
            user = super_admin_bootstrap(username=username, email=email, password=password)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(self.style.SUCCESS(f"Super admin '{user.username}' created."))
        if generated:
            self.stdout.write("Generated password (shown once, store it safely):")
            self.stdout.write(password)
        self.stdout.write(
            "Next: log in, enrol MFA, then grant the second super admin at /approvals/roles/new/."
        )
