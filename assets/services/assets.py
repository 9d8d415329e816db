"""Actions on assets and their versions: storing an inspected file as an asset or a revision, editing.

Files arrive here already inspected: ingest (the app above) reads a file's type,
size, hash and embedded metadata from its bytes and passes them as FileFacts.
"""
from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date
from functools import partial
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.db import connection, transaction
from django.db.models import Max

from accounts import audit
from accounts import permissions as authority
from accounts.models import User
from assets import signals, tagging
from assets.models import Asset, AssetVersion, Collection, LicenceType, Rendition, original_upload_to
from assets.services.renditions import queue_renditions
from dam.errors import storage_error
from taxonomy import schema

EDITABLE_FIELDS = ("title", "description", "collection", "campaign", "licence", "rights_holder", "usage_terms",
                   "channels", "rights_expire_at", "embargo_until", "metadata", "focal_x", "focal_y",
                   "rights_start", "credit_line", "regions")


class DuplicateFile(Exception):
    """The exact same bytes are already in the DAM."""

    def __init__(self, existing: Asset, visible: bool):
        self.existing = existing
        self.visible = visible
        where = f"“{existing.title}”" if visible else "an asset you cannot see"
        super().__init__(f"This file is already in the DAM as {where}.")


class StaleEdit(Exception):
    """The asset changed since the editor loaded it."""


class VersionRefused(Exception):
    """A registered check refused a new revision (e.g. someone else has the asset checked out)."""


# Checks that apps above assets register (apps import downward only, so assets
# cannot ask them directly): each gets the locked asset and the actor and raises
# VersionRefused to stop a new revision. workflows registers its check-out lock here.
version_checks: list[Callable[[Asset, User | None], None]] = []

# Context managers that apps above assets register to gather the work they do on each write of an
# asset or version, and do it once when a block of writes ends, inside its transaction: search
# rewrites an uploaded asset's index row once, not for the asset, its version and its current version.
write_batchers: list[Callable[[], AbstractContextManager[None]]] = []


@contextmanager
def writes_batched() -> Iterator[None]:
    """Within the block, every registered batcher gathers its work on asset writes (see write_batchers)."""
    with ExitStack() as stack:
        for batcher in write_batchers:
            stack.enter_context(batcher())
        yield


@dataclass(frozen=True)
class FileFacts:
    """What ingest read from a file's bytes (never from its name), for its version row."""

    sha256: str
    size: int
    mime_type: str
    asset_type: str
    width: int | None = None
    height: int | None = None
    duration: float | None = None
    pages: int | None = None
    embedded_metadata: dict[str, Any] = dataclass_field(default_factory=dict)
    camera_make: str = ""
    camera_model: str = ""
    captured_on: date | None = None

    @classmethod
    def of_version(cls, version: AssetVersion) -> FileFacts:
        """The facts an existing version's file was stored with (to store the same file again)."""
        own = {name: getattr(version, name) for name in cls.__dataclass_fields__ if name != "asset_type"}
        return cls(asset_type=version.asset.asset_type, **own)


def _lock_content(sha256: str) -> None:
    """Hold, until the transaction ends, a lock on this content hash.

    PostgreSQL: a transaction-level advisory lock keyed on the hash's first 64 bits. SQLite needs none:
    its transactions begin IMMEDIATE (dam.settings), so writers already take turns.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [int.from_bytes(bytes.fromhex(sha256[:16]), "big",
                                                                                 signed=True)])


def find_duplicate(sha256: str, actor: User | None) -> None:
    """Raise DuplicateFile when an asset already holds these exact bytes."""
    existing = Asset.objects.filter(versions__sha256=sha256).order_by("pk").first()
    if existing is not None:
        visible = actor is None or authority.visible(actor, Asset.objects.filter(pk=existing.pk)).exists()
        raise DuplicateFile(existing, visible)


def _store(fileobj: IO[bytes]) -> str:
    """Write the original under a generated key and return the key."""
    fileobj.seek(0)
    key = original_upload_to(None, "")  # type: ignore[arg-type]
    try:
        if isinstance(fileobj, TemporaryUploadedFile) and isinstance(default_storage, FileSystemStorage):
            # Django spooled the upload to disk already: FileSystemStorage renames it into place
            # instead of copying it chunk by chunk (13 MB: ~10 ms).
            return default_storage.save(key, fileobj)
        # Wrapped, so no client-sent content type (an upload's) reaches an object store's metadata.
        return default_storage.save(key, File(fileobj))
    except Exception as exc:
        if (trouble := storage_error(exc)) is None:
            raise
        # A full disk leaves the part written so far: nothing of a refused upload stays.
        with contextlib.suppress(Exception):
            default_storage.delete(key)
        raise trouble from exc


def _new_version(asset: Asset, *, key: str, facts: FileFacts, filename: str, actor: User | None,
                 change_note: str) -> AssetVersion:
    number = (asset.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    previous_id = asset.current_version_id
    version = AssetVersion.objects.create(
        asset=asset, number=number, file=key, original_filename=filename, sha256=facts.sha256, size=facts.size,
        mime_type=facts.mime_type, width=facts.width, height=facts.height, duration=facts.duration,
        pages=facts.pages, embedded_metadata=facts.embedded_metadata, camera_make=facts.camera_make,
        camera_model=facts.camera_model, captured_on=facts.captured_on, uploaded_by=actor, change_note=change_note,
    )
    asset.current_version = version
    asset.save(update_fields=["current_version", "updated_at"])
    if version.has_renditions:
        # The pending rows commit with the version, so no reader ever sees a version without them.
        Rendition.objects.bulk_create([Rendition(version=version, preset=preset) for preset in Rendition.Preset])
        transaction.on_commit(partial(queue_renditions, [version.pk]))
    news = {"version_id": version.pk, "previous_version_id": previous_id, "actor_id": actor.pk if actor else None}
    transaction.on_commit(lambda: signals.version_created.send(sender=AssetVersion, **news))
    return version


def asset_create(*, fileobj: IO[bytes], filename: str, facts: FileFacts, actor: User | None,
                 collection: Collection, title: str, description: str = "", metadata: dict[str, Any] | None = None,
                 allow_duplicate: bool = False, **fields: Any) -> Asset:
    """Store an inspected file as a new asset with version 1 (`filename` is the name to show).

    The same bytes as any asset's version are refused (DuplicateFile) unless `allow_duplicate`.
    `fields` are further editable fields (campaign, licence, rights...); empty ones are left out.
    """
    if actor is not None:
        authority.require(actor, "contribute", collection)
    if not allow_duplicate:
        find_duplicate(facts.sha256, actor)  # the common case, before the file is stored
    values = {k: v for k, v in fields.items() if k in EDITABLE_FIELDS and v not in (None, "")}
    key = _store(fileobj)
    try:
        # One index write (and so on) for the asset, its version and its current version, not three.
        with transaction.atomic(), writes_batched():
            if not allow_duplicate:
                # Again, under a lock on these bytes: of the same file sent twice at once, the second
                # waits for the first to commit, then finds it (and its stored copy is removed below).
                _lock_content(facts.sha256)
                find_duplicate(facts.sha256, actor)
            asset = Asset.objects.create(
                title=title[:300], description=description, collection=collection, asset_type=facts.asset_type,
                owner=actor, metadata=metadata or {}, **values,
            )
            version = _new_version(asset, key=key, facts=facts, filename=filename, actor=actor, change_note="")
            audit.record("assets.asset.created", actor=actor, target=asset, version=version.number,
                         sha256=facts.sha256, filename=filename, collection=collection.pk)
    except BaseException:
        default_storage.delete(key)  # no orphan object when the rows could not be written
        raise
    return asset


def version_create(*, asset: Asset, fileobj: IO[bytes], filename: str, facts: FileFacts, actor: User | None,
                   change_note: str = "", allow_duplicate: bool = False) -> AssetVersion:
    """Store an inspected file as a new revision of an asset; it becomes the current version, in draft.

    The same bytes as the current version are refused unless `allow_duplicate`
    (the uploader chose "add as a new revision" for a file already in the DAM).
    """
    if actor is not None:
        authority.require(actor, "add_version", asset)
    current = asset.current_version
    if current is not None and current.sha256 == facts.sha256 and not allow_duplicate:
        raise DuplicateFile(asset, True)
    key = _store(fileobj)
    try:
        with transaction.atomic(), writes_batched():
            asset = Asset.objects.select_for_update().get(pk=asset.pk)  # serialises version numbering
            for check in version_checks:
                check(asset, actor)
            version = _new_version(asset, key=key, facts=facts, filename=filename, actor=actor,
                                   change_note=change_note)
            audit.record("assets.version.created", actor=actor, target=asset, version=version.number,
                         sha256=facts.sha256, filename=filename, change_note=change_note)
    except BaseException:
        default_storage.delete(key)
        raise
    return version


def _check_focal_point(changes: dict[str, Any]) -> None:
    """A focal point is both coordinates, each a fraction of the picture (0-1), or neither."""
    if "focal_x" not in changes and "focal_y" not in changes:
        return
    x, y = changes.get("focal_x"), changes.get("focal_y")
    if (x is None) != (y is None) or any(v is not None and not (isinstance(v, int | float) and 0 <= v <= 1)
                                         for v in (x, y)):
        raise ValidationError({"focal_point": "Give both coordinates as fractions from 0 to 1, or neither."})


@transaction.atomic
def asset_update(*, asset: Asset, actor: User | None, changes: dict[str, Any],
                 expected_revision: int | None = None) -> Asset:
    """Edit an asset's descriptive fields; a stale `expected_revision` raises StaleEdit."""
    if actor is not None:
        authority.require(actor, "edit", asset)
    locked = Asset.objects.select_for_update().get(pk=asset.pk)
    if expected_revision is not None and expected_revision != locked.revision:
        raise StaleEdit("Someone else changed this asset since you loaded it. Reload and try again.")
    changes = dict(changes)
    terms = changes.pop("terms", None)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({field: "This field cannot be edited." for field in unknown})
    new_collection = changes.get("collection")
    if new_collection is not None and new_collection.pk != locked.collection_id and actor is not None:
        authority.require(actor, "contribute", new_collection)
    if "metadata" in changes or (new_collection is not None and locked.metadata):
        # Values are checked against the schema here, so the form and the API cannot differ.
        changes["metadata"] = schema.clean_metadata(changes.get("metadata", locked.metadata),
                                                    asset_type=locked.asset_type,
                                                    collection=new_collection or locked.collection)
    _check_focal_point(changes)
    _check_rights(changes, locked)
    diff = {}
    for field, value in changes.items():
        old = getattr(locked, field)
        if old != value:
            setattr(locked, field, value)
            diff[field] = [_jsonable(old), _jsonable(value)]
    term_diff = tagging.replace_human_terms(locked, tagging.resolve_terms(terms), actor=actor) if terms is not None \
        else None
    if term_diff is not None:
        diff["terms"] = term_diff
    if diff:
        locked.revision += 1
        locked.updated_by = actor
        locked.full_clean()
        locked.save(update_fields=[*(f for f in diff if f != "terms"), "revision", "updated_by", "updated_at"])
        audit.record("assets.asset.updated", actor=actor, target=locked, changes=diff)
    return locked


def _check_rights(changes: dict[str, Any], asset: Asset) -> None:
    """A new licence comes from the controlled list (LicenceType); the rights dates follow each other."""
    licence = changes.get("licence")
    if licence and licence != asset.licence:
        match = LicenceType.objects.filter(active=True, name__iexact=licence.strip()).first()
        if match is None:
            names = ", ".join(LicenceType.objects.filter(active=True).values_list("name", flat=True))
            raise ValidationError({"licence": f"“{licence}” is not in the list of licences. Choose one of: {names}."})
        changes["licence"] = match.name
    start, expire, embargo = (changes.get(f, getattr(asset, f)) for f in ("rights_start", "rights_expire_at",
                                                                            "embargo_until"))
    if start and expire and start >= expire:
        raise ValidationError({"rights_start": "The rights must start before they expire."})
    if embargo and expire and embargo >= expire:
        raise ValidationError({"embargo_until": "The embargo must end before the rights expire."})


def _jsonable(value: Any) -> Any:
    if isinstance(value, Collection):
        return value.name  # the history reads "Folder: Brand → Campaigns", not two ids
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
