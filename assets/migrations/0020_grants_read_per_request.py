"""The per-process cache of users' grants is gone: its token table and the triggers that replaced the token.

Each request reads a user's grants again (once, dam.request_memo); at 200,000 assets
the ranked search still meets its aim without the cache (docs/performance.md), and a
permission cache whose every invalidation had to be right was the riskiest code in
the app. The functions below are copies of 0016's, so that this migration also
works backwards.
"""
from django.db import migrations, models

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

SQLITE_REPLACE_TOKEN = (
    "UPDATE assets_accessgeneration SET token = random() WHERE id = 1; "
    "INSERT INTO assets_accessgeneration (id, token) SELECT 1, random() "
    "WHERE NOT EXISTS (SELECT 1 FROM assets_accessgeneration WHERE id = 1);")


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table, _ in WATCHED:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_access_changed ON {table}")
        else:
            for event in ("insert", "delete", "update"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_access_changed_{event}")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS assets_access_changed()")


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_FUNCTION)
    for table, columns in WATCHED:
        update = f"UPDATE OF {columns}" if columns else "UPDATE"
        if vendor == "postgresql":
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


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_role_groups'),
        ('assets', '0019_models_moved_out'),
    ]

    operations = [
        # Backwards, Django runs these in reverse: the table comes back first, then its triggers.
        migrations.RunPython(drop_triggers, create_triggers),
        migrations.DeleteModel(name='AccessGeneration'),
    ]
