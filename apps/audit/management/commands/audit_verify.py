"""``manage.py audit_verify``: prove the audit hash chains intact, or name the first break.

Exit status 0 when every chain is intact, 1 (CommandError) at the first broken link.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from apps.audit.chain import verify_chain
from apps.audit.models import CHAINED_MODELS


class Command(BaseCommand):
    help = "Recompute the audit trail's hash chains and report the first broken link."

    def add_arguments(self, parser):
        parser.add_argument(
            "--chain",
            choices=sorted(CHAINED_MODELS),
            action="append",
            help="Verify only this chain (repeatable). Default: all of them.",
        )
        parser.add_argument(
            "--chunk-size", type=int, default=2000, help="Rows read from the database at once."
        )
        parser.add_argument("--database", default="default")

    def handle(self, *args, **options):
        names = options["chain"] or ["changes", "events", "access"]
        for name in names:
            report = verify_chain(
                CHAINED_MODELS[name],
                using=options["database"],
                chunk_size=max(1, options["chunk_size"]),
            )
            if not report.intact:
                where = (
                    f"at row {report.broken.row_id}"
                    if report.broken.row_id is not None
                    else "at its head"
                )
                raise CommandError(
                    f"audit chain '{name}' is broken {where}: {report.broken.problem} "
                    f"({report.rows} rows read)."
                )
            self.stdout.write(f"audit chain '{name}': {report.rows} rows, intact.")
        self.stdout.write(self.style.SUCCESS("All audit chains intact."))
