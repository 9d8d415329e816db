"""The database part of a backup: every row as Django's JSON Lines, and the migrations it was taken at.

Why `dumpdata` and not pg_dump or SQLite's backup: the dump loads into either database, so a DAM can move
from SQLite to PostgreSQL (or back) through a backup, and a restore needs nothing beyond requirements.txt.

Why primary keys are kept, content types and permissions included, and natural keys not used: the restore
empties every table of the freshly migrated database and loads every row as it was. Audit events point at
their objects by content type and id, guardian's grants at permissions by id; ids that stay the same keep
all of them right, where natural keys would re-point only some. The rows a migration seeds (role groups,
the Library folder, schedules) come back as the backup had them.

Left out, because they are made again or must not come back: sessions (people sign in again), the job
queue and job results (a restore must not replay jobs), and the search index, rebuilt from the rows once
they are loaded (its full-text columns differ between the two databases).
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader

from archive.backup import rows
from assets.models import Asset
from search import expansion
from search import index as search_index

EXCLUDED = ["sessions", "django_q.OrmQ", "django_q.Task", "search.SearchText", "search.SearchDocument",
            "search.AssetColor"]

Migration = tuple[str, str]


@contextmanager
def snapshot() -> Iterator[None]:
    """One consistent view of the database for the whole dump, without stopping writers."""
    if connection.in_atomic_block:  # already inside a transaction (a caller's, or a test's)
        yield
        return
    if connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
        return
    # SQLite: Django's atomic() begins IMMEDIATE here (settings), which would hold the write lock for the
    # whole dump and make uploads wait; a deferred read transaction in WAL mode is a snapshot instead.
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("BEGIN DEFERRED")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ROLLBACK")


def dump(path: Path) -> int:
    """Write every row to `path` (JSON Lines, streamed, read back by `loaddata` as `jsonl`); returns the
    number of rows."""
    # Models without a table of their own (accounts.Capability carries permissions only) are left out too.
    unmanaged = [model._meta.label for model in apps.get_models() if not model._meta.managed]
    serializers.register_serializer(rows.NAME, "archive.backup.rows")
    call_command("dumpdata", format=rows.NAME, output=str(path), exclude=EXCLUDED + unmanaged,
                 use_base_manager=True, verbosity=0)
    with open(path, "rb") as fh:
        return sum(1 for line in fh if line.strip())


def applied_migrations() -> list[Migration]:
    """The migrations this database has applied, sorted."""
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    return sorted(loader.applied_migrations)


def migration_problem(taken_at: list[Migration]) -> str | None:
    """Why a backup taken at these migrations cannot be loaded here, or None when it can."""
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    wanted = set(taken_at)
    unknown = sorted(wanted - set(loader.disk_migrations))
    if unknown:
        return ("The backup was taken by a newer version of the DAM: this code does not know the migrations "
                f"{_names(unknown)}. Restore it with the version it was taken with.")
    here = set(loader.applied_migrations)
    missing = sorted(wanted - here)
    if missing:
        return (f"This database lacks the migrations {_names(missing)} that the backup was taken at. "
                "Run `manage.py migrate` first.")
    ahead = sorted(here - wanted)
    if ahead:
        return (f"This database is migrated further than the backup ({_names(ahead)} were applied after it "
                "was taken). Restore it with the version of the DAM it was taken with, then upgrade.")
    return None


def _names(migrations: list[Migration]) -> str:
    shown = ", ".join(f"{app}.{name}" for app, name in migrations[:5])
    return shown + (f" and {len(migrations) - 5} more" if len(migrations) > 5 else "")


def holds_data() -> bool:
    """Whether the database holds anything people made: a user or an asset (a fresh migrate has neither)."""
    return get_user_model()._base_manager.exists() or Asset._base_manager.exists()


def load(path: Path) -> int:
    """Empty every table, load the rows of `path` and rebuild the search index; returns the assets indexed.

    Runs inside the caller's transaction: a failure leaves the database as it was.
    """
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    with _constraints_checked_now():
        connection.ops.execute_sql_flush(connection.ops.sql_flush(no_style(), tables, reset_sequences=True))
    ContentType.objects.clear_cache()
    call_command("loaddata", str(path), verbosity=0)
    ContentType.objects.clear_cache()
    expansion.invalidate()
    return search_index.reindex_all()


@contextmanager
def _constraints_checked_now() -> Iterator[None]:
    """PostgreSQL refuses to TRUNCATE a table with deferred foreign-key checks still pending from earlier
    writes in the same transaction (a caller's): check them now, and defer them again for the load."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
