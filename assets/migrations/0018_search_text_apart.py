"""The four search texts move from the search index row (SearchDocument) to their own table (SearchText).

A search reads the index row of every match that passes its bitmaps; the texts, needed only to make
the full-text vector, were a third of that row (540 of 1,679 bytes at 1,000,000 assets), and the
narrower row made the slowest searches 0.70-0.84 times as long (docs/performance.md).

* SQLite: the FTS5 table now takes its content from assets_searchtext, through triggers on it.
* PostgreSQL: the vector stays on the index row, where the GIN index and the rank read it, but it can
  no longer be a generated column of texts on another table. Triggers write it instead: an index row
  takes its vector from its texts when it is inserted (the index service writes the texts first), and
  texts inserted, changed or deleted afterwards carry their vector to their row.

On PostgreSQL the migration rewrites every index row once (the new vector column is filled by one
UPDATE): minutes at a million assets, and the table holds the old row versions until a VACUUM FULL.
"""

import django.db.models.deletion
from django.db import migrations, models

MATCH_GIN = "CREATE INDEX assets_searchdocument_match_gin ON assets_searchdocument USING gin (vector, terms, color_families)"
TEXTS = ("title", "labels", "description", "other")

# --- SQLite ---------------------------------------------------------------------

SQLITE_FTS_OVER_TEXTS = [
    """CREATE VIRTUAL TABLE assets_search_fts USING fts5(
        title, labels, description, other,
        content='assets_searchtext', content_rowid='asset_id', tokenize='unicode61')""",
    """CREATE TRIGGER assets_search_fts_ai AFTER INSERT ON assets_searchtext BEGIN
        INSERT INTO assets_search_fts(rowid, title, labels, description, other)
        VALUES (new.asset_id, new.title, new.labels, new.description, new.other);
    END""",
    """CREATE TRIGGER assets_search_fts_ad AFTER DELETE ON assets_searchtext BEGIN
        INSERT INTO assets_search_fts(assets_search_fts, rowid, title, labels, description, other)
        VALUES ('delete', old.asset_id, old.title, old.labels, old.description, old.other);
    END""",
    """CREATE TRIGGER assets_search_fts_au AFTER UPDATE ON assets_searchtext BEGIN
        INSERT INTO assets_search_fts(assets_search_fts, rowid, title, labels, description, other)
        VALUES ('delete', old.asset_id, old.title, old.labels, old.description, old.other);
        INSERT INTO assets_search_fts(rowid, title, labels, description, other)
        VALUES (new.asset_id, new.title, new.labels, new.description, new.other);
    END""",
    "INSERT INTO assets_search_fts(assets_search_fts) VALUES ('rebuild')",
]
# As migrations 0004 and 0011 left it: over the index row's own texts.
SQLITE_FTS_OVER_DOCUMENTS = [
    sql.replace("assets_searchtext", "assets_searchdocument") for sql in SQLITE_FTS_OVER_TEXTS
]
SQLITE_DROP_FTS = ["DROP TRIGGER IF EXISTS assets_search_fts_au", "DROP TRIGGER IF EXISTS assets_search_fts_ad",
                   "DROP TRIGGER IF EXISTS assets_search_fts_ai", "DROP TABLE IF EXISTS assets_search_fts"]

# --- PostgreSQL -----------------------------------------------------------------

POSTGRES_TRIGGERS = [
    # The weighted vector, as the generated column of migration 0004 made it.
    """CREATE FUNCTION assets_search_vector(title text, labels text, description text, other text)
    RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT setweight(to_tsvector('simple'::regconfig, title), 'A')
            || setweight(to_tsvector('simple'::regconfig, labels), 'B')
            || setweight(to_tsvector('simple'::regconfig, description), 'C')
            || setweight(to_tsvector('simple'::regconfig, other), 'D')
    $$""",
    """CREATE FUNCTION assets_searchdocument_vector() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        SELECT assets_search_vector(t.title, t.labels, t.description, t.other) INTO NEW.vector
        FROM assets_searchtext t WHERE t.asset_id = NEW.asset_id;
        RETURN NEW;
    END $$""",
    """CREATE TRIGGER assets_searchdocument_vector BEFORE INSERT ON assets_searchdocument
    FOR EACH ROW EXECUTE FUNCTION assets_searchdocument_vector()""",
    """CREATE FUNCTION assets_searchtext_vector() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            UPDATE assets_searchdocument SET vector = NULL WHERE asset_id = OLD.asset_id AND vector IS NOT NULL;
            RETURN OLD;
        END IF;
        UPDATE assets_searchdocument
        SET vector = assets_search_vector(NEW.title, NEW.labels, NEW.description, NEW.other)
        WHERE asset_id = NEW.asset_id;
        RETURN NEW;
    END $$""",
    """CREATE TRIGGER assets_searchtext_vector AFTER INSERT OR UPDATE OR DELETE ON assets_searchtext
    FOR EACH ROW EXECUTE FUNCTION assets_searchtext_vector()""",
]
POSTGRES_DROP_TRIGGERS = [
    "DROP TRIGGER IF EXISTS assets_searchtext_vector ON assets_searchtext",
    "DROP FUNCTION IF EXISTS assets_searchtext_vector()",
    "DROP TRIGGER IF EXISTS assets_searchdocument_vector ON assets_searchdocument",
    "DROP FUNCTION IF EXISTS assets_searchdocument_vector()",
    "DROP FUNCTION IF EXISTS assets_search_vector(text, text, text, text)",
]
POSTGRES_GENERATED_VECTOR = """ALTER TABLE assets_searchdocument ADD COLUMN vector tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple'::regconfig, title), 'A')
    || setweight(to_tsvector('simple'::regconfig, labels), 'B')
    || setweight(to_tsvector('simple'::regconfig, description), 'C')
    || setweight(to_tsvector('simple'::regconfig, other), 'D')) STORED"""


def _execute(schema_editor, statements):
    for sql in statements:
        schema_editor.execute(sql)


def copy_texts(apps, schema_editor):
    columns = ", ".join(TEXTS)
    schema_editor.execute(f"INSERT INTO assets_searchtext (asset_id, {columns}) "  # noqa: S608 -- constants
                          f"SELECT asset_id, {columns} FROM assets_searchdocument")


def detach_texts(apps, schema_editor):
    """Before the index row loses its texts: nothing may depend on them any more."""
    if schema_editor.connection.vendor == "postgresql":
        _execute(schema_editor, ["DROP INDEX IF EXISTS assets_searchdocument_match_gin",
                                 "ALTER TABLE assets_searchdocument DROP COLUMN vector"])
    else:
        _execute(schema_editor, SQLITE_DROP_FTS + SQLITE_FTS_OVER_TEXTS)


def reattach_texts(apps, schema_editor):
    """Backwards: the index row has its (empty) text columns again; fill them and index them there."""
    sets = ", ".join(f"{c} = (SELECT t.{c} FROM assets_searchtext t WHERE t.asset_id = assets_searchdocument.asset_id)"
                     for c in TEXTS)
    copy_back = f"UPDATE assets_searchdocument SET {sets}"  # noqa: S608 -- constants
    if schema_editor.connection.vendor == "postgresql":
        _execute(schema_editor, [copy_back, POSTGRES_GENERATED_VECTOR, MATCH_GIN])
    else:
        _execute(schema_editor, SQLITE_DROP_FTS + [copy_back] + SQLITE_FTS_OVER_DOCUMENTS)


def vector_by_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    _execute(schema_editor, [
        "ALTER TABLE assets_searchdocument ADD COLUMN vector tsvector",
        *POSTGRES_TRIGGERS,
        "UPDATE assets_searchdocument d SET vector = assets_search_vector(t.title, t.labels, t.description, t.other) "
        "FROM assets_searchtext t WHERE t.asset_id = d.asset_id",
        MATCH_GIN,
    ])


def no_vector_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    _execute(schema_editor, [*POSTGRES_DROP_TRIGGERS, "DROP INDEX IF EXISTS assets_searchdocument_match_gin",
                             "ALTER TABLE assets_searchdocument DROP COLUMN IF EXISTS vector"])


class Migration(migrations.Migration):

    dependencies = [
        ('assets', '0017_version_phash_bands'),
    ]

    operations = [
        migrations.CreateModel(
            name='SearchText',
            fields=[
                ('asset', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True,
                                               related_name='search_text', serialize=False, to='assets.asset')),
                ('title', models.TextField(blank=True)),
                ('labels', models.TextField(blank=True)),
                ('description', models.TextField(blank=True)),
                ('other', models.TextField(blank=True)),
            ],
        ),
        migrations.RunPython(copy_texts, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(detach_texts, reattach_texts, elidable=False),
        migrations.RemoveField(model_name='searchdocument', name='title'),
        migrations.RemoveField(model_name='searchdocument', name='labels'),
        migrations.RemoveField(model_name='searchdocument', name='description'),
        migrations.RemoveField(model_name='searchdocument', name='other'),
        migrations.RunPython(vector_by_triggers, no_vector_triggers, elidable=False),
    ]
