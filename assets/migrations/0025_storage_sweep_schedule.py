"""Every night, the store is compared with the rows (manage.py sweep_orphans) on the job worker."""
from datetime import timedelta

from django.db import migrations
from django.utils import timezone

NAME = "assets-storage-sweep"


def add(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    # Daily from the next 03:30 (server time): a quiet hour for most libraries.
    first = timezone.localtime().replace(hour=3, minute=30, second=0, microsecond=0)
    if first <= timezone.localtime():
        first += timedelta(days=1)
    Schedule.objects.get_or_create(name=NAME, defaults={
        "func": "assets.tasks.storage_sweep_task", "schedule_type": "D", "repeats": -1, "next_run": first})


def remove(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("assets", "0024_storage_sweep"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(add, remove)]
