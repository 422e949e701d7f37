"""Former names of object types in the audit trail.

Events and access records store the object's type as text (``app_label.model``), and that
text is part of the row's hash, so it is never rewritten. When a model moves to another
app (on call left the war room), its earlier rows keep the old label: the app that owns
the model registers the old label here, and the trail's type filter finds both.
"""

from __future__ import annotations

_FORMER: dict[str, set[str]] = {}


def register_former_label(current: str, former: str) -> None:
    """Rows written as ``former`` (e.g. ``warroom.team``) belong to ``current``."""
    _FORMER.setdefault(current.lower(), set()).add(former.lower())


def labels_for(value: str) -> list[str]:
    """The label asked for and every former label of it."""
    label = value.strip().lower()
    return [label, *sorted(_FORMER.get(label, ()))]
