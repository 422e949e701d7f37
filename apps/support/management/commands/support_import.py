"""``manage.py support_import FILE.jsonl``: bulk-load the support read models.

Each line is one record: ``{"entity": "customers", "external_id": …}`` (or give
``--entity`` for a file of one entity). The whole file is one batch: every line is checked
first and, if any is bad, the bad lines are listed and nothing is written (exit status 1).
On PostgreSQL the records are loaded with COPY and upserted by natural key; loading the
same file again changes nothing.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.support.bulk import MAX_REPORTED_ERRORS, import_file
from apps.support.records import ENTITIES


class Command(BaseCommand):
    help = "Load customers, wallets, rounds, transactions, claims, refunds, fee events (JSONL)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="A JSONL file, one record per line.")
        parser.add_argument(
            "--entity",
            choices=list(ENTITIES),
            help="Every line is of this entity (otherwise each line names its 'entity').",
        )
        parser.add_argument(
            "--progress-every", type=int, default=100_000, help="Report progress every N lines."
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        report = import_file(
            path,
            entity=options["entity"],
            progress=self.stdout.write,
            every=max(1, options["progress_every"]),
        )
        if not report.ok:
            for line, field, reason in report.errors[:MAX_REPORTED_ERRORS]:
                self.stderr.write(f"line {line}: {field}: {reason}")
            more = len(report.errors) - MAX_REPORTED_ERRORS
            if more > 0:
                self.stderr.write(f"… and {more} more problems")
            raise CommandError(
                f"{len({e[0] for e in report.errors})} of {report.lines} lines are invalid; "
                "nothing was written."
            )
        self.stdout.write(
            self.style.SUCCESS(f"Loaded {report.lines:,} lines in {report.seconds:.1f} s.")
        )
