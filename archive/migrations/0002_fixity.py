"""Fixity runs, their problems, each version's last check; and the weekly run (a django-q2 schedule)."""
from datetime import timedelta

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


SCHEDULE = "archive-fixity-weekly"


def add_schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    # Weekly from the next Sunday 04:00 (server time): after the nightly sweep (03:30), in a quiet hour.
    now = django.utils.timezone.localtime()
    first = now.replace(hour=4, minute=0, second=0, microsecond=0) + timedelta(days=(6 - now.weekday()) % 7)
    if first <= now:
        first += timedelta(days=7)
    Schedule.objects.get_or_create(name=SCHEDULE, defaults={
        "func": "archive.fixity.tasks.fixity_scheduled_task", "schedule_type": "W", "repeats": -1,
        "next_run": first})


def remove_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=SCHEDULE).delete()


class Migration(migrations.Migration):

    
    dependencies = [
        ('archive', '0001_tier'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [
        migrations.CreateModel(
            name='FixityRun',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('started_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                ('finished_at', models.DateTimeField(blank=True, null=True)),
                ('state', models.CharField(choices=[('running', 'Running'), ('complete', 'Complete'), ('incomplete', 'Incomplete')], db_index=True, default='running', max_length=12)),
                ('trigger', models.CharField(choices=[('schedule', 'Weekly schedule'), ('command', 'Command line'), ('person', 'Started by a person')], max_length=10)),
                ('sample', models.PositiveIntegerField(blank=True, null=True)),
                ('everything', models.BooleanField(default=True)),
                ('scope', models.CharField(help_text='The scope in words, kept if the folder is deleted.', max_length=300)),
                ('checked', models.PositiveIntegerField(default=0, help_text='Originals read and compared.')),
                ('bytes_read', models.BigIntegerField(default=0)),
                ('changed', models.PositiveIntegerField(default=0)),
                ('missing', models.PositiveIntegerField(default=0)),
                ('untracked', models.PositiveIntegerField(default=0)),
                ('error', models.TextField(blank=True, help_text='Why the run is incomplete, in a sentence.')),
                ('cursor', models.BigIntegerField(default=0)),
                ('heartbeat_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('collection', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='assets.collection')),
                ('started_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-started_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='FixityProblem',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('changed', 'Changed'), ('missing', 'Missing'), ('untracked', 'Untracked')], max_length=10)),
                ('key', models.CharField(help_text='The storage key.', max_length=255)),
                ('expected', models.CharField(blank=True, help_text='SHA-256 recorded at ingest.', max_length=64)),
                ('actual', models.CharField(blank=True, help_text='SHA-256 of the stored bytes now.', max_length=64)),
                ('version', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='assets.assetversion')),
                ('run', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='problems', to='archive.fixityrun')),
            ],
            options={
                'ordering': ['run', 'kind', 'id'],
            },
        ),
        migrations.CreateModel(
            name='FixityCheck',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('checked_at', models.DateTimeField(db_index=True)),
                ('verified_at', models.DateTimeField(blank=True, help_text='Last time the bytes matched.', null=True)),
                ('outcome', models.CharField(choices=[('ok', 'Matches'), ('changed', 'Changed'), ('missing', 'Missing')], max_length=10)),
                ('version', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='fixity', to='assets.assetversion')),
                ('run', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='archive.fixityrun')),
            ],
        ),
        migrations.RunPython(add_schedule, remove_schedule),
    ]
