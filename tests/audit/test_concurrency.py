"""Concurrent writers on PostgreSQL: the chain stays one line and nobody deadlocks."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from apps.audit.models import AuditEvent, LogEntry
from apps.core import context
from apps.core.events import record_access, record_event
from tests.factories import UserFactory


@pytest.mark.postgres
def test_chains__writers_in_parallel_threads__intact_and_no_deadlock(transactional_db, run_verify):
    people = [UserFactory() for _ in range(4)]
    errors: list[BaseException] = []
    start = threading.Barrier(len(people))

    def work(index: int, person) -> None:
        try:
            start.wait(timeout=30)
            for round_number in range(8):
                with context.bind(actor=person), transaction.atomic():
                    # Half the writers touch the chains in one order, half in the other.
                    if index % 2:
                        record_event("test.parallel", target=person)
                        person.first_name = f"r{round_number}"
                        person.save()
                    else:
                        person.first_name = f"r{round_number}"
                        person.save()
                        record_access(subject=person, reason="parallel")
                        record_event("test.parallel", target=person)
        except BaseException as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=work, args=(index, person)) for index, person in enumerate(people)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not errors, errors
    assert AuditEvent.objects.filter(name="test.parallel").count() == 32
    assert LogEntry.objects.filter(action=LogEntry.Action.UPDATE).count() == 32
    ok, output = run_verify()
    assert ok, output
