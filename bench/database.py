"""What the database benchmarks (search.py, similar.py) share: the --reuse option, and the settings and
database of a timed run, set before Django starts."""
from __future__ import annotations

import argparse
import os
import tempfile
from typing import Any


def add_reuse_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--reuse", action="store_true",
                        help="time the database of an earlier run with the same --assets (PostgreSQL: DATABASE_URL; "
                             "SQLite: DAM_DATA_DIR) instead of generating it again")


def prepare(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Settings as deployed (DEBUG off: cached templates, no per-query logging, hashed static files), on SQLite
    in a fresh temporary folder or on the PostgreSQL database of DATABASE_URL, which is dropped and made
    anew unless --reuse."""
    on_postgres = os.environ.get("DATABASE_URL", "").startswith("postgres")
    if args.reuse and "DAM_DATA_DIR" not in os.environ and not on_postgres:
        parser.error("--reuse needs DAM_DATA_DIR (SQLite) so that there is an earlier run to reuse")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dam.settings")
    os.environ.setdefault("DAM_DATA_DIR", tempfile.mkdtemp(prefix="dam-bench-"))
    os.environ.setdefault("DAM_ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("DAM_LOG_LEVEL", "WARNING")
    os.environ.setdefault("DAM_DEBUG", "0")
    os.environ.setdefault("DAM_SECRET_KEY", "bench-only-" + "x" * 50)
    if on_postgres and not args.reuse:
        _recreate_postgres(os.environ["DATABASE_URL"])


def _recreate_postgres(url: str) -> None:
    from urllib.parse import urlparse

    import psycopg

    name = urlparse(url).path.lstrip("/")
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def random_originals(name: str, count: int, size: int, **asset_fields: Any) -> Any:
    """A folder of `count` assets, each with one original of `size` random (incompressible, as media are)
    bytes stored where ingest puts originals; made directly in the database, not through ingest. Call it
    after django.setup() and migrate. Returns the folder."""
    import hashlib
    import time

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from assets.models import Asset, AssetVersion, Collection, original_upload_to

    collection = Collection.objects.create(name=name)
    collection.path = f"/{collection.pk}/"
    collection.save(update_fields=["path"])
    started = time.perf_counter()
    for n in range(count):
        data = os.urandom(size)
        key = default_storage.save(original_upload_to(None, ""), ContentFile(data))  # type: ignore[arg-type]
        asset = Asset.objects.create(title=f"Bench asset {n}", collection=collection, **asset_fields)
        version = AssetVersion.objects.create(asset=asset, number=1, file=key, original_filename=f"file-{n}.bin",
                                              sha256=hashlib.sha256(data).hexdigest(), size=len(data),
                                              mime_type="application/octet-stream")
        Asset.objects.filter(pk=asset.pk).update(current_version=version)
    print(f"made {count} assets of {size:,} bytes in {time.perf_counter() - started:.1f} s")
    return collection
