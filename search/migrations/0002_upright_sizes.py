"""The approved versions' sizes copied on the search index rows, refreshed after assets/0026 turned some of them
upright (so "orientation" filters and facets read them as shown)."""
from django.db import migrations

BATCH = 1000


def refresh(apps, schema_editor):
    Asset = apps.get_model("assets", "Asset")
    SearchDocument = apps.get_model("search", "SearchDocument")
    turned = (Asset.objects.filter(approved_version__embedded_metadata__exif__Orientation__in=[5, 6, 7, 8])
              .values_list("pk", "approved_version__width", "approved_version__height"))
    rows = list(turned)
    for start in range(0, len(rows), BATCH):
        for asset_id, width, height in rows[start:start + BATCH]:
            SearchDocument.objects.filter(asset_id=asset_id).update(approved_width=width, approved_height=height)


class Migration(migrations.Migration):
    dependencies = [("assets", "0026_upright_sizes"), ("search", "0001_initial")]

    operations = [migrations.RunPython(refresh, refresh)]
