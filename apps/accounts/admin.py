"""Back-office admin for accounts. Writes go through apps.accounts.services."""

from apps.accounts import admin_tokens  # noqa: F401  (service accounts and tokens)
