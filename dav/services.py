"""What the drive writes: revisions and new assets through ingest, check-outs through workflows, and each
person's scratch files. Each takes the acting person (keyword-only `actor`) and leaves one audit event."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import IO

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from accounts import audit
from accounts.models import User
from assets import services as asset_services
from assets.models import Asset, AssetVersion, Collection
from dav.models import DriveName, ScratchFile
from ingest import services as ingest
from ingest.models import IngestBatch, IngestItem, OnDuplicate

SCRATCH_DAYS = 1


def revision_save(*, asset: Asset, fileobj: IO[bytes], filename: str, actor: User, client: str) -> AssetVersion | None:
    """A file saved onto an asset becomes its new revision (a draft); the same bytes as the current version
    change nothing (None): apps save unchanged files too, and history should not fill with copies.

    `filename` is the name the file has on the drive; if ingest keeps the revision under another (typed by its
    content), the drive goes on showing the asset under this one, where the app will look for it.
    """
    fileobj.seek(0)
    try:
        version = ingest.version_ingest(asset=asset, fileobj=fileobj, filename=filename, actor=actor,
                                        change_note=f"Saved from {client}")
    except asset_services.DuplicateFile as dup:
        if dup.existing.pk == asset.pk:
            return None
        raise
    if version.original_filename != filename:
        DriveName.objects.update_or_create(asset=asset, defaults={"name": filename})
    return version


@dataclass
class Uploaded:
    item: IngestItem
    error: Exception | None


def asset_upload(*, collection: Collection, fileobj: IO[bytes], filename: str, actor: User) -> Uploaded:
    """A new name saved into a folder: ingested as a new asset through a batch of one, so the person's upload
    history shows it (and why it was refused, if it was)."""
    fileobj.seek(0)
    batch = ingest.batch_create(actor=actor, collection=collection, on_duplicate=OnDuplicate.REPORT,
                                source=IngestBatch.Source.DRIVE)
    result = ingest.batch_add_file(batch=batch, fileobj=fileobj, filename=filename, actor=actor).results[0]
    version = result.item.version
    if version is not None and version.original_filename != filename:
        DriveName.objects.create(asset_id=version.asset_id, name=filename)
    return Uploaded(result.item, result.error)


def _scratch_key() -> str:
    return f"dav-scratch/{uuid.uuid4().hex}"


@transaction.atomic
def scratch_write(*, actor: User, collection: Collection | None, name: str, fileobj: IO[bytes] | None,
                  size: int = 0, content_type: str = "") -> ScratchFile:
    """Write (or replace) a temporary file in the actor's scratch space."""
    entry = (ScratchFile.objects.select_for_update()
             .filter(owner=actor, collection=collection, name=name).first())
    old_key = entry.key if entry else ""
    key = ""
    if fileobj is not None and size:
        fileobj.seek(0)
        key = default_storage.save(_scratch_key(), File(fileobj))
    if entry is None:
        entry = ScratchFile(owner=actor, collection=collection, name=name)
    entry.key, entry.size, entry.content_type, entry.version = key, size, content_type[:127], None
    entry.updated_at = timezone.now()
    entry.save()
    if old_key:
        transaction.on_commit(lambda: default_storage.delete(old_key))
    return entry


@transaction.atomic
def scratch_delete(*, actor: User, entry: ScratchFile) -> None:
    key = entry.key
    ScratchFile.objects.filter(pk=entry.pk, owner=actor).delete()
    if key:
        transaction.on_commit(lambda: default_storage.delete(key))


@transaction.atomic
def scratch_rename(*, actor: User, entry: ScratchFile, collection: Collection | None, name: str) -> ScratchFile:
    """A temporary file renamed to another temporary name (the replaced one, if any, goes)."""
    for other in ScratchFile.objects.filter(owner=actor, collection=collection, name=name).exclude(pk=entry.pk):
        scratch_delete(actor=actor, entry=other)
    entry.collection, entry.name, entry.updated_at = collection, name, timezone.now()
    entry.save(update_fields=["collection", "name", "updated_at"])
    return entry


@transaction.atomic
def asset_move_aside(*, actor: User, asset: Asset, version: AssetVersion, shown_name: str, name: str) -> ScratchFile:
    """An app renamed an asset to a temporary name (Word's "report.docx -> ~WRL0001.tmp"): the asset stays as
    it is; the actor sees it under the temporary name, and not under its own until something is saved there."""
    for other in ScratchFile.objects.filter(owner=actor, collection=asset.collection, name=name):
        scratch_delete(actor=actor, entry=other)
    entry = ScratchFile.objects.create(owner=actor, collection=asset.collection, name=name, version=version,
                                       size=version.size, content_type=version.mime_type, hides=shown_name)
    audit.record("dav.asset.moved_aside", actor=actor, target=asset, name=name)
    return entry


def stop_hiding(*, actor: User, collection: Collection | None, name: str) -> None:
    """The name an app moved aside has a file again: the asset shows under it again."""
    ScratchFile.objects.filter(owner=actor, collection=collection, hides=name).update(hides="")


def scratch_sweep(*, now: datetime | None = None) -> int:
    """Remove scratch files last written more than a day ago (the schedule, daily)."""
    cutoff = (now or timezone.now()) - timedelta(days=SCRATCH_DAYS)
    count = 0
    for entry in ScratchFile.objects.filter(updated_at__lt=cutoff).iterator():
        key = entry.key
        entry.delete()
        if key:
            default_storage.delete(key)
        count += 1
    return count
