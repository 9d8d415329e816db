
"""The search index row carries copies of its asset's access facts, term links and colour families.

Existing rows are filled by one UPDATE per database: the same values that
assets.search.index.document_for writes from now on.
"""
from django.db import migrations, models

COPIED = ("collection_id", "owner_id", "approved_version_id", "archived_at", "rights_expire_at", "embargo_until")


# SQLite adds these columns by rebuilding the table, which drops the FTS5 triggers of migration 0004 with
# the old table: they are created again here (same text) and the full-text index rebuilt from the rows.
SQLITE_TRIGGERS = [
    """CREATE TRIGGER IF NOT EXISTS assets_search_fts_ai AFTER INSERT ON assets_searchdocument BEGIN
        INSERT INTO assets_search_fts(rowid, title, labels, description, other)
        VALUES (new.asset_id, new.title, new.labels, new.description, new.other);
    END""",
    """CREATE TRIGGER IF NOT EXISTS assets_search_fts_ad AFTER DELETE ON assets_searchdocument BEGIN
        INSERT INTO assets_search_fts(assets_search_fts, rowid, title, labels, description, other)
        VALUES ('delete', old.asset_id, old.title, old.labels, old.description, old.other);
    END""",
    """CREATE TRIGGER IF NOT EXISTS assets_search_fts_au AFTER UPDATE ON assets_searchdocument BEGIN
        INSERT INTO assets_search_fts(assets_search_fts, rowid, title, labels, description, other)
        VALUES ('delete', old.asset_id, old.title, old.labels, old.description, old.other);
        INSERT INTO assets_search_fts(rowid, title, labels, description, other)
        VALUES (new.asset_id, new.title, new.labels, new.description, new.other);
    END""",
    "INSERT INTO assets_search_fts(assets_search_fts) VALUES ('rebuild')",
]


def sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_TRIGGERS:
            schema_editor.execute(sql)


def fill(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    copies = ", ".join(f"{c} = (SELECT a.{c} FROM assets_asset a WHERE a.id = assets_searchdocument.asset_id)"
                       for c in COPIED)
    if vendor == "postgresql":
        terms = ("COALESCE((SELECT jsonb_object_agg(l.term_id::text, 1) FROM assets_assetterm l "
                 "WHERE l.asset_id = assets_searchdocument.asset_id), '{}'::jsonb)")
    else:
        terms = ("COALESCE((SELECT json_group_object(CAST(l.term_id AS TEXT), 1) FROM assets_assetterm l "
                 "WHERE l.asset_id = assets_searchdocument.asset_id), '{}')")
    if vendor == "postgresql":
        families = ("COALESCE((SELECT jsonb_object_agg(c.family, 1) FROM assets_assetcolor c "
                    "WHERE c.asset_id = assets_searchdocument.asset_id AND c.share >= 0.05), '{}'::jsonb)")
    else:
        families = ("COALESCE((SELECT json_group_object(c.family, 1) FROM (SELECT DISTINCT family FROM "
                    "assets_assetcolor WHERE asset_id = assets_searchdocument.asset_id AND share >= 0.05) AS c), '{}')")
    schema_editor.execute(f"UPDATE assets_searchdocument SET {copies}, terms = {terms}, "  # noqa: S608
                          f"color_families = {families}")


def key_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for column in ("terms", "color_families"):
            schema_editor.execute(f"CREATE INDEX assets_searchdocument_{column}_gin "
                                  f"ON assets_searchdocument USING gin ({column})")


def drop_key_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for column in ("terms", "color_families"):
            schema_editor.execute(f"DROP INDEX IF EXISTS assets_searchdocument_{column}_gin")


class Migration(migrations.Migration):

    dependencies = [
        ('assets', '0010_color_family_index_counted_patches'),
    ]

    operations = [
        migrations.AddField(
            model_name='searchdocument',
            name='approved_version_id',
            field=models.BigIntegerField(null=True),
        ),
        migrations.AddField(
            model_name='searchdocument',
            name='archived_at',
            field=models.DateTimeField(null=True),
        ),
        migrations.AddField(
            model_name='searchdocument',
            name='collection_id',
            field=models.BigIntegerField(null=True),
        ),
        migrations.AddField(
            model_name='searchdocument',
            name='embargo_until',
            field=models.DateTimeField(null=True),
        ),
        migrations.AddField(
            model_name='searchdocument',
            name='owner_id',
            field=models.BigIntegerField(null=True),
        ),
        migrations.AddField(
            model_name='searchdocument',
            name='rights_expire_at',
            field=models.DateTimeField(null=True),
        ),
        migrations.AddField(
            model_name='searchdocument',
            name='terms',
            field=models.JSONField(default=dict),
        ),
        migrations.AddField(
            model_name='searchdocument',
            name='color_families',
            field=models.JSONField(default=dict),
        ),
        migrations.AddIndex(
            model_name='searchdocument',
            index=models.Index(fields=['collection_id'], name='searchdocument_collection_idx'),
        ),
        migrations.AddIndex(
            model_name='searchdocument',
            index=models.Index(fields=['owner_id'], name='searchdocument_owner_idx'),
        ),
        migrations.RunPython(sqlite_triggers, migrations.RunPython.noop),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(key_indexes, drop_key_indexes),
    ]
