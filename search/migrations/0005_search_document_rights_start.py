"""The asset's rights start copied on its search index row: before it, the asset is held back like an embargoed
one, and the visibility rule narrows index rows by the same columns as assets."""
from django.db import migrations, models


def copy_rights_start(apps, schema_editor):
    Asset = apps.get_model("assets", "Asset")
    SearchDocument = apps.get_model("search", "SearchDocument")
    # Only assets with a start date need a write; the others keep the new column's null.
    for asset_id, start in Asset.objects.filter(rights_start__isnull=False).values_list("pk", "rights_start"):
        SearchDocument.objects.filter(asset_id=asset_id).update(rights_start=start)


class Migration(migrations.Migration):
    dependencies = [("assets", "0029_rights_fields"), ("search", "0004_search_events_purge_schedule")]

    operations = [
        migrations.AddField(model_name="searchdocument", name="rights_start", field=models.DateTimeField(null=True)),
        migrations.RunPython(copy_rights_start, migrations.RunPython.noop),
    ]
