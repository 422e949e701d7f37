"""``manage.py audit_anchor``: print the current anchor of every audit chain.

One JSON line per chain (``--inline``: ``chain:id:hash``). Store the output outside the
portal's database and servers; ``manage.py audit_verify --anchor FILE`` later proves the
chains still contain those rows with those hashes.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone

from apps.audit.anchors import current_anchors


class Command(BaseCommand):
    help = "Print the current head (chain, last id, last hash) of every audit chain."

    def add_arguments(self, parser):
        parser.add_argument(
            "--inline", action="store_true", help="Print chain:id:hash instead of JSON."
        )
        parser.add_argument("--database", default="default")

    def handle(self, *args, **options):
        taken_at = timezone.now()
        for anchor in current_anchors(options["database"]):
            line = anchor.inline if options["inline"] else anchor.as_json(taken_at=taken_at)
            self.stdout.write(line)
