"""``manage.py audit_verify``: prove the audit hash chains intact, or name the first break.

Exit status 0 when every chain is intact (and every ``--anchor`` is in its chain), 1
(CommandError) at the first broken link, missing anchored row or unreadable anchor.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from apps.audit.anchors import AnchorError, parse_anchor_argument
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
            "--anchor",
            action="append",
            default=[],
            metavar="FILE_OR_VALUE",
            help=(
                "Also prove an anchor is still in its chain (repeatable): chain:id:hash, or "
                "a file of anchor lines (audit_anchor's output, or a log with audit.anchor "
                "lines)."
            ),
        )
        parser.add_argument(
            "--chunk-size", type=int, default=2000, help="Rows read from the database at once."
        )
        parser.add_argument("--database", default="default")

    def handle(self, *args, **options):
        names = options["chain"] or ["changes", "events", "access"]
        anchors: dict[str, list] = {}
        try:
            for value in options["anchor"]:
                for anchor in parse_anchor_argument(value):
                    anchors.setdefault(anchor.chain, []).append(anchor)
        except AnchorError as error:
            raise CommandError(str(error)) from error
        excluded = sorted(set(anchors) - set(names))
        if excluded:
            raise CommandError(
                f"An anchor names the chain '{excluded[0]}', which --chain leaves out; "
                "verify that chain too."
            )
        for name in names:
            try:
                report = verify_chain(
                    CHAINED_MODELS[name],
                    using=options["database"],
                    chunk_size=max(1, options["chunk_size"]),
                    anchors=anchors.get(name, ()),
                )
            except ImproperlyConfigured as error:
                raise CommandError(str(error)) from error
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
            proven = ""
            if report.anchors_proven:
                rows = ", ".join(str(row_id) for row_id in report.anchors_proven)
                count = len(report.anchors_proven)
                proven = f", {count} anchor{'s' if count != 1 else ''} proven (row {rows})"
            self.stdout.write(f"audit chain '{name}': {report.rows} rows, intact{proven}.")
        self.stdout.write(self.style.SUCCESS("All audit chains intact."))
