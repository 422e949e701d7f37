"""Change handlers the approvals app owns itself (role grants of protected roles)."""
