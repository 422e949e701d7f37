"""On call becomes its own app: its models move here from the war room, tables and all.

Nothing changes in the database: every table keeps its ``warroom_*`` name and every
constraint and index its name. This migration only adds the models to this app's state
(``SeparateDatabaseAndState``); warroom 0008 then removes them from the war room's state.

Content types are relabelled in place (``warroom`` -> ``oncall``) before ``post_migrate``
would create new ones, so everything that points at them follows: auth permissions (and the
roles and per-person grants holding them), django-guardian object permissions (a team
lead's grant on a schedule) and django-auditlog change records (a schedule's history). The
audit hash chain covers ``content_type_id``, not the label, so ``audit_verify`` still holds.
"""

import apps.oncall.models.escalation
import apps.oncall.models.schedules
import apps.oncall.rotation
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

# The models that moved (lower-case names, as content types store them).
MOVED_MODELS = [
    "calendarfeed",
    "escalationpolicy",
    "escalationstep",
    "feedemittedshift",
    "layerparticipant",
    "layerversion",
    "membership",
    "override",
    "page",
    "pageevent",
    "pagesteprun",
    "rotationlayer",
    "schedule",
    "team",
]


def _relabel(apps, schema_editor, old: str, new: str) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MOVED_MODELS:
        current = content_type.objects.using(db).filter(app_label=old, model=model).first()
        if current is None:
            continue  # a fresh database: post_migrate creates it under the new label
        # A row under the new label can only exist if nothing ever pointed at it (it was
        # made by a post_migrate that ran before this migration); drop it, keep the old.
        content_type.objects.using(db).filter(app_label=new, model=model).delete()
        current.app_label = new
        current.save(update_fields=["app_label"])
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()


def relabel_forward(apps, schema_editor):
    _relabel(apps, schema_editor, "warroom", "oncall")


def relabel_backward(apps, schema_editor):
    _relabel(apps, schema_editor, "oncall", "warroom")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('warroom', '0007_launchlog_refuses_truncate'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('notify', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
            migrations.CreateModel(
                name='EscalationPolicy',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('name', models.CharField(max_length=100, verbose_name='name')),
                    ('description', models.TextField(blank=True, verbose_name='description')),
                    ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created at')),
                    ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                ],
                options={
                    'verbose_name': 'escalation policy',
                    'verbose_name_plural': 'escalation policies',
                    'db_table': 'warroom_escalationpolicy',
                    'ordering': ['team__name', 'name'],
                },
            ),
            migrations.CreateModel(
                name='Schedule',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('kind', models.CharField(choices=[('primary', 'Primary'), ('backup', 'Backup')], max_length=20, verbose_name='kind')),
                    ('name', models.CharField(max_length=100, verbose_name='name')),
                    ('timezone', models.CharField(default='UTC', max_length=64, validators=[apps.oncall.models.schedules.validate_iana_timezone], verbose_name='time zone')),
                    ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created at')),
                ],
                options={
                    'verbose_name': 'schedule',
                    'verbose_name_plural': 'schedules',
                    'db_table': 'warroom_schedule',
                    'ordering': ['team__name', 'kind'],
                },
            ),
            migrations.CreateModel(
                name='CalendarFeed',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('kind', models.CharField(choices=[('schedule', 'Schedule'), ('person', 'Person')], max_length=20, verbose_name='kind')),
                    ('token_hash', models.CharField(editable=False, max_length=64, verbose_name='token hash')),
                    ('hint', models.CharField(blank=True, editable=False, max_length=8, verbose_name='hint')),
                    ('days', models.PositiveSmallIntegerField(default=60, verbose_name='days ahead')),
                    ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created at')),
                    ('revoked_at', models.DateTimeField(blank=True, null=True, verbose_name='revoked at')),
                    ('last_fetched_at', models.DateTimeField(blank=True, null=True, verbose_name='last fetched at')),
                    ('owner', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='warroom_feeds', to=settings.AUTH_USER_MODEL, verbose_name='owner')),
                    ('person', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='person')),
                    ('schedule', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='feeds', to='oncall.schedule', verbose_name='schedule')),
                ],
                options={
                    'verbose_name': 'calendar feed',
                    'verbose_name_plural': 'calendar feeds',
                    'db_table': 'warroom_calendarfeed',
                    'ordering': ['-created_at'],
                },
            ),
            migrations.CreateModel(
                name='Membership',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('joined_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='joined at')),
                    ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='warroom_memberships', to=settings.AUTH_USER_MODEL, verbose_name='person')),
                ],
                options={
                    'verbose_name': 'membership',
                    'verbose_name_plural': 'memberships',
                    'db_table': 'warroom_membership',
                    'ordering': ['team__name', 'user__username'],
                },
            ),
            migrations.CreateModel(
                name='Page',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('policy_snapshot', models.JSONField(default=dict, verbose_name='policy snapshot')),
                    ('title', models.CharField(max_length=300, verbose_name='subject')),
                    ('details', models.TextField(blank=True, verbose_name='details')),
                    ('subject_id', models.CharField(blank=True, max_length=64, verbose_name='about (id)')),
                    ('is_test', models.BooleanField(default=False, verbose_name='test page')),
                    ('status', models.CharField(choices=[('triggered', 'Triggered'), ('acknowledged', 'Acknowledged'), ('resolved', 'Resolved'), ('exhausted', 'Exhausted (nobody acknowledged)')], default='triggered', max_length=20, verbose_name='status')),
                    ('current_step', models.PositiveSmallIntegerField(default=0, verbose_name='current step')),
                    ('current_repeat', models.PositiveSmallIntegerField(default=0, verbose_name='current repeat')),
                    ('next_run_at', models.DateTimeField(blank=True, db_index=True, null=True, verbose_name='next step at')),
                    ('ack_token', models.CharField(default=apps.oncall.models.escalation.new_ack_token, editable=False, max_length=64, verbose_name='acknowledgement token')),
                    ('acknowledged_at', models.DateTimeField(blank=True, null=True, verbose_name='acknowledged at')),
                    ('resolved_at', models.DateTimeField(blank=True, null=True, verbose_name='resolved at')),
                    ('created_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='created at')),
                    ('acknowledged_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='acknowledged by')),
                    ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='triggered by')),
                    ('policy', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='pages', to='oncall.escalationpolicy', verbose_name='policy')),
                    ('resolved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='resolved by')),
                    ('subject_type', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='contenttypes.contenttype', verbose_name='about (type)')),
                ],
                options={
                    'verbose_name': 'page',
                    'verbose_name_plural': 'pages',
                    'db_table': 'warroom_page',
                    'ordering': ['-created_at', '-id'],
                    'permissions': [('trigger_page', 'Can page a team'), ('acknowledge_page', 'Can acknowledge and resolve pages')],
                },
            ),
            migrations.CreateModel(
                name='PageEvent',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('kind', models.CharField(choices=[('triggered', 'Triggered'), ('notified', 'Notified'), ('nobody', 'Nobody to notify'), ('waiting', 'Waiting'), ('repeated', 'Repeated'), ('acknowledged', 'Acknowledged'), ('resolved', 'Resolved'), ('exhausted', 'Exhausted')], max_length=20, verbose_name='kind')),
                    ('step_index', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='step')),
                    ('repeat', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='pass')),
                    ('message', models.CharField(blank=True, max_length=300, verbose_name='message')),
                    ('data', models.JSONField(blank=True, default=dict, verbose_name='data')),
                    ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='time')),
                    ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='actor')),
                    ('page', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='oncall.page', verbose_name='page')),
                ],
                options={
                    'verbose_name': 'page event',
                    'verbose_name_plural': 'page events',
                    'db_table': 'warroom_pageevent',
                    'ordering': ['created_at', 'id'],
                },
            ),
            migrations.CreateModel(
                name='RotationLayer',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created at')),
                    ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by')),
                    ('schedule', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='layers', to='oncall.schedule', verbose_name='schedule')),
                ],
                options={
                    'verbose_name': 'rotation layer',
                    'verbose_name_plural': 'rotation layers',
                    'db_table': 'warroom_rotationlayer',
                    'ordering': ['schedule_id', 'id'],
                },
            ),
            migrations.CreateModel(
                name='LayerVersion',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('name', models.CharField(max_length=100, verbose_name='name')),
                    ('priority', models.PositiveSmallIntegerField(default=1, help_text='Higher layers win over lower ones.', verbose_name='priority')),
                    ('timezone', models.CharField(max_length=64, validators=[apps.oncall.models.schedules.validate_iana_timezone], verbose_name='time zone')),
                    ('shift_kind', models.CharField(choices=[('hours', 'Hours'), ('daily', 'Days'), ('weekly', 'Weeks')], max_length=10, verbose_name='shift length unit')),
                    ('shift_length', models.PositiveIntegerField(help_text='How many hours, days or weeks one shift lasts.', verbose_name='shift length')),
                    ('handoff_time', models.TimeField(verbose_name='handoff time (local)')),
                    ('days_of_week', models.JSONField(default=apps.oncall.rotation.all_days, help_text='Days (0 = Monday … 6 = Sunday) whose handoff-to-handoff window is covered.', verbose_name='days of week')),
                    ('start_date', models.DateField(verbose_name='start date')),
                    ('end_date', models.DateField(blank=True, null=True, verbose_name='end date')),
                    ('effective_from', models.DateTimeField(db_index=True, verbose_name='effective from')),
                    ('effective_until', models.DateTimeField(blank=True, null=True, verbose_name='effective until')),
                    ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created at')),
                    ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by')),
                    ('layer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='versions', to='oncall.rotationlayer', verbose_name='layer')),
                ],
                options={
                    'verbose_name': 'layer version',
                    'verbose_name_plural': 'layer versions',
                    'db_table': 'warroom_layerversion',
                    'ordering': ['layer_id', 'effective_from'],
                },
            ),
            migrations.CreateModel(
                name='Override',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('start', models.DateTimeField(verbose_name='start')),
                    ('end', models.DateTimeField(verbose_name='end')),
                    ('reason', models.CharField(blank=True, max_length=300, verbose_name='reason')),
                    ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created at')),
                    ('cancelled_at', models.DateTimeField(blank=True, null=True, verbose_name='cancelled at')),
                    ('cancelled_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='cancelled by')),
                    ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by')),
                    ('user', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='person covering')),
                    ('schedule', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='overrides', to='oncall.schedule', verbose_name='schedule')),
                ],
                options={
                    'verbose_name': 'override',
                    'verbose_name_plural': 'overrides',
                    'db_table': 'warroom_override',
                    'ordering': ['schedule_id', 'start'],
                },
            ),
            migrations.CreateModel(
                name='FeedEmittedShift',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('uid', models.CharField(max_length=200, verbose_name='UID')),
                    ('start', models.DateTimeField(verbose_name='start')),
                    ('end', models.DateTimeField(verbose_name='end')),
                    ('sequence', models.PositiveIntegerField(default=0, verbose_name='sequence')),
                    ('cancelled_at', models.DateTimeField(blank=True, null=True, verbose_name='cancelled at')),
                    ('first_sent_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='first sent at')),
                    ('feed', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='emitted', to='oncall.calendarfeed', verbose_name='feed')),
                    ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='person')),
                    ('schedule', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='oncall.schedule', verbose_name='schedule')),
                ],
                options={
                    'verbose_name': 'emitted shift',
                    'verbose_name_plural': 'emitted shifts',
                    'db_table': 'warroom_feedemittedshift',
                    'ordering': ['feed_id', 'start'],
                },
            ),
            migrations.CreateModel(
                name='EscalationStep',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('position', models.PositiveSmallIntegerField(verbose_name='position')),
                    ('kind', models.CharField(choices=[('notify_schedule', 'Notify who is on call on a schedule'), ('notify_user', 'Notify a person'), ('notify_team_lead', 'Notify the team lead'), ('notify_team_channel', "Post to the team's war-room channel"), ('wait', 'Wait'), ('repeat', 'Repeat from an earlier step')], max_length=30, verbose_name='kind')),
                    ('label', models.CharField(blank=True, help_text='E.g. L1 on-call, L3 architect.', max_length=100, verbose_name='label')),
                    ('wait_minutes', models.PositiveIntegerField(blank=True, null=True, verbose_name='wait (minutes)')),
                    ('repeat_from', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='repeat from step')),
                    ('repeat_times', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='repeat times')),
                    ('policy', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='steps', to='oncall.escalationpolicy', verbose_name='policy')),
                    ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='person')),
                    ('schedule', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='oncall.schedule', verbose_name='schedule')),
                ],
                options={
                    'verbose_name': 'escalation step',
                    'verbose_name_plural': 'escalation steps',
                    'db_table': 'warroom_escalationstep',
                    'ordering': ['policy_id', 'position'],
                },
            ),
            migrations.CreateModel(
                name='Team',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('name', models.CharField(max_length=100, verbose_name='name')),
                    ('slug', models.SlugField(verbose_name='slug')),
                    ('description', models.TextField(blank=True, verbose_name='description')),
                    ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created at')),
                    ('channel', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='notify.channel', verbose_name='war-room channel')),
                    ('lead', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='led_teams', to=settings.AUTH_USER_MODEL, verbose_name='lead')),
                    ('members', models.ManyToManyField(blank=True, related_name='warroom_teams', through='oncall.Membership', to=settings.AUTH_USER_MODEL, verbose_name='members')),
                ],
                options={
                    'verbose_name': 'team',
                    'verbose_name_plural': 'teams',
                    'db_table': 'warroom_team',
                    'ordering': ['name'],
                    'permissions': [('send_test_page', 'Can send a test page for a team')],
                },
            ),
            migrations.AddField(
                model_name='schedule',
                name='team',
                field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='schedules', to='oncall.team', verbose_name='team'),
            ),
            migrations.AddField(
                model_name='page',
                name='team',
                field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='pages', to='oncall.team', verbose_name='team'),
            ),
            migrations.AddField(
                model_name='membership',
                name='team',
                field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to='oncall.team', verbose_name='team'),
            ),
            migrations.AddField(
                model_name='escalationpolicy',
                name='team',
                field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='escalation_policies', to='oncall.team', verbose_name='team'),
            ),
            migrations.CreateModel(
                name='LayerParticipant',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('position', models.PositiveSmallIntegerField(verbose_name='position')),
                    ('user', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='person')),
                    ('version', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='participants', to='oncall.layerversion', verbose_name='layer version')),
                ],
                options={
                    'verbose_name': 'layer participant',
                    'verbose_name_plural': 'layer participants',
                    'db_table': 'warroom_layerparticipant',
                    'ordering': ['version_id', 'position'],
                    'constraints': [models.UniqueConstraint(fields=('version', 'position'), name='warroom_layerparticipant_position_unique', violation_error_message='Two participants cannot share a position.')],
                },
            ),
            migrations.CreateModel(
                name='PageStepRun',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('step_index', models.PositiveSmallIntegerField(verbose_name='step')),
                    ('repeat', models.PositiveSmallIntegerField(default=0, verbose_name='pass')),
                    ('kind', models.CharField(max_length=30, verbose_name='kind')),
                    ('ran_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='ran at')),
                    ('outcome', models.JSONField(blank=True, default=dict, verbose_name='outcome')),
                    ('page', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='step_runs', to='oncall.page', verbose_name='page')),
                ],
                options={
                    'verbose_name': 'page step run',
                    'verbose_name_plural': 'page step runs',
                    'db_table': 'warroom_pagesteprun',
                    'ordering': ['page_id', 'ran_at', 'id'],
                    'constraints': [models.UniqueConstraint(fields=('page', 'step_index', 'repeat'), name='warroom_pagesteprun_once', violation_error_message='This step already ran.')],
                },
            ),
            migrations.AddConstraint(
                model_name='layerversion',
                constraint=models.CheckConstraint(condition=models.Q(('shift_length__gte', 1)), name='warroom_layerversion_shift_length_positive', violation_error_message='The shift length must be at least 1.'),
            ),
            migrations.AddConstraint(
                model_name='layerversion',
                constraint=models.CheckConstraint(condition=models.Q(('effective_until__isnull', True), ('effective_until__gt', models.F('effective_from')), _connector='OR'), name='warroom_layerversion_effective_order', violation_error_message='A version must end after it starts.'),
            ),
            migrations.AddConstraint(
                model_name='layerversion',
                constraint=models.CheckConstraint(condition=models.Q(('end_date__isnull', True), ('end_date__gte', models.F('start_date')), _connector='OR'), name='warroom_layerversion_dates_order', violation_error_message='The end date cannot be before the start date.'),
            ),
            migrations.AddIndex(
                model_name='override',
                index=models.Index(fields=['schedule', 'end'], name='warroom_override_sched_end'),
            ),
            migrations.AddConstraint(
                model_name='override',
                constraint=models.CheckConstraint(condition=models.Q(('end__gt', models.F('start'))), name='warroom_override_end_after_start', violation_error_message='The override must end after it starts.'),
            ),
            migrations.AddConstraint(
                model_name='feedemittedshift',
                constraint=models.UniqueConstraint(fields=('feed', 'uid'), name='warroom_feedshift_uid_unique', violation_error_message='This feed already sent this shift.'),
            ),
            migrations.AddConstraint(
                model_name='escalationstep',
                constraint=models.UniqueConstraint(fields=('policy', 'position'), name='warroom_step_position_unique', violation_error_message='Two steps cannot share a position.'),
            ),
            migrations.AddConstraint(
                model_name='escalationstep',
                constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'wait'), _negated=True), models.Q(('wait_minutes__gte', 1), ('wait_minutes__lte', 1440)), _connector='OR'), name='warroom_step_wait_range', violation_error_message='A wait lasts from 1 minute to 24 hours (1440 minutes).'),
            ),
            migrations.AddConstraint(
                model_name='escalationstep',
                constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'notify_schedule'), _negated=True), ('schedule__isnull', False), _connector='OR'), name='warroom_step_schedule_required', violation_error_message='Choose the schedule whose on-call person is told.'),
            ),
            migrations.AddConstraint(
                model_name='escalationstep',
                constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'notify_user'), _negated=True), ('user__isnull', False), _connector='OR'), name='warroom_step_user_required', violation_error_message='Choose the person to notify.'),
            ),
            migrations.AddConstraint(
                model_name='escalationstep',
                constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'repeat'), _negated=True), models.Q(('repeat_from__gte', 1), ('repeat_from__lt', models.F('position')), ('repeat_times__gte', 1), ('repeat_times__lte', 10)), _connector='OR'), name='warroom_step_repeat_valid', violation_error_message='Repeat from an earlier step, 1 to 10 times.'),
            ),
            migrations.AddConstraint(
                model_name='calendarfeed',
                constraint=models.UniqueConstraint(fields=('token_hash',), name='warroom_feed_token_hash_unique', violation_error_message='Feed tokens are unique.'),
            ),
            migrations.AddConstraint(
                model_name='calendarfeed',
                constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'schedule'), ('person__isnull', True), ('schedule__isnull', False)), models.Q(('kind', 'person'), ('person__isnull', False), ('schedule__isnull', True)), _connector='OR'), name='warroom_feed_kind_target', violation_error_message='A feed is of one schedule or of one person.'),
            ),
            migrations.AddConstraint(
                model_name='calendarfeed',
                constraint=models.CheckConstraint(condition=models.Q(('days__gte', 1), ('days__lte', 366)), name='warroom_feed_days_range', violation_error_message='A feed covers 1 to 366 days ahead.'),
            ),
            migrations.AddConstraint(
                model_name='team',
                constraint=models.UniqueConstraint(fields=('slug',), name='warroom_team_slug_unique', violation_error_message='A team with this slug already exists.'),
            ),
            migrations.AddConstraint(
                model_name='team',
                constraint=models.UniqueConstraint(fields=('name',), name='warroom_team_name_unique', violation_error_message='A team with this name already exists.'),
            ),
            migrations.AddConstraint(
                model_name='schedule',
                constraint=models.UniqueConstraint(fields=('team', 'kind'), name='warroom_schedule_team_kind_unique', violation_error_message='This team already has a schedule of this kind.'),
            ),
            migrations.AddConstraint(
                model_name='schedule',
                constraint=models.CheckConstraint(condition=models.Q(('kind__in', ['primary', 'backup'])), name='warroom_schedule_kind_valid', violation_error_message='A schedule is primary or backup.'),
            ),
            migrations.AddConstraint(
                model_name='page',
                constraint=models.UniqueConstraint(fields=('ack_token',), name='warroom_page_ack_token_unique', violation_error_message='Acknowledgement tokens are unique.'),
            ),
            migrations.AddConstraint(
                model_name='page',
                constraint=models.CheckConstraint(condition=models.Q(('status__in', ['triggered', 'acknowledged', 'resolved', 'exhausted'])), name='warroom_page_status_valid', violation_error_message='Unknown page status.'),
            ),
            migrations.AddConstraint(
                model_name='page',
                constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'acknowledged'), _negated=True), ('acknowledged_at__isnull', False), _connector='OR'), name='warroom_page_ack_has_time', violation_error_message='An acknowledged page records when.'),
            ),
            migrations.AddConstraint(
                model_name='membership',
                constraint=models.UniqueConstraint(fields=('team', 'user'), name='warroom_membership_team_user_unique', violation_error_message='This person is already on the team.'),
            ),
            migrations.AddConstraint(
                model_name='escalationpolicy',
                constraint=models.UniqueConstraint(fields=('team', 'name'), name='warroom_policy_team_name_unique', violation_error_message='This team already has a policy with this name.'),
            ),
            ],
        ),
        migrations.RunPython(relabel_forward, relabel_backward),
    ]
