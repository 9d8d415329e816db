"""PostgreSQL: the text, the term keys and the colour families of the search index rows share one GIN index.

With one GIN index per column, "a word and a colour family" made PostgreSQL build the family's whole
bitmap (400,000-600,000 rows at 1,000,000 assets, 70-90 ms) to AND it with the word's few thousand.
In one multicolumn GIN index both conditions are keys of the same scan, which walks the word's short
posting list and skips through the family's long one to the same row ids (GIN's "fast scan"), so only
their intersection leaves the index. A multicolumn GIN index serves a condition on any one of its columns
as well as a single-column one does, so it replaces the three. SQLite has none of these indexes (FTS5
matches its text).
"""

from django.db import migrations

COLUMNS = ("vector", "terms", "color_families")
ONE_INDEX = "assets_searchdocument_match_gin"


def one_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"CREATE INDEX {ONE_INDEX} ON assets_searchdocument USING gin ({', '.join(COLUMNS)})")
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS assets_searchdocument_{column}_gin")


def an_index_per_column(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"CREATE INDEX assets_searchdocument_{column}_gin "
                              f"ON assets_searchdocument USING gin ({column})")
    schema_editor.execute(f"DROP INDEX IF EXISTS {ONE_INDEX}")


class Migration(migrations.Migration):

    dependencies = [
        ('assets', '0014_search_document_folder_shape_index'),
    ]

    operations = [
        migrations.RunPython(one_index, an_index_per_column, elidable=False),
    ]
