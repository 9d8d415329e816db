"""Every stored object the database names: which storage holds it and under which key.

Originals live in the primary storage or the archive tier, as each version's `storage_tier` says
(assets.originals); every other FileField in the project stores into the primary storage. A few rows keep
a storage key in a plain text column (a finished BagIt export, an archive waiting to be unpacked): they are
listed in KEY_COLUMNS. A new FileField is found without being listed; a new key column must be added here.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.apps import apps
from django.db import models

from assets.models import AssetVersion, StorageTier
from assets.originals import ARCHIVE_ALIAS

PRIMARY_ALIAS = "default"

# (model label, column): text columns that hold a key in the primary storage.
KEY_COLUMNS = (("archive.BagExport", "file"), ("ingest.ArchiveUnpacking", "key"))


@dataclass(frozen=True)
class StoredObject:
    storage: str  # the STORAGES alias: "default" or "archive"
    key: str

    @property
    def path(self) -> str:
        """Where the object sits inside a backup."""
        return f"objects/{self.storage}/{self.key}"


def _keys(model: type[models.Model], column: str) -> Iterator[str]:
    # The base manager: rows a default manager hides (an asset in the bin) still own their files.
    rows = model._base_manager.exclude(**{column: ""}).exclude(**{f"{column}__isnull": True})
    yield from rows.order_by(column).values_list(column, flat=True).distinct().iterator(chunk_size=2000)


def _file_columns() -> Iterator[tuple[type[models.Model], str]]:
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed or model is AssetVersion:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                yield model, field.attname
    for label, column in KEY_COLUMNS:
        yield apps.get_model(label), column


def referenced_objects() -> Iterator[StoredObject]:
    """Each stored object the rows name, once per row that names it, originals first."""
    originals = (AssetVersion._base_manager.exclude(file="").order_by("pk")
                 .values_list("file", "storage_tier").iterator(chunk_size=2000))
    for key, tier in originals:
        yield StoredObject(ARCHIVE_ALIAS if tier == StorageTier.ARCHIVE else PRIMARY_ALIAS, key)
    for model, column in _file_columns():
        for key in _keys(model, column):
            yield StoredObject(PRIMARY_ALIAS, key)
