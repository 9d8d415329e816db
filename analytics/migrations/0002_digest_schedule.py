"""Send the weekly analytics digests from the job worker (django-q2 schedule): hourly, each digest when its
week has come, so a digest arrives within the hour of the time it was subscribed."""
from django.db import migrations

NAME = "analytics-weekly-digests"


def add(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.get_or_create(name=NAME, defaults={
        "func": "analytics.tasks.digests_send_due_task", "schedule_type": "H", "repeats": -1})


def remove(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0001_digest_subscriptions"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(add, remove)]
