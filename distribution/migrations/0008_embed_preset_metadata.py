"""Presets choose what a file says about itself: the asset's rights (the default), the original's descriptive
metadata and the rights, or nothing. A preset that kept the original's credits keeps them (and gains the
rights); one that removed them now carries the asset's rights, as every download should."""
from django.db import migrations, models


def forwards(apps, schema_editor):
    Preset = apps.get_model("distribution", "Preset")
    Preset.objects.filter(strip_metadata=False).update(metadata="keep")
    Preset.objects.filter(strip_metadata=True).update(metadata="rights")


def backwards(apps, schema_editor):
    Preset = apps.get_model("distribution", "Preset")
    Preset.objects.filter(metadata="keep").update(strip_metadata=False)
    Preset.objects.exclude(metadata="keep").update(strip_metadata=True)


class Migration(migrations.Migration):

    dependencies = [
        ("distribution", "0007_connections_usages"),
    ]

    operations = [
        migrations.AddField(
            model_name="preset",
            name="metadata",
            field=models.CharField(
                choices=[("rights", "The asset's rights, title and description"),
                         ("keep", "Those, and the original's credits, captions and keywords (never its location)"),
                         ("strip", "None at all")],
                default="rights", max_length=6,
                help_text="What the file says about itself. The asset's rights are its current ones, written at "
                          "download."),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveField(model_name="preset", name="strip_metadata"),
    ]
