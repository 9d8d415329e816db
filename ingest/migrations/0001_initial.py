"""Upload batches, taken over from the assets app with their tables (see assets/0019)."""
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

APP = "ingest"
MODELS = ['ingestbatch', 'ingestitem']


def move_content_types(apps, schema_editor, source="assets", target=APP):
    """The moved models' content types follow them, so their permissions and audit events stay attached."""
    content_type = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if not content_type.objects.filter(app_label=target, model=model).exists():
            content_type.objects.filter(app_label=source, model=model).update(app_label=target)


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, source=APP, target="assets")


class Migration(migrations.Migration):

    dependencies = [
        ('assets', '0019_models_moved_out'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The tables exist already (made by the assets app's migrations, kept by db_table): state only.
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.CreateModel(
                name='IngestBatch',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('source', models.CharField(choices=[('upload', 'Upload page'), ('api', 'API'), ('import', 'import_assets command')], default='upload', max_length=10)),
                    ('on_duplicate', models.CharField(choices=[('report', 'Report it as a duplicate'), ('new_version', 'Add it as a new revision of the existing asset'), ('keep_both', 'Keep both as separate assets')], default='report', max_length=12)),
                    ('created_at', models.DateTimeField(auto_now_add=True, db_index=True)),
                    ('collection', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='ingest_batches', to='assets.collection')),
                    ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='ingest_batches', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'db_table': 'assets_ingestbatch',
                    'ordering': ['-created_at', '-id'],
                },
            ),
            migrations.CreateModel(
                name='IngestItem',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('filename', models.CharField(max_length=255)),
                    ('archive', models.CharField(blank=True, max_length=255)),
                    ('entry', models.CharField(blank=True, max_length=1024)),
                    ('size', models.BigIntegerField(blank=True, null=True)),
                    ('sha256', models.CharField(blank=True, max_length=64)),
                    ('outcome', models.CharField(choices=[('created', 'Created'), ('new_version', 'Added as a new revision'), ('duplicate', 'Duplicate'), ('rejected', 'Rejected')], max_length=12)),
                    ('reason', models.TextField(blank=True)),
                    ('created_at', models.DateTimeField(auto_now_add=True)),
                    ('asset', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='assets.asset')),
                    ('batch', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='items', to='ingest.ingestbatch')),
                    ('duplicate_of', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='assets.asset')),
                    ('version', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='assets.assetversion')),
                ],
                options={
                    'db_table': 'assets_ingestitem',
                    'ordering': ['batch', 'id'],
                    'indexes': [models.Index(fields=['batch', 'outcome'], name='ingestitem_batch_outcome_idx')],
                },
            ),
        ]),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
