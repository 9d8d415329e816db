"""The search index, colours, the vocabulary's generation and saved searches, taken over from the assets app
with their tables (see assets/0019); the hourly saved-search job now runs search's task."""
import django.db.models.deletion
import django.db.models.lookups
from django.conf import settings
from django.db import migrations, models

APP = "search"
MODELS = ['searchtext', 'searchdocument', 'assetcolor', 'vocabularygeneration', 'savedsearch', 'savedsearchvisit']


def move_content_types(apps, schema_editor, source="assets", target=APP):
    """The moved models' content types follow them, so their permissions and audit events stay attached."""
    content_type = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if not content_type.objects.filter(app_label=target, model=model).exists():
            content_type.objects.filter(app_label=source, model=model).update(app_label=target)


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, source=APP, target="assets")


OLD_TASK, NEW_TASK = "assets.tasks.saved_searches_notify_task", "search.tasks.saved_searches_notify_task"


def move_schedule(apps, schema_editor, old=OLD_TASK, new=NEW_TASK):
    apps.get_model("django_q", "Schedule").objects.filter(func=old).update(func=new)


def move_schedule_back(apps, schema_editor):
    move_schedule(apps, schema_editor, old=NEW_TASK, new=OLD_TASK)


class Migration(migrations.Migration):

    dependencies = [
        ('assets', '0019_models_moved_out'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('django_q', '0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more'),
        ('auth', '0012_alter_user_first_name_max_length'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The tables exist already (made by the assets app's migrations, kept by db_table): state only.
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.CreateModel(
                name='SearchText',
                fields=[
                    ('asset', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='search_text', serialize=False, to='assets.asset')),
                    ('title', models.TextField(blank=True)),
                    ('labels', models.TextField(blank=True)),
                    ('description', models.TextField(blank=True)),
                    ('other', models.TextField(blank=True)),
                ],
                options={
                    'db_table': 'assets_searchtext',
                },
            ),
            migrations.CreateModel(
                name='VocabularyGeneration',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('number', models.BigIntegerField(default=0)),
                ],
                options={
                    'db_table': 'assets_vocabularygeneration',
                },
            ),
            migrations.CreateModel(
                name='SavedSearch',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('name', models.CharField(max_length=200)),
                    ('query', models.TextField(blank=True, help_text='The query string of /assets/, without page and view.')),
                    ('notify', models.BooleanField(default=False, help_text='Email the owner when new assets match.')),
                    ('last_notified_at', models.DateTimeField(blank=True, null=True)),
                    ('created_at', models.DateTimeField(auto_now_add=True)),
                    ('owner', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='saved_searches', to=settings.AUTH_USER_MODEL)),
                    ('shared_with', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='saved_searches', to='auth.group')),
                ],
                options={
                    'db_table': 'assets_savedsearch',
                    'ordering': ['name', 'pk'],
                },
            ),
            migrations.CreateModel(
                name='SavedSearchVisit',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('seen_at', models.DateTimeField()),
                    ('search', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='visits', to='search.savedsearch')),
                    ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'db_table': 'assets_savedsearchvisit',
                },
            ),
            migrations.CreateModel(
                name='SearchDocument',
                fields=[
                    ('asset', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='search_document', serialize=False, to='assets.asset')),
                    ('collection_id', models.BigIntegerField(null=True)),
                    ('owner_id', models.BigIntegerField(null=True)),
                    ('approved_version_id', models.BigIntegerField(null=True)),
                    ('archived_at', models.DateTimeField(null=True)),
                    ('rights_expire_at', models.DateTimeField(null=True)),
                    ('embargo_until', models.DateTimeField(null=True)),
                    ('terms', models.JSONField(default=dict)),
                    ('color_families', models.JSONField(default=dict)),
                    ('asset_type', models.CharField(max_length=10, null=True)),
                    ('created_at', models.DateTimeField(null=True)),
                    ('approved_width', models.PositiveIntegerField(null=True)),
                    ('approved_height', models.PositiveIntegerField(null=True)),
                    ('approved_mime_type', models.CharField(max_length=127, null=True)),
                    ('approved_camera_make', models.CharField(max_length=100, null=True)),
                    ('approved_camera_model', models.CharField(max_length=100, null=True)),
                    ('approved_captured_on', models.DateField(null=True)),
                ],
                options={
                    'db_table': 'assets_searchdocument',
                    'indexes': [models.Index(models.F('collection_id'), django.db.models.lookups.GreaterThan(models.F('approved_width'), models.F('approved_height')), django.db.models.lookups.GreaterThan(models.F('approved_height'), models.F('approved_width')), models.F('asset_type'), models.F('created_at'), name='searchdocument_folder_idx'), models.Index(fields=['owner_id'], name='searchdocument_owner_idx')],
                },
            ),
            migrations.CreateModel(
                name='AssetColor',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('hex', models.CharField(max_length=7)),
                    ('family', models.CharField(max_length=20)),
                    ('share', models.FloatField()),
                    ('lightness', models.FloatField()),
                    ('a', models.FloatField()),
                    ('b', models.FloatField()),
                    ('asset', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='colors', to='assets.asset')),
                ],
                options={
                    'db_table': 'assets_assetcolor',
                    'indexes': [models.Index(fields=['asset', 'family'], name='assetcolor_asset_family_idx'), models.Index(condition=models.Q(('share__gte', 0.05)), fields=['family', 'asset'], name='assetcolor_family_counted_idx')],
                },
            ),
            migrations.AddConstraint(
                model_name='savedsearch',
                constraint=models.UniqueConstraint(fields=('owner', 'name'), name='savedsearch_unique_name'),
            ),
            migrations.AddConstraint(
                model_name='savedsearchvisit',
                constraint=models.UniqueConstraint(fields=('search', 'user'), name='savedsearchvisit_unique'),
            ),
        ]),
        migrations.RunPython(move_content_types, move_content_types_back),
        migrations.RunPython(move_schedule, move_schedule_back),
    ]
