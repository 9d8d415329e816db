"""The metadata schema, naming rules and term proposals, taken over from the assets app with their tables
(see assets/0019)."""
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

APP = "taxonomy"
MODELS = ['metadatafield', 'namingrule', 'termproposal']


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
        ('taxonomy', '0002_vocab_language_external_links'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The tables exist already (made by the assets app's migrations, kept by db_table): state only.
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.CreateModel(
                name='MetadataField',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('key', models.SlugField(max_length=60, unique=True)),
                    ('label', models.CharField(max_length=120)),
                    ('field_type', models.CharField(choices=[('text', 'Text'), ('long_text', 'Long text'), ('number', 'Number'), ('date', 'Date'), ('boolean', 'Yes / no'), ('url', 'URL'), ('choice', 'Choice'), ('term', 'Term from a vocabulary')], default='text', max_length=10)),
                    ('choices', models.JSONField(blank=True, default=list)),
                    ('required', models.BooleanField(default=False)),
                    ('help_text', models.CharField(blank=True, max_length=300)),
                    ('asset_types', models.JSONField(blank=True, default=list)),
                    ('order', models.PositiveIntegerField(default=0)),
                    ('created_at', models.DateTimeField(auto_now_add=True)),
                    ('collections', models.ManyToManyField(blank=True, db_table='assets_metadatafield_collections', related_name='+', to='assets.collection')),
                    ('vocabulary', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='taxonomy.vocabulary')),
                ],
                options={
                    'db_table': 'assets_metadatafield',
                    'ordering': ['order', 'key'],
                },
            ),
            migrations.CreateModel(
                name='NamingRule',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('pattern', models.CharField(help_text='e.g. {campaign}_{type}_{date:%Y%m%d}', max_length=200)),
                    ('asset_type', models.CharField(blank=True, choices=[('image', 'Image'), ('video', 'Video'), ('audio', 'Audio'), ('document', 'Document'), ('other', 'Other')], max_length=10)),
                    ('created_at', models.DateTimeField(auto_now_add=True)),
                    ('collection', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='assets.collection')),
                ],
                options={
                    'db_table': 'assets_namingrule',
                    'ordering': ['pk'],
                },
            ),
            migrations.CreateModel(
                name='TermProposal',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('label', models.CharField(max_length=300)),
                    ('language', models.CharField(blank=True, max_length=20)),
                    ('note', models.TextField(blank=True)),
                    ('origin', models.CharField(choices=[('person', 'Proposed by a person'), ('embedded', 'Embedded keyword')], default='person', max_length=10)),
                    ('status', models.CharField(choices=[('pending', 'Pending'), ('accepted', 'Accepted'), ('mapped', 'Mapped to an existing term'), ('rejected', 'Rejected')], db_index=True, default='pending', max_length=10)),
                    ('resolved_at', models.DateTimeField(blank=True, null=True)),
                    ('resolution_note', models.TextField(blank=True)),
                    ('created_at', models.DateTimeField(auto_now_add=True)),
                    ('asset', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='term_proposals', to='assets.asset')),
                    ('proposed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('resolved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('term', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='taxonomy.term')),
                    ('vocabulary', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='taxonomy.vocabulary')),
                ],
                options={
                    'db_table': 'assets_termproposal',
                    'ordering': ['-created_at', '-id'],
                },
            ),
        ]),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
