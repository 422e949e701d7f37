"""What must be true before an incident may close.

Each check is ``check(incident) -> list[str]`` (the reasons it may not close yet, empty when
it may), named by dotted path so the parts of the app register theirs without importing each
other. The status service refuses to close while any reason remains and shows them all, on
the page and in the API.
"""

from __future__ import annotations

from django.utils.module_loading import import_string

CLOSE_CHECKS: list[str] = [
    "apps.incidents.services.postmortems.close_blockers",
]


def closing_blockers(incident) -> list[str]:
    reasons: list[str] = []
    for path in CLOSE_CHECKS:
        reasons.extend(import_string(path)(incident))
    return reasons
