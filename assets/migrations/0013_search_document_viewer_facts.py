"""The search index row carries what a viewer's filters ask: the asset's type and upload time, and the
facts of its approved version. Existing rows are filled by one UPDATE: the values that
assets.search.index.document_for writes from now on.

Every new column is nullable without a default, so SQLite adds them in place (ALTER TABLE ADD
COLUMN) and the full-text triggers of migration 0004 stay.
"""
from django.db import migrations, models

ASSET_FACTS = ("asset_type", "created_at")
VERSION_FACTS = ("width", "height", "mime_type", "camera_make", "camera_model", "captured_on")


def fill(apps, schema_editor):
    asset = "SELECT a.{0} FROM assets_asset a WHERE a.id = assets_searchdocument.asset_id"
    version = ("SELECT v.{0} FROM assets_asset a JOIN assets_assetversion v ON v.id = a.approved_version_id "
               "WHERE a.id = assets_searchdocument.asset_id")
    copies = [f"{c} = ({asset.format(c)})" for c in ASSET_FACTS]
    copies += [f"approved_{c} = ({version.format(c)})" for c in VERSION_FACTS]
    schema_editor.execute(f"UPDATE assets_searchdocument SET {', '.join(copies)}")  # noqa: S608 -- constants only


class Migration(migrations.Migration):

    dependencies = [
        ('assets', '0012_vocabulary_generation'),
    ]

    operations = [
        migrations.AddField(
            model_name='searchdocument',
            name='approved_camera_make',
            field=models.CharField(max_length=100, null=True),
        ),
        migrations.AddField(
            model_name='searchdocument',
            name='approved_camera_model',
            field=models.CharField(max_length=100, null=True),
        ),
        migrations.AddField(
            model_name='searchdocument',
            name='approved_captured_on',
            field=models.DateField(null=True),
        ),
        migrations.AddField(
            model_name='searchdocument',
            name='approved_height',
            field=models.PositiveIntegerField(null=True),
        ),
        migrations.AddField(
            model_name='searchdocument',
            name='approved_mime_type',
            field=models.CharField(max_length=127, null=True),
        ),
        migrations.AddField(
            model_name='searchdocument',
            name='approved_width',
            field=models.PositiveIntegerField(null=True),
        ),
        migrations.AddField(
            model_name='searchdocument',
            name='asset_type',
            field=models.CharField(max_length=10, null=True),
        ),
        migrations.AddField(
            model_name='searchdocument',
            name='created_at',
            field=models.DateTimeField(null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
