"""Roll up the download and search events of the days that are over, on the job worker (django-q2 schedule):
hourly, so a day is rolled up within the hour after it ends, and a worker that was down catches up."""
from django.db import migrations

NAME = "analytics-daily-rollups"


def add(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.get_or_create(name=NAME, defaults={
        "func": "analytics.tasks.rollups_catch_up_task", "schedule_type": "H", "repeats": -1})


def remove(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0003_daily_rollups"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(add, remove)]
