"""Reads of the seed configuration, restricted to what the caller may see.

Everything here serves snapshots, which hold no secret. ``rpc_endpoints_by_network`` is
the only read of RPC endpoints; callers check ``config:secrets`` (tokens) or
``seedconfig.view_config_secrets`` (people) first.
"""

from __future__ import annotations

from django.db.models import QuerySet

from apps.accounts.policy import restrict
from apps.seedconfig.models import ConfigVersion, Network
from apps.seedconfig.snapshot import EMPTY_DOCUMENT, diff_documents

READ_SCOPE = "config:read"
VIEW = "seedconfig.view_config"
VIEW_SECRETS = "seedconfig.view_config_secrets"
REQUEST = "seedconfig.request_change"


def current_config_version() -> ConfigVersion | None:
    return ConfigVersion.objects.latest_version()


def current_document(version: ConfigVersion | None) -> dict:
    return version.document if version is not None else EMPTY_DOCUMENT


def version_list(*, user) -> QuerySet[ConfigVersion]:
    """Versions, newest first, for a person with view_config or a token with config:read
    (``user`` is the caller: ``policy.caller_of(request)``)."""
    versions = ConfigVersion.objects.select_related("created_by").order_by("-number")
    return restrict(versions, user, VIEW, scope=READ_SCOPE)


def version_get(*, user, number) -> ConfigVersion | None:
    try:
        number = int(number)
    except (TypeError, ValueError):
        return None
    return version_list(user=user).filter(number=number).first()


def version_diff(*, older: ConfigVersion | None, newer: ConfigVersion) -> list[dict]:
    """Rows turning ``older`` (None: an empty configuration) into ``newer``."""
    return diff_documents(older.document if older is not None else None, newer.document)


def previous_version(version: ConfigVersion) -> ConfigVersion | None:
    return ConfigVersion.objects.filter(number__lt=version.number).order_by("-number").first()


def rpc_endpoints_by_network() -> dict[str, list[str]]:
    """The decrypted RPC endpoints per network key. Secret: check the caller first."""
    return {network.key: network.rpc_endpoint_list for network in Network.objects.all()}
