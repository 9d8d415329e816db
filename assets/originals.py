"""The one place that opens a version's original: from the storage its record names.

An original lives in the primary storage (`default`) or, once archive.tier has moved it, in the
archive tier (the `archive` alias of STORAGES, docs/tier.md). Every reader of originals (downloads,
renditions, delivery, zips, pushes, restoring an old revision) goes through here rather than
`version.file`, whose storage is always the primary one.
"""
from __future__ import annotations

from typing import IO, Any

from django.conf import settings
from django.core.files.storage import Storage, default_storage, storages

from assets.models import AssetVersion, StorageTier
from dam.errors import StorageUnavailable

ARCHIVE_ALIAS = "archive"


class TierNotConfigured(StorageUnavailable):
    """A version's record says the archive tier but no tier is configured: pages and the API answer 503
    with this sentence (dam.middleware.OutageMiddleware, dam.api), never a bare 500."""


def archive_tier_configured() -> bool:
    return ARCHIVE_ALIAS in settings.STORAGES


def tier_storage(tier: str) -> Storage:
    """The storage of one tier."""
    if tier == StorageTier.ARCHIVE:
        if not archive_tier_configured():
            raise TierNotConfigured("This original is in the archive tier, but no archive tier is configured "
                                    "(DAM_ARCHIVE_DIR or DAM_ARCHIVE_S3_BUCKET).")
        return storages[ARCHIVE_ALIAS]
    return default_storage


def original_storage(version: AssetVersion) -> Storage:
    """The storage that holds this version's original, as its record says."""
    return tier_storage(version.storage_tier)


def open_original(version: AssetVersion) -> IO[bytes]:
    """The version's original, open for reading (the caller closes it)."""
    handle: Any = original_storage(version).open(version.file.name, "rb")
    return handle
