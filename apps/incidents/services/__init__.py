"""Incident services: every write to incidents goes through here.

- ``timeline``: append entries (used by every other service of this app);
- ``incidents``: declare an incident, and the permission to run one.
"""
