"""Human labels for internal identifiers shown on pages (role names, scope kinds…).

Core imports no app, so each app registers the labels of its identifiers at start-up,
the way it registers navigation entries::

    from apps.core import labels

    labels.register("role", {"super_admin": _("Super admin"), ...})

Templates show them with the builtin ``label`` filter: ``{{ name|label:"role" }}``. An
identifier nobody registered is shown as it is, so a page never fails for a new one.
"""

from __future__ import annotations

from collections.abc import Mapping

_LABELS: dict[str, dict[str, object]] = {}


def register(namespace: str, labels: Mapping[str, object]) -> None:
    """Add (or replace) labels of ``namespace``; values are (lazy) translated strings."""
    _LABELS.setdefault(namespace, {}).update(labels)


def label_for(namespace: str, value) -> str:
    """The label of ``value`` in ``namespace`` in the active language, or ``value``."""
    label = _LABELS.get(namespace, {}).get(str(value))
    return str(value) if label is None else str(label)
