"""A token that database triggers replace on every write that could change who reaches what.

assets.kept_grants keeps each user's granted folder and asset ids per process
while this token stays the same (see AccessGeneration). Triggers rather than
signals, so that bulk writes, cascades and raw SQL are seen too. The token is
random: a change that rolls back must never leave a value a later change
could be given again.
"""
from django.db import migrations, models

# The tables whose writes change what assets.permissions._grants returns, and for folders only the
# columns that do (a renamed folder reaches the same assets).
WATCHED = [
    ("assets_collection", "path, parent_id"),
    ("assets_collectionuserobjectpermission", None),
    ("assets_collectiongroupobjectpermission", None),
    ("assets_assetuserobjectpermission", None),
    ("assets_assetgroupobjectpermission", None),
    ("accounts_user_groups", None),
]

POSTGRESQL_FUNCTION = """
CREATE OR REPLACE FUNCTION assets_access_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO assets_accessgeneration (id, token) VALUES (1, (random() * 9e18)::bigint)
    ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token;
    RETURN NULL;
END $$"""

# An UPDATE, then an INSERT if the row is missing, rather than INSERT OR REPLACE: SQLite applies the outer
# statement's conflict clause to a trigger's statements, and Django adds to a group with INSERT OR IGNORE.
SQLITE_REPLACE_TOKEN = (
    "UPDATE assets_accessgeneration SET token = random() WHERE id = 1; "
    "INSERT INTO assets_accessgeneration (id, token) SELECT 1, random() "
    "WHERE NOT EXISTS (SELECT 1 FROM assets_accessgeneration WHERE id = 1);")


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_FUNCTION)
    for table, columns in WATCHED:
        update = f"UPDATE OF {columns}" if columns else "UPDATE"
        if vendor == "postgresql":
            # Once per statement: a bulk write replaces the token once.
            schema_editor.execute(
                f"CREATE TRIGGER {table}_access_changed AFTER INSERT OR DELETE OR {update} ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION assets_access_changed()")
        else:
            for event in ("INSERT", "DELETE", update):
                name = f"{table}_access_changed_{event.split()[0].lower()}"
                schema_editor.execute(
                    f"CREATE TRIGGER IF NOT EXISTS {name} AFTER {event} ON {table} BEGIN "
                    f"{SQLITE_REPLACE_TOKEN} END")
    random = "(random() * 9e18)::bigint" if vendor == "postgresql" else "random()"
    schema_editor.execute(f"INSERT INTO assets_accessgeneration (id, token) VALUES (1, {random})")


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table, columns in WATCHED:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_access_changed ON {table}")
        else:
            for event in ("insert", "delete", "update"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_access_changed_{event}")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS assets_access_changed()")


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
        ('assets', '0015_search_document_one_match_index'),
    ]

    operations = [
        migrations.CreateModel(
            name='AccessGeneration',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('token', models.BigIntegerField()),
            ],
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
