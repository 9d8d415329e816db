"""Camera make, model and capture day as columns of AssetVersion, filled from the stored embedded metadata.

A frozen copy of assets.metadata.capture_facts fills the existing rows, so this
migration means the same thing whatever that function becomes later.
"""
from datetime import date

from django.db import migrations, models

BATCH = 2000


def _text(value):
    if not isinstance(value, str):
        return ""
    value = value.replace("\x00", "").strip()
    return value if value.isprintable() else ""


def _day(value):
    text = _text(value)
    if len(text) < 10:
        return None
    try:
        year, month, day = (int(part) for part in text[:10].replace("-", ":").split(":"))
        return date(year, month, day)
    except ValueError:
        return None


def fill(apps, schema_editor):
    AssetVersion = apps.get_model("assets", "AssetVersion")
    changed = []
    for version in AssetVersion.objects.only("pk", "embedded_metadata").iterator(chunk_size=BATCH):
        raw = version.embedded_metadata if isinstance(version.embedded_metadata, dict) else {}
        exif = raw.get("exif") if isinstance(raw.get("exif"), dict) else {}
        mapped = raw.get("mapped") if isinstance(raw.get("mapped"), dict) else {}
        version.camera_make = _text(exif.get("Make"))[:100]
        version.camera_model = _text(exif.get("Model"))[:100]
        version.captured_on = _day(exif.get("DateTimeOriginal")) or _day(mapped.get("date_taken"))
        if version.camera_make or version.camera_model or version.captured_on:
            changed.append(version)
        if len(changed) >= BATCH:
            AssetVersion.objects.bulk_update(changed, ["camera_make", "camera_model", "captured_on"])
            changed = []
    AssetVersion.objects.bulk_update(changed, ["camera_make", "camera_model", "captured_on"])


class Migration(migrations.Migration):
    dependencies = [
        ("assets", "0008_saved_search_notice_schedule"),
    ]

    operations = [
        migrations.AddField(
            model_name="assetversion",
            name="camera_make",
            field=models.CharField(blank=True, default="", max_length=100),
        ),
        migrations.AddField(
            model_name="assetversion",
            name="camera_model",
            field=models.CharField(blank=True, default="", max_length=100),
        ),
        migrations.AddField(
            model_name="assetversion",
            name="captured_on",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="assetversion",
            index=models.Index(fields=["camera_make", "camera_model"], name="version_camera_idx"),
        ),
        migrations.AddIndex(
            model_name="assetversion",
            index=models.Index(fields=["captured_on"], name="version_captured_idx"),
        ),
    ]
