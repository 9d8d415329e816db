"""Every night, scratch files a day old and expired lock tokens are removed (dav.tasks.scratch_sweep_task)."""
from datetime import timedelta

from django.db import migrations
from django.utils import timezone

NAME = "dav-scratch-sweep"


def add(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    first = timezone.localtime().replace(hour=3, minute=45, second=0, microsecond=0)
    if first <= timezone.localtime():
        first += timedelta(days=1)
    Schedule.objects.get_or_create(name=NAME, defaults={
        "func": "dav.tasks.scratch_sweep_task", "schedule_type": "D", "repeats": -1, "next_run": first})


def remove(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("dav", "0001_initial"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(add, remove)]
