"""Every write in accounts goes through these services (see STYLE.md).

One module per concept: ``roles`` (role grants), ``mfa`` (enrolment, backup codes,
reset), ``profile`` (a person's preferences), ``tokens`` (service accounts and API
tokens). Import from the module, e.g. ``from apps.accounts.services.roles import role_grant``.
"""
