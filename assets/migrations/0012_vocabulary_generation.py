from django.db import migrations, models


def first_generation(apps, schema_editor):
    apps.get_model("assets", "VocabularyGeneration").objects.create(pk=1, number=0)


class Migration(migrations.Migration):

    dependencies = [
        ('assets', '0011_search_document_access_copies'),
    ]

    operations = [
        migrations.CreateModel(
            name='VocabularyGeneration',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.BigIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(first_generation, migrations.RunPython.noop),
    ]
