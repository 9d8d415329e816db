"""PostgreSQL: an index on the normalised label in the "C" collation, so the term pickers' prefix search
finds its first labels in index order (LIKE 'x%' plus ORDER BY); the plain index's collation can do
neither. SQLite compares bytes already and uses the plain index."""
from django.db import migrations

INDEX = "taxonomy_termlabel_normalized_c"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS {INDEX} ON taxonomy_termlabel (normalized COLLATE "C")')


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("taxonomy", "0005_term_notes")]
    operations = [migrations.RunPython(create, drop)]
