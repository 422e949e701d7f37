"""Who created each service account, and who changed each token's scopes.

The people behind a service account's token (its creators and the people who changed
its scopes) may not decide what it files. Accounts made before this migration get their
creator from the audit trail's ``service_account.created`` event.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def backfill_service_account_creators(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    AuditEvent = apps.get_model("audit", "AuditEvent")
    created = AuditEvent.objects.filter(
        name="service_account.created", target_type="accounts.user", actor__isnull=False
    ).order_by("timestamp", "id")
    for target_id, actor_id in created.values_list("target_id", "actor_id"):
        if not str(target_id).isdigit():
            continue
        User.objects.filter(
            pk=int(target_id), is_service_account=True, created_by__isnull=True
        ).update(created_by_id=actor_id)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_backup_codes'),
        ('audit', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='user',
            name='created_by',
            field=models.ForeignKey(blank=True, editable=False, help_text='Service accounts: the person who created the account. Nobody behind a service account may approve what it files.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by'),
        ),
        migrations.CreateModel(
            name='ApiTokenScopeChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('changed_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='changed at')),
                ('scopes_before', models.JSONField(default=list, verbose_name='scopes before')),
                ('scopes_after', models.JSONField(default=list, verbose_name='scopes after')),
                ('reason', models.TextField(verbose_name='reason')),
                ('changed_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='changed by')),
                ('token', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='scope_changes', to='accounts.apitoken', verbose_name='token')),
            ],
            options={
                'verbose_name': 'token scope change',
                'verbose_name_plural': 'token scope changes',
                'ordering': ['-changed_at', '-id'],
                'constraints': [models.CheckConstraint(condition=models.Q(('reason', ''), _negated=True), name='accounts_tokenscopechange_reason_required', violation_error_message='A reason is required.')],
            },
        ),
        migrations.RunPython(backfill_service_account_creators, migrations.RunPython.noop),
    ]
