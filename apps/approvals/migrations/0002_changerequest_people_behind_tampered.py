"""The people behind a change request, the token it was filed with, and ``tampered``.

``PersonBehind`` lists who may not decide a request. A trigger refuses, in the database
itself, an UPDATE that records one of them as the request's decider (PostgreSQL and
SQLite alike; the trigger fires only when ``decided_by_id`` changes, so test flushes and
other updates are unaffected). The existing check constraint (decider is not the
requester) stays. Requests filed before this migration get their requester's row.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


POSTGRES_CREATE = [
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
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS approvals_changerequest_decider_not_behind ON approvals_changerequest;",
    "DROP FUNCTION IF EXISTS approvals_changerequest_decider_not_behind();",
]
SQLITE_CREATE = [
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
SQLITE_DROP = ["DROP TRIGGER IF EXISTS approvals_changerequest_decider_not_behind;"]


def _run(schema_editor, statements) -> None:
    for statement in statements:
        schema_editor.execute(statement, params=None)


def create_trigger(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, POSTGRES_CREATE)
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE_CREATE)


def drop_trigger(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, POSTGRES_DROP)
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE_DROP)


def backfill_requesters(apps, schema_editor):
    ChangeRequest = apps.get_model("approvals", "ChangeRequest")
    PersonBehind = apps.get_model("approvals", "PersonBehind")
    PersonBehind.objects.bulk_create(
        [
            PersonBehind(change_request_id=pk, person_id=requester_id, reason="requester")
            for pk, requester_id in ChangeRequest.objects.values_list("pk", "requester_id")
        ],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
        ('approvals', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='changerequest',
            name='filed_with_token',
            field=models.ForeignKey(blank=True, help_text='The API token a service account filed the request with.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.apitoken', verbose_name='filed with token'),
        ),
        migrations.AlterField(
            model_name='changerequest',
            name='status',
            field=models.CharField(choices=[('pending', 'Pending'), ('applied', 'Applied'), ('rejected', 'Rejected'), ('cancelled', 'Cancelled'), ('expired', 'Expired'), ('conflict', 'Conflict'), ('tampered', 'Tampered')], default='pending', max_length=20, verbose_name='status'),
        ),
        migrations.CreateModel(
            name='PersonBehind',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reason', models.CharField(choices=[('requester', 'filed it'), ('token_creator', 'created the token it was filed with'), ('account_creator', 'created the service account that filed it'), ('scope_changer', 'changed the scopes of the token it was filed with'), ('named', 'is named by the change')], max_length=20, verbose_name='reason')),
                ('detail', models.CharField(blank=True, max_length=200, verbose_name='detail')),
                ('recorded_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='recorded at')),
                ('change_request', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='people_behind', to='approvals.changerequest', verbose_name='change request')),
                ('person', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='person')),
            ],
            options={
                'verbose_name': 'person behind a change request',
                'verbose_name_plural': 'people behind change requests',
                'ordering': ['change_request_id', 'id'],
                'constraints': [models.UniqueConstraint(fields=('change_request', 'person', 'reason'), name='approvals_personbehind_unique', violation_error_message='This person is already recorded for this reason.')],
            },
        ),
        migrations.RunPython(backfill_requesters, migrations.RunPython.noop),
        migrations.RunPython(create_trigger, drop_trigger),
    ]
