from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("assets", "0027_derivatives_delivery_focal"),
    ]

    operations = [
        migrations.AddField(
            model_name="assetversion",
            name="storage_tier",
            field=models.CharField(choices=[("primary", "Primary storage"), ("archive", "Archive tier")],
                                   default="primary", max_length=10),
        ),
        migrations.AddField(
            model_name="assetversion",
            name="storage_tier_since",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
