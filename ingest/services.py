"""Ingest: a file's bytes read (type, size, hash, embedded metadata) and stored as an asset or a revision,
and batches, in which every file sent gets an IngestItem with its outcome, so nothing is lost silently.

`asset_ingest` and `version_ingest` inspect one file and hand what they learnt to
`assets.services.asset_create` / `version_create`, which store it. A batch is one
upload session (the upload page, an API client, or an `import_assets` run); each of
its files is ingested on its own, so a failure half-way keeps what succeeded, and
archives are unpacked entry by entry into a private staging folder, each entry with
its own item.
"""
from __future__ import annotations

import logging
import mimetypes
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import IO, Any

import magic
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django_q.tasks import async_task

from accounts import audit
from accounts import permissions as authority
from accounts.models import User
from assets import formats, services
from assets.formats import IMAGE_MIME_TYPES
from assets.models import Asset, AssetVersion, Collection
from dam.errors import StorageFull, StorageUnavailable
from ingest import archives, describe, files
from ingest.metadata import capture_facts, upright_size
from ingest.models import ArchiveUnpacking, IngestBatch, IngestItem, OnDuplicate
from ingest.probe import Probe, probe

logger = logging.getLogger(__name__)


# Embedded fields mapped onto the asset when the uploader did not fill them in.
EMBEDDED_TO_ASSET = ("description", "rights_holder", "usage_terms")


def _facts(fileobj: IO[bytes], info: files.Inspection,
           extra_keywords: list[str] | None = None) -> tuple[services.FileFacts, Probe]:
    """The file's facts for its version row: its inspection and what its embedded metadata says."""
    found = probe(fileobj, info.mime_type, image_types=IMAGE_MIME_TYPES)
    raw = found.extracted.raw
    # Always a list, so the vocabulary's keyword matching never has to guess.
    raw["keywords"] = list(dict.fromkeys([*raw.get("keywords", []), *(extra_keywords or [])]))
    width, height = upright_size(info.width or found.width, info.height or found.height, raw)
    facts = services.FileFacts(
        sha256=info.sha256, size=info.size, mime_type=info.mime_type, asset_type=info.asset_type,
        width=width, height=height, duration=found.duration, pages=found.pages, embedded_metadata=raw,
        **capture_facts(raw))
    return facts, found


def asset_ingest(*, fileobj: IO[bytes], filename: str, actor: User | None, collection: Collection,
                 title: str = "", description: str = "", allow_duplicate: bool = False,
                 keywords: list[str] | None = None, creator: str = "", **fields: Any) -> Asset:
    """Ingest one file as a new asset with version 1, described by what it says about itself.

    Fields the uploader gives win; empty ones are filled from the file's embedded
    metadata (reconciled per MWG), and the title falls back to the file name.
    `keywords` (from a manifest) join the embedded ones for the vocabulary to map.
    """
    if actor is not None:
        authority.require(actor, "contribute", collection)
    info = files.inspect(fileobj, filename)
    if not allow_duplicate:
        services.find_duplicate(info.sha256, actor)  # before the metadata is read: a duplicate is refused anyway
    facts, found = _facts(fileobj, info, keywords)
    embedded = found.extracted.fields
    display_name = formats.name_for_type(files.clean_display_name(filename), info.mime_type)
    values = {k: v for k, v in fields.items() if k in services.EDITABLE_FIELDS and v not in (None, "")}
    for name in EMBEDDED_TO_ASSET:
        if not values.get(name) and embedded.get(name):
            values[name] = embedded[name][:200] if name == "rights_holder" else embedded[name]
    description = description or values.pop("description", "")
    metadata = dict(values.pop("metadata", None) or {})
    if creator or embedded.get("creator"):
        metadata.setdefault("creator", creator or embedded["creator"])
    title = title.strip() or (embedded.get("title") or "").strip() or display_name.rsplit(".", 1)[0]
    return services.asset_create(fileobj=fileobj, filename=display_name, facts=facts, actor=actor,
                                 collection=collection, title=title, description=description, metadata=metadata,
                                 allow_duplicate=allow_duplicate, **values)


def version_ingest(*, asset: Asset, fileobj: IO[bytes], filename: str, actor: User | None,
                   change_note: str = "", allow_duplicate: bool = False) -> AssetVersion:
    """Ingest one file as a new revision of an asset; it becomes the current version, in draft."""
    if actor is not None:
        authority.require(actor, "add_version", asset)
    facts, _ = _facts(fileobj, files.inspect(fileobj, filename))
    display_name = formats.name_for_type(files.clean_display_name(filename), facts.mime_type)
    return services.version_create(asset=asset, fileobj=fileobj, filename=display_name,
                                   facts=facts, actor=actor, change_note=change_note,
                                   allow_duplicate=allow_duplicate)


def batches_follow_parent(folders: list[Collection], parent: Collection | None) -> None:
    """Folders are being deleted (assets.services.collection_delete): their batches, the upload history of the
    people who sent files there, move to the folder above; a top-level folder with history is kept."""
    batches = IngestBatch.objects.filter(collection__in=folders)
    if parent is None:
        if batches.exists():
            raise ValidationError("Files were uploaded into this folder: its upload history keeps it.")
        return
    batches.update(collection=parent)


@dataclass
class Result:
    """One item and, when it was not created, the refusal behind it (so the API can pick the status)."""

    item: IngestItem
    error: Exception | None = None


@transaction.atomic
def batch_create(*, actor: User | None, collection: Collection, on_duplicate: str = OnDuplicate.REPORT,
                 source: str = IngestBatch.Source.UPLOAD, fields: dict[str, Any] | None = None) -> IngestBatch:
    """Open a batch that files are then added to, one request (or one command line) at a time.

    `fields` describe every file the batch creates (ingest.describe); a wrong one is a ValidationError.
    """
    if actor is not None:
        authority.require(actor, "contribute", collection)
    if on_duplicate not in OnDuplicate.values:
        raise ValueError(f"on_duplicate must be one of {', '.join(OnDuplicate.values)}")
    described = describe.batch_fields_clean(fields or {})
    batch = IngestBatch.objects.create(created_by=actor, collection=collection, on_duplicate=on_duplicate,
                                       source=source, fields=described)
    audit.record("assets.batch.created", actor=actor, target=batch, collection=collection.pk,
                 on_duplicate=on_duplicate, source=source, described=sorted(described))
    return batch


@dataclass
class Added:
    """What became of one file sent to a batch: its items, or the unpacking of an archive left to a job."""

    results: list[Result]
    unpacking: ArchiveUnpacking | None = None


def batch_add_file(*, batch: IngestBatch, fileobj: IO[bytes], filename: str, actor: User | None,
                   fields: dict[str, Any] | None = None, manifest: dict[str, dict[str, Any]] | None = None,
                   entry: str = "", unpack_later: bool = False) -> Added:
    """Ingest one file into the batch; an archive becomes one item per entry.

    `fields` (title, description, rights...) apply to a single file; `manifest`
    maps file names (or archive entry paths) to their own fields; `entry` is
    where the file was found (its path inside an imported folder). With
    `unpack_later`, an archive of more than DAM_ARCHIVE_INLINE_ENTRIES files is
    stored and unpacked by background jobs instead of while the sender waits.
    """
    if actor is not None:
        authority.require(actor, "add_files", batch)
    head = fileobj.read(files.SNIFF_BYTES)
    fileobj.seek(0)
    mime_type = magic.from_buffer(head, mime=True) if head else ""
    added = Added([])
    if mime_type and archives.is_archive(mime_type, fileobj):
        added = _add_archive(batch, fileobj, filename, mime_type, actor, manifest or {}, unpack_later)
    else:
        own = {**(manifest or {}).get(Path(filename).name, {}), **(fields or {})}
        added.results.append(_ingest_one(batch, fileobj, filename, actor, own, entry=entry))
    with transaction.atomic():
        audit.record("assets.batch.file_added", actor=actor, target=batch, filename=files.clean_display_name(filename),
                     items=len(added.results), outcomes=sorted({r.item.outcome for r in added.results}),
                     unpacked_later=added.unpacking is not None)
    return added


def _add_archive(batch: IngestBatch, fileobj: IO[bytes], filename: str, mime_type: str, actor: User | None,
                 manifest: dict[str, dict[str, Any]], unpack_later: bool) -> Added:
    archive_name = files.clean_display_name(filename)
    try:
        # From the archive's directory, before anything is unpacked: an archive of 10,050 empty files is
        # refused at once, not after 10,000 rows.
        count = archives.count_files(fileobj, mime_type)
        limit = settings.DAM_ARCHIVE_MAX_ENTRIES
        if count > limit:
            raise archives.ArchiveUnreadable(f"The archive holds {count:,} or more files; at most {limit:,} are "
                                             "accepted in one archive. Nothing was unpacked; split it and send "
                                             "the parts.")
    except archives.ArchiveUnreadable as exc:
        return Added([Result(_item(batch, archive_name, IngestItem.Outcome.REJECTED, reason=str(exc)), exc)])
    if unpack_later and count > settings.DAM_ARCHIVE_INLINE_ENTRIES:
        return Added([], _unpack_later(batch, fileobj, archive_name, mime_type, count, manifest))
    results = list(_unpack(batch, fileobj, archive_name, mime_type, actor, manifest))
    if not results:
        results.append(Result(_item(batch, archive_name, IngestItem.Outcome.REJECTED,
                                    reason="The archive holds no files.")))
    return Added(results)


def _unpack(batch: IngestBatch, fileobj: IO[bytes], archive_name: str, mime_type: str, actor: User | None,
            manifest: dict[str, dict[str, Any]], skip: int = 0) -> Iterator[Result]:
    """Ingest the archive's entries from the `skip`th on, one item each."""
    with archives.staging_folder() as staging:
        try:
            for entry in archives.entries(fileobj, mime_type, Path(staging), skip=skip):
                if entry.path is None:
                    yield Result(_item(batch, files.clean_display_name(entry.name), IngestItem.Outcome.REJECTED,
                                       reason=entry.reason, archive=archive_name, entry=entry.name, size=entry.size))
                    continue
                own = manifest.get(entry.name) or manifest.get(Path(entry.name).name) or {}
                with open(entry.path, "rb") as staged:
                    yield _ingest_one(batch, staged, entry.name, actor, own, archive=archive_name, entry=entry.name)
        except archives.ArchiveUnreadable as exc:
            yield Result(_item(batch, archive_name, IngestItem.Outcome.REJECTED, reason=str(exc)), exc)


# --- archives unpacked by background jobs ------------------------------------------------------------

# A job's share of an archive: it stops after this long and queues the next job for the rest, so no
# job comes near its timeout (or django-q2's retry, which would start a second one beside it).
UNPACK_SLICE_SECONDS = 60


def _unpack_later(batch: IngestBatch, fileobj: IO[bytes], archive_name: str, mime_type: str, count: int,
                  manifest: dict[str, dict[str, Any]]) -> ArchiveUnpacking:
    key = default_storage.save(f"staging/archives/{uuid.uuid4().hex}", File(fileobj))
    try:
        with transaction.atomic():
            unpacking = ArchiveUnpacking.objects.create(batch=batch, filename=archive_name, key=key,
                                                        mime_type=mime_type, entries=count, fields=manifest)
            transaction.on_commit(partial(_queue_unpacking, unpacking.pk))
    except BaseException:
        default_storage.delete(key)  # no stored archive without its row
        raise
    return unpacking


def _queue_unpacking(unpacking_id: int) -> None:
    with transaction.atomic():  # see assets.services.queue_renditions: the ORM broker closes a bare connection
        async_task("ingest.tasks.archive_unpack_task", unpacking_id, task_name=f"unpack-{unpacking_id}",
                   group="unpacking", timeout=UNPACK_SLICE_SECONDS * 3)


def archive_unpack(*, unpacking_id: int) -> ArchiveUnpacking | None:
    """Unpack a stored archive into its batch for a while, then queue a job for the rest; safe to run twice.

    Each entry handled is counted at once, so a job that dies costs at most the entry in hand.
    """
    unpacking = ArchiveUnpacking.objects.select_related("batch__collection", "batch__created_by").filter(
        pk=unpacking_id).first()
    if unpacking is None or not unpacking.active:
        return unpacking
    batch, actor = unpacking.batch, unpacking.batch.created_by
    ArchiveUnpacking.objects.filter(pk=unpacking.pk).update(state=ArchiveUnpacking.State.UNPACKING)
    deadline = time.monotonic() + UNPACK_SLICE_SECONDS
    finished = True
    try:
        with default_storage.open(unpacking.key, "rb") as stored:
            for _ in _unpack(batch, stored, unpacking.filename, unpacking.mime_type, actor, unpacking.fields,
                             skip=unpacking.done):
                unpacking.done += 1
                ArchiveUnpacking.objects.filter(pk=unpacking.pk).update(done=unpacking.done)
                if time.monotonic() > deadline and unpacking.done < unpacking.entries:
                    finished = False
                    break
    except Exception as exc:
        logger.exception("unpacking %s failed", unpacking)
        return _unpacking_ended(unpacking, ArchiveUnpacking.State.FAILED,
                                f"The archive could not be unpacked ({exc.__class__.__name__}) after "
                                f"{unpacking.done:,} of {unpacking.entries:,} files; the files before that are "
                                "in the batch.")
    if not finished:
        transaction.on_commit(partial(_queue_unpacking, unpacking.pk))
        return unpacking
    return _unpacking_ended(unpacking, ArchiveUnpacking.State.DONE, "")


@transaction.atomic
def _unpacking_ended(unpacking: ArchiveUnpacking, state: str, error: str) -> ArchiveUnpacking:
    unpacking.state, unpacking.error, unpacking.finished_at = state, error, timezone.now()
    key, unpacking.key = unpacking.key, ""
    unpacking.save(update_fields=["state", "error", "finished_at", "key", "done"])
    transaction.on_commit(partial(default_storage.delete, key))
    audit.record(f"assets.batch.archive_{'unpacked' if state == ArchiveUnpacking.State.DONE else 'failed'}",
                 actor=None, target=unpacking.batch, archive=unpacking.filename, files=unpacking.done, error=error)
    return unpacking


def _ingest_one(batch: IngestBatch, fileobj: IO[bytes], filename: str, actor: User | None,
                fields: dict[str, Any], *, archive: str = "", entry: str = "") -> Result:
    """One file to one outcome. Refusals become items; the batch carries on."""
    display = files.clean_display_name(filename)
    fileobj.seek(0, 2)
    size = fileobj.tell()
    fileobj.seek(0)
    common = {"archive": archive, "entry": entry, "size": size}
    # The batch's description first; what was sent with this very file (a manifest, a single upload's title) wins.
    fields = {**describe.fields_for_file(batch.fields), **fields}
    if batch.fields.get("title_pattern") and not fields.get("title"):
        fields["title"] = describe.title_for(batch.fields["title_pattern"], display, _next_number(batch), many=True)
    try:
        asset = asset_ingest(fileobj=fileobj, filename=filename, actor=actor, collection=batch.collection,
                                      allow_duplicate=batch.on_duplicate == OnDuplicate.KEEP_BOTH, **fields)
    except services.DuplicateFile as dup:
        return _duplicate(batch, fileobj, filename, actor, dup, common)
    except files.FileRejected as exc:
        return Result(_item(batch, display, IngestItem.Outcome.REJECTED, reason=str(exc), **common), exc)
    except PermissionDenied as exc:
        reason = "You may not add assets to this collection."
        return Result(_item(batch, display, IngestItem.Outcome.REJECTED, reason=reason, **common), exc)
    except (StorageFull, StorageUnavailable) as exc:
        return Result(_item(batch, display, IngestItem.Outcome.REJECTED, reason=str(exc), **common), exc)
    except Exception as exc:
        # Unexpected (a storage outage, a bug): recorded on the item so the file is not silently lost.
        logger.exception("ingest of %r failed", display)
        reason = f"The file could not be ingested ({exc.__class__.__name__}); nothing was kept. Try again."
        return Result(_item(batch, display, IngestItem.Outcome.REJECTED, reason=reason, **common), exc)
    version = asset.current_version
    problem = describe.describe_created(asset, batch.fields, actor)
    reason = " ".join(filter(None, [_typed_by_content(display, version), problem]))
    return Result(_item(batch, display, IngestItem.Outcome.CREATED, asset=asset, version=version,
                        sha256=version.sha256 if version else "", reason=reason, **common))


CONTENT_KINDS = {"text/plain": "plain text", "text/csv": "a table of comma-separated values",
                 "application/pdf": "a PDF document", "application/zip": "a zip archive"}


def _typed_by_content(sent_as: str, version: AssetVersion | None) -> str:
    """Said on the item when the file's content gave it another name than it was sent with (notes.docx that is
    plain text is kept as notes.txt): the uploader sees the type the DAM went by, not a silent rename."""
    if version is None:
        return ""
    kind = CONTENT_KINDS.get(version.mime_type, f"of type {version.mime_type}")
    if version.original_filename != sent_as:
        return f"Typed by its content, not its name: it is {kind}, kept as “{version.original_filename}”."
    claimed, _ = mimetypes.guess_type(sent_as, strict=False)
    detected = version.mime_type
    # Another family (a "PDF" that is text), or text under another document's name (notes.docx).
    if claimed and claimed != detected and (claimed.split("/")[0] != detected.split("/")[0]
                                            or detected.startswith("text/")):
        ext = sent_as.rsplit(".", 1)[-1].upper()
        return f"Typed by its content, not its name: it is {kind}, although its name says {ext}."
    return ""


def _next_number(batch: IngestBatch) -> int:
    """The next {n} of the batch's title pattern: counted under a row lock, since the upload page sends two
    files at once and each must get its own number."""
    with transaction.atomic():
        locked = IngestBatch.objects.select_for_update().only("fields").get(pk=batch.pk)
        number = int(locked.fields.get(describe.NUMBERED, 0)) + 1
        locked.fields[describe.NUMBERED] = number
        locked.save(update_fields=["fields"])
    return number


def _duplicate(batch: IngestBatch, fileobj: IO[bytes], filename: str, actor: User | None,
               dup: services.DuplicateFile, common: dict[str, Any]) -> Result:
    display = files.clean_display_name(filename)
    existing = dup.existing
    if batch.on_duplicate == OnDuplicate.NEW_VERSION and dup.visible:
        try:
            version = version_ingest(asset=existing, fileobj=fileobj, filename=filename, actor=actor,
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
