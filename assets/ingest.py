"""Batch ingest: every file sent gets an IngestItem with its outcome, and nothing is lost silently.

A batch is one upload session (the upload page, an API client, or an
`import_assets` run). Each file is ingested on its own through
`services.asset_create` / `services.version_create`, so a failure half-way
keeps what succeeded; archives are unpacked entry by entry into a private
staging folder and each entry gets its own item.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import magic
from django.core.exceptions import PermissionDenied
from django.db import transaction

from accounts import audit
from accounts import permissions as authority
from accounts.models import User
from assets import archives, files, services
from assets.models import Collection, IngestBatch, IngestItem, OnDuplicate

logger = logging.getLogger(__name__)


@dataclass
class Result:
    """One item and, when it was not created, the refusal behind it (so the API can pick the status)."""

    item: IngestItem
    error: Exception | None = None


@transaction.atomic
def batch_create(*, actor: User | None, collection: Collection, on_duplicate: str = OnDuplicate.REPORT,
                 source: str = IngestBatch.Source.UPLOAD) -> IngestBatch:
    """Open a batch that files are then added to, one request (or one command line) at a time."""
    if actor is not None:
        authority.require(actor, "contribute", collection)
    if on_duplicate not in OnDuplicate.values:
        raise ValueError(f"on_duplicate must be one of {', '.join(OnDuplicate.values)}")
    batch = IngestBatch.objects.create(created_by=actor, collection=collection, on_duplicate=on_duplicate,
                                       source=source)
    audit.record("assets.batch.created", actor=actor, target=batch, collection=collection.pk,
                 on_duplicate=on_duplicate, source=source)
    return batch


def batch_add_file(*, batch: IngestBatch, fileobj: IO[bytes], filename: str, actor: User | None,
                   fields: dict[str, Any] | None = None, manifest: dict[str, dict[str, Any]] | None = None,
                   entry: str = "") -> list[Result]:
    """Ingest one file into the batch; an archive becomes one item per entry.

    `fields` (title, description, rights...) apply to a single file; `manifest`
    maps file names (or archive entry paths) to their own fields; `entry` is
    where the file was found (its path inside an imported folder).
    """
    if actor is not None:
        authority.require(actor, "add_files", batch)
    head = fileobj.read(files.SNIFF_BYTES)
    fileobj.seek(0)
    mime_type = magic.from_buffer(head, mime=True) if head else ""
    if mime_type and archives.is_archive(mime_type, fileobj):
        results = _add_archive(batch, fileobj, filename, mime_type, actor, manifest or {})
    else:
        own = {**(manifest or {}).get(Path(filename).name, {}), **(fields or {})}
        results = [_ingest_one(batch, fileobj, filename, actor, own, entry=entry)]
    with transaction.atomic():
        audit.record("assets.batch.file_added", actor=actor, target=batch, filename=files.clean_display_name(filename),
                     items=len(results), outcomes=sorted({r.item.outcome for r in results}))
    return results


def _add_archive(batch: IngestBatch, fileobj: IO[bytes], filename: str, mime_type: str, actor: User | None,
                 manifest: dict[str, dict[str, Any]]) -> list[Result]:
    archive_name = files.clean_display_name(filename)
    results: list[Result] = []
    with archives.staging_folder() as staging:
        try:
            for entry in archives.entries(fileobj, mime_type, Path(staging)):
                if entry.path is None:
                    refused = _item(batch, files.clean_display_name(entry.name), IngestItem.Outcome.REJECTED,
                                    reason=entry.reason, archive=archive_name, entry=entry.name, size=entry.size)
                    results.append(Result(refused))
                    continue
                own = manifest.get(entry.name) or manifest.get(Path(entry.name).name) or {}
                with open(entry.path, "rb") as staged:
                    results.append(_ingest_one(batch, staged, entry.name, actor, own, archive=archive_name,
                                               entry=entry.name))
        except archives.ArchiveUnreadable as exc:
            results.append(Result(_item(batch, archive_name, IngestItem.Outcome.REJECTED, reason=str(exc)), exc))
    if not results:
        results.append(Result(_item(batch, archive_name, IngestItem.Outcome.REJECTED,
                                    reason="The archive holds no files.")))
    return results


def _ingest_one(batch: IngestBatch, fileobj: IO[bytes], filename: str, actor: User | None,
                fields: dict[str, Any], *, archive: str = "", entry: str = "") -> Result:
    """One file to one outcome. Refusals become items; the batch carries on."""
    display = files.clean_display_name(filename)
    fileobj.seek(0, 2)
    size = fileobj.tell()
    fileobj.seek(0)
    common = {"archive": archive, "entry": entry, "size": size}
    try:
        asset = services.asset_create(fileobj=fileobj, filename=filename, actor=actor, collection=batch.collection,
                                      allow_duplicate=batch.on_duplicate == OnDuplicate.KEEP_BOTH, **fields)
    except services.DuplicateFile as dup:
        return _duplicate(batch, fileobj, filename, actor, dup, common)
    except files.FileRejected as exc:
        return Result(_item(batch, display, IngestItem.Outcome.REJECTED, reason=str(exc), **common), exc)
    except PermissionDenied as exc:
        reason = "You may not add assets to this collection."
        return Result(_item(batch, display, IngestItem.Outcome.REJECTED, reason=reason, **common), exc)
    except Exception as exc:
        # Unexpected (a storage outage, a bug): recorded on the item so the file is not silently lost.
        logger.exception("ingest of %r failed", display)
        reason = f"The file could not be ingested ({exc.__class__.__name__}); nothing was kept. Try again."
        return Result(_item(batch, display, IngestItem.Outcome.REJECTED, reason=reason, **common), exc)
    version = asset.current_version
    return Result(_item(batch, display, IngestItem.Outcome.CREATED, asset=asset, version=version,
                        sha256=version.sha256 if version else "", **common))


def _duplicate(batch: IngestBatch, fileobj: IO[bytes], filename: str, actor: User | None,
               dup: services.DuplicateFile, common: dict[str, Any]) -> Result:
    display = files.clean_display_name(filename)
    existing = dup.existing
    if batch.on_duplicate == OnDuplicate.NEW_VERSION and dup.visible:
        try:
            version = services.version_create(asset=existing, fileobj=fileobj, filename=filename, actor=actor,
                                              change_note=f"Uploaded again in batch {batch.pk}.",
                                              allow_duplicate=True)
        except PermissionDenied as exc:
            reason = f"{dup} You may not add revisions to it."
            return Result(_item(batch, display, IngestItem.Outcome.DUPLICATE, reason=reason, duplicate_of=existing,
                                **common), exc)
        else:
            return Result(_item(batch, display, IngestItem.Outcome.NEW_VERSION, asset=existing, version=version,
                                sha256=version.sha256, reason=f"Added as version {version.number}.", **common))
    return Result(_item(batch, display, IngestItem.Outcome.DUPLICATE, reason=str(dup),
                        duplicate_of=existing if dup.visible else None, **common), dup)


def _item(batch: IngestBatch, filename: str, outcome: str, **values: Any) -> IngestItem:
    return IngestItem.objects.create(batch=batch, filename=filename[:255], outcome=outcome,
                                     entry=(values.pop("entry", "") or "")[:1024], **values)
