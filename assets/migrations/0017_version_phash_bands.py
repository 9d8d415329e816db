"""The perceptual hash's four bands as expression indexes, for the near-duplicate lookup.

assets.similarity finds the versions near a hash through these (one IN list per band)
instead of reading every version's hash. Each index also holds the hash and the id, so
a lookup reads the index alone. Indexes on the existing column: nothing to fill, and no
copy of the hash to keep in step.
"""
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("assets", "0016_access_generation"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="assetversion",
            index=models.Index(models.Func(models.F("phash"), function="SUBSTR", output_field=models.CharField(),
                                           template=f"%(function)s(%(expressions)s, {start}, 4)"),
                               "phash", "id", name=f"version_phash_band{band}_idx"),
        )
        for band, start in enumerate((1, 5, 9, 13))
    ]
