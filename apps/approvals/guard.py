"""The database guard: nobody behind a change request is recorded as its decider.

``PersonBehind`` rows list who may not decide a request; a trigger on
``approvals_changerequest`` refuses an UPDATE that sets ``decided_by_id`` to one of them
(PostgreSQL: SQLSTATE 23514 check_violation; SQLite: ABORT), so the rule holds even for a
script or shell session that bypasses the services. The services check the same rule
first and answer with a clear error; the trigger is the last line.

Migration ``0002`` installs the trigger. SQLite drops a table's triggers when a later
migration rebuilds the table (it does so to add or alter columns), so the trigger is
installed again after every ``migrate`` (``post_migrate``, idempotent on both vendors).
"""

from __future__ import annotations

TRIGGER = "approvals_changerequest_decider_not_behind"

POSTGRES = [
    """
CREATE OR REPLACE FUNCTION approvals_changerequest_decider_not_behind() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.decided_by_id IS NOT NULL
       AND NEW.decided_by_id IS DISTINCT FROM OLD.decided_by_id
       AND EXISTS (
           SELECT 1 FROM approvals_personbehind
           WHERE change_request_id = NEW.id AND person_id = NEW.decided_by_id
       ) THEN
        RAISE EXCEPTION 'change request %: person % is behind it and cannot decide it',
            NEW.id, NEW.decided_by_id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$;
""",
    "DROP TRIGGER IF EXISTS approvals_changerequest_decider_not_behind ON approvals_changerequest;",
    """
CREATE TRIGGER approvals_changerequest_decider_not_behind
BEFORE UPDATE OF decided_by_id ON approvals_changerequest
FOR EACH ROW EXECUTE FUNCTION approvals_changerequest_decider_not_behind();
""",
]

SQLITE = [
    "DROP TRIGGER IF EXISTS approvals_changerequest_decider_not_behind;",
    """
CREATE TRIGGER approvals_changerequest_decider_not_behind
BEFORE UPDATE OF decided_by_id ON approvals_changerequest
FOR EACH ROW
WHEN NEW.decided_by_id IS NOT NULL
     AND NEW.decided_by_id IS NOT OLD.decided_by_id
     AND EXISTS (
         SELECT 1 FROM approvals_personbehind
         WHERE change_request_id = NEW.id AND person_id = NEW.decided_by_id
     )
BEGIN
    SELECT RAISE(ABORT, 'change request: a person behind it cannot decide it');
END;
""",
]

STATEMENTS = {"postgresql": POSTGRES, "sqlite": SQLITE}


def install_decider_guard(connection) -> bool:
    """(Re)create the trigger on ``connection``; False for a vendor without one."""
    statements = STATEMENTS.get(connection.vendor)
    if not statements:
        return False
    tables = set(connection.introspection.table_names())
    if not {"approvals_changerequest", "approvals_personbehind"} <= tables:
        return False
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    return True


def reinstall_after_migrate(sender, using="default", **kwargs) -> None:
    """``post_migrate`` receiver of the approvals app."""
    from django.db import connections

    install_decider_guard(connections[using])
