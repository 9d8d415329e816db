"""The folder index of the search index rows also holds the approved version's orientation and the asset's
type and upload time, so that a viewer's folder scan leaves out what their orientation, type or "uploaded"
filter rejects (see SearchDocument.Meta). It replaces the folder-only index, whose column it leads with.
"""

import django.db.models.lookups
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('assets', '0013_search_document_viewer_facts'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='searchdocument',
            name='searchdocument_collection_idx',
        ),
        migrations.AddIndex(
            model_name='searchdocument',
            index=models.Index(models.F('collection_id'), django.db.models.lookups.GreaterThan(models.F('approved_width'), models.F('approved_height')), django.db.models.lookups.GreaterThan(models.F('approved_height'), models.F('approved_width')), models.F('asset_type'), models.F('created_at'), name='searchdocument_folder_idx'),
        ),
    ]
