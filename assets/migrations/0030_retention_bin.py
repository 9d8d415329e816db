from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("assets", "0029_rights_fields"),
    ]

    operations = [
        migrations.AddField(
            model_name="asset",
            name="binned_at",
            field=models.DateTimeField(blank=True, db_index=True, null=True),
        ),
    ]
