"""Admin for service accounts and API tokens."""
