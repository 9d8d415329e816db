"""Reading a stored original as a stream of chunks, on local disk and on S3, in flat memory.

`Storage.open()` is fine on disk, but django-storages' S3File downloads the whole object into a
SpooledTemporaryFile that (with the default AWS_S3_MAX_MEMORY_SIZE = 0) never rolls over to disk:
a 2 GB video would sit in memory. So on S3 the object's body is read as the HTTP response streams in.

Originals are read from the storage their record names (`assets.originals`: the primary storage or the
archive tier).
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from datetime import datetime
from functools import partial
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from django.core.files.storage import Storage, default_storage
from storages.utils import clean_name

from assets import sweep
from assets.models import AssetVersion
from assets.originals import original_storage

# 256 KB: hashed while still in the CPU's cache (measured faster than 1 MB reads, bench/fixity.py).
CHUNK = 256 * 1024
# What a store answers when the object is not there (S3 and its look-alikes differ in the code).
_S3_MISSING = {"NoSuchKey", "404", "NotFound"}


class StoreError(Exception):
    """The store failed to answer (not: the object is missing). The run stops and is marked incomplete."""


def storage_for(version: AssetVersion) -> Storage:
    """Where a version's original lives."""
    return original_storage(version)


def _is_s3(storage: Storage) -> bool:
    return hasattr(storage, "bucket_name") and hasattr(storage, "connection")


def chunks(storage: Storage, name: str) -> Iterator[bytes]:
    """The stored bytes of `name`, CHUNK at a time. FileNotFoundError if the object is gone; StoreError
    if the store fails."""
    if not name:
        raise FileNotFoundError("The version has no stored file.")
    try:
        if _is_s3(storage):
            yield from _s3_chunks(storage, name)
            return
        with storage.open(name, "rb") as fh:
            while block := fh.read(CHUNK):
                yield block
    except FileNotFoundError:
        raise
    except ClientError as exc:
        error = exc.response.get("Error", {})
        if str(error.get("Code")) in _S3_MISSING:
            raise FileNotFoundError(name) from exc
        raise StoreError(f"The store refused to read {name}: {error.get('Message') or error.get('Code')}.") \
            from exc
    except BotoCoreError as exc:
        raise StoreError(f"The store could not be reached while reading {name}: {exc}.") from exc
    except OSError as exc:
        raise StoreError(f"Reading {name} failed: {exc.strerror or exc}.") from exc


def _s3_chunks(storage: Any, name: str) -> Iterator[bytes]:
    # The same key S3Storage itself would use (its `location` prefix included).
    key = storage._normalize_name(clean_name(name))
    answer = storage.connection.meta.client.get_object(Bucket=storage.bucket_name, Key=key)
    body = answer["Body"]
    try:
        yield from body.iter_chunks(CHUNK)
    finally:
        body.close()


def stored_folders(storage: Storage, top: str) -> Iterator[tuple[str, dict[str, Callable[[], datetime]]]]:
    """Each folder under `top` holding files, with each file's name and a way to ask its modified time.

    On disk this is the sweep's own walk (assets.sweep), folder by folder. On S3 that walk costs one
    LIST request per folder, and originals are sharded into up to 65,536 folders ("originals/ab/cd/"):
    measured against moto, the walk took two thirds of a fixity run over 60 files. So on S3 the keys are
    listed flat, 1,000 a request, in key order (a folder's keys come together), and each key's modified
    time comes with it."""
    if not _is_s3(storage):
        walk = sweep.stored_folders(top) if storage is default_storage else _walk(storage, top)
        for here, names in walk:
            yield here, {name: partial(storage.get_modified_time, f"{here}{name}") for name in names}
        return
    s3: Any = storage
    prefix = s3._normalize_name(clean_name(top)).rstrip("/") + "/"
    strip = len(prefix) - len(top)  # the storage's `location` prefix, if it has one
    pages = s3.connection.meta.client.get_paginator("list_objects_v2").paginate(Bucket=s3.bucket_name,
                                                                                 Prefix=prefix)
    folder: str = ""
    files: dict[str, Callable[[], datetime]] = {}
    for page in pages:
        for item in page.get("Contents", []):
            parent, _, name = item["Key"][strip:].rpartition("/")
            if f"{parent}/" != folder and files:
                yield folder, files
                files = {}
            folder = f"{parent}/"
            files[name] = partial(_same, item["LastModified"])
    if files:
        yield folder, files


def _walk(storage: Storage, top: str) -> Iterator[tuple[str, list[str]]]:
    """Each folder under `top` with its files, in any storage (the archive tier's folder)."""
    try:
        folders, names = storage.listdir(top)
    except FileNotFoundError:
        return
    if names:
        yield top, names
    for folder in sorted(folders):
        yield from _walk(storage, f"{top}{folder}/")


def _same(when: datetime) -> datetime:
    return when


def sha256_of(storage: Storage, name: str) -> tuple[str, int]:
    """The SHA-256 (hex) and size of a stored object, read as a stream."""
    digest = hashlib.sha256()
    size = 0
    for block in chunks(storage, name):
        digest.update(block)
        size += len(block)
    return digest.hexdigest(), size
