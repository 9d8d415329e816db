"""Rights at full strength (archive.rights): the licence list, credit line, regions, rights start, releases on
file, and what a collection does when an asset's rights expire."""
from django.db import migrations, models

# The seeded controlled list; admins add, rename and retire entries afterwards.
LICENCES = [
    ("All rights reserved", "", "Use only as the rights holder has agreed in writing."),
    ("CC BY 4.0", "https://creativecommons.org/licenses/by/4.0/", "Any use, with credit to the author."),
    ("CC BY-SA 4.0", "https://creativecommons.org/licenses/by-sa/4.0/",
     "Any use, with credit; adaptations under the same licence."),
    ("CC0 1.0", "https://creativecommons.org/publicdomain/zero/1.0/", "No rights reserved: public domain dedication."),
    ("Editorial use only", "", "News and commentary only: no advertising or promotion."),
    ("Royalty-free", "", "Paid once, used without further fees within the licence's terms."),
    ("Rights-managed", "", "Licensed for the uses, channels, regions and period recorded on the asset."),
]


def seed_licences(apps, schema_editor):
    LicenceType = apps.get_model("assets", "LicenceType")
    for position, (name, url, description) in enumerate(LICENCES):
        LicenceType.objects.get_or_create(name=name, defaults={"url": url, "description": description,
                                                               "position": position})


class Migration(migrations.Migration):

    dependencies = [
        ("assets", "0028_tier_original_storage"),
    ]

    operations = [
        migrations.CreateModel(
            name="LicenceType",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=200, unique=True)),
                ("url", models.URLField(blank=True)),
                ("description", models.TextField(blank=True)),
                ("active", models.BooleanField(default=True,
                                               help_text="Retired licences stay on the assets that have them.")),
                ("position", models.PositiveIntegerField(default=0)),
            ],
            options={"ordering": ["position", "name"]},
        ),
        migrations.AddField(model_name="asset", name="rights_start",
                            field=models.DateTimeField(blank=True, null=True)),
        migrations.AddField(model_name="asset", name="credit_line",
                            field=models.CharField(blank=True, max_length=300)),
        migrations.AddField(model_name="asset", name="regions", field=models.JSONField(blank=True, default=list)),
        migrations.AddField(model_name="asset", name="model_release", field=models.BooleanField(default=False)),
        migrations.AddField(model_name="asset", name="property_release", field=models.BooleanField(default=False)),
        migrations.AddField(
            model_name="collection", name="rights_on_expiry",
            field=models.CharField(choices=[("hide", "Hide it until its rights are renewed"),
                                            ("archive", "Move it to the archive"),
                                            ("notify", "Keep it in use and only tell its owner and the collection's managers")],
                                   default="hide", max_length=10)),
        migrations.RunPython(seed_licences, migrations.RunPython.noop),
    ]
