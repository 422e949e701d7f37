"""Incident services: every write to incidents goes through here.

- ``timeline``: append entries (used by every other service of this app);
- ``incidents``: declare an incident, and the permission to run one;
- ``lifecycle``: status ladder, severity, details, roles, notes and decisions, pages,
  merging (and the on-call page signal receivers);
- ``severities``: edit the severity levels;
- ``closing``: the checks that must pass before an incident closes.

``apps.incidents.signals.incident_status_changed`` is sent inside each status change's
transaction (``incident``, ``previous``, ``actor``) for the other parts to react.
"""
