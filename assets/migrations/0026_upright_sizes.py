"""Width and height describe the picture as it is shown: versions stored before, whose EXIF orientation turns
them a quarter (5-8), had the sensor's size; they are swapped here (both ways, by the same condition).

search/0002 refreshes the copies of these sizes on the search index rows.
"""
from django.db import migrations
from django.db.models import F

QUARTER_TURNS = [5, 6, 7, 8]


def swap(apps, schema_editor):
    AssetVersion = apps.get_model("assets", "AssetVersion")
    turned = AssetVersion.objects.filter(embedded_metadata__exif__Orientation__in=QUARTER_TURNS,
                                         width__isnull=False, height__isnull=False)
    # One UPDATE: both columns are read before either is written.
    turned.update(width=F("height"), height=F("width"))


class Migration(migrations.Migration):
    dependencies = [("assets", "0025_storage_sweep_schedule")]

    operations = [migrations.RunPython(swap, swap)]
