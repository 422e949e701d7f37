"""Seed configuration files: ``load`` files one change request, ``export`` writes a snapshot.

    manage.py seed_config load seeds/config-v1.json --requester finance --reason "v1 seed"
    manage.py seed_config export [FILE]

``load`` validates the file and files it as ONE change request; nothing applies until a
second person (a super admin) approves it in Approvals. ``export`` writes the current
version's snapshot (no secrets), in a form ``load`` accepts.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from apps.core import context
from apps.seedconfig import selectors, services
from apps.seedconfig.document import unwrap_seed


def _read(path: str) -> dict:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CommandError(f"No such file: {path}") from None
    except (OSError, UnicodeError, json.JSONDecodeError) as exc:
        raise CommandError(f"{path} is not readable JSON: {exc}") from None


class Command(BaseCommand):
    help = "Load a seed configuration file as a change request, or export the current one."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="Validate FILE and file it as one change request.")
        load.add_argument("file")
        load.add_argument("--requester", required=True, help="Username filing the request.")
        load.add_argument("--reason", required=True)
        load.add_argument("--ticket", default="")
        load.add_argument("--freeze-exception-reason", default="")
        export = sub.add_parser("export", help="Write the current snapshot (stdout by default).")
        export.add_argument("file", nargs="?")

    def handle(self, *args, **options):
        if options["action"] == "load":
            return self._load(options)
        return self._export(options)

    def _load(self, options):
        from apps.approvals.services import ApprovalRefused

        requester = get_user_model().objects.filter(username=options["requester"]).first()
        if requester is None or not requester.is_active:
            raise CommandError(f"No active user {options['requester']!r}.")
        document = unwrap_seed(_read(options["file"]))
        try:
            with context.bind(actor=requester):
                change_request = services.config_change_request(
                    actor=requester,
                    document=document,
                    reason=options["reason"],
                    ticket=options["ticket"],
                    freeze_exception_reason=options["freeze_exception_reason"],
                )
        except ValidationError as exc:
            lines = (
                [f"  {path}: {msg}" for path, msgs in exc.message_dict.items() for msg in msgs]
                if hasattr(exc, "error_dict")
                else [f"  {msg}" for msg in exc.messages]
            )
            raise CommandError("The seed file is invalid:\n" + "\n".join(lines)) from None
        except PermissionDenied:
            raise CommandError(
                f"{requester.username} may not request configuration changes "
                "(needs seedconfig.request_change: finance or super_admin)."
            ) from None
        except ApprovalRefused as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Filed change request #{change_request.pk} ({change_request.summary}). "
                "A second super admin must approve it in Approvals."
            )
        )

    def _export(self, options):
        version = selectors.current_config_version()
        data = {
            "version": version.number if version is not None else 0,
            "sha256": version.sha256 if version is not None else None,
            "config": selectors.current_document(version),
        }
        text = json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
        if options.get("file"):
            Path(options["file"]).write_text(text, encoding="utf-8")
            self.stdout.write(
                self.style.SUCCESS(f"Wrote version {data['version']} to {options['file']}.")
            )
        else:
            self.stdout.write(text, ending="")
