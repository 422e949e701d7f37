"""API token scopes. Later apps add theirs here; a token holds a subset."""

from django.utils.translation import gettext_lazy as _

SCOPES: dict[str, str] = {
    "flags:read": _("Read and evaluate flags"),
    "flags:write": _("Set flag states"),
    "config:read": _("Read the seed configuration"),
    "config:secrets": _("Read configuration secrets (RPC endpoints)"),
    "support:ingest": _("Send customer, wallet and transaction data"),
    "alerts:write": _("Post alerts"),
    "oncall:read": _("Read teams, schedules and who is on call"),
    "incidents:read": _("Read incidents, their timelines and the severity levels"),
    "incidents:write": _("Declare incidents, add notes, change their status and severity"),
}

# The scope names, for the OpenAPI enum of token scopes (settings.SPECTACULAR_SETTINGS).
SCOPE_KEYS: tuple[str, ...] = tuple(SCOPES)


def scope_choices() -> list[tuple[str, str]]:
    return [(key, f"{key} — {label}") for key, label in SCOPES.items()]
