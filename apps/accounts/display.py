"""How a person is named in messages, audit text and notifications."""

from __future__ import annotations


def person_label(user) -> str:
    """``Full Name (username)``, the username alone without a full name, ``-`` for nobody."""
    if user is None:
        return "-"
    full = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return f"{full} ({user.username})" if full else user.username
