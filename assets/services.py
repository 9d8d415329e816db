"""Actions on collections, assets and versions.

Each takes a keyword-only `actor` (None = the system), checks it with the
permission authority, runs in a transaction and writes one audit event.
"""
from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import partial
from typing import IO, TYPE_CHECKING, Any

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django_q.tasks import async_task
from guardian.shortcuts import assign_perm, remove_perm

from accounts import audit
from accounts import permissions as authority
from accounts.models import User
from assets import files, schema, signals, tagging
from assets.metadata import capture_facts
from assets.models import Asset, AssetTerm, AssetVersion, Collection, Rendition, original_upload_to
from assets.permissions import GRANT_LEVELS
from assets.probe import Probe, probe
from assets.search import index as search_index

if TYPE_CHECKING:
    # Imported by the rendition job itself: it loads libvips, which web processes never need.
    from assets.renditions import Made

# Rendition jobs are killed after this long (a decoder that hangs on a hostile file);
# below Q_CLUSTER["retry"] so a slow job is never started twice at once.
RENDITION_TIMEOUT = 240
# Embedded fields mapped onto the asset when the uploader did not fill them in.
EMBEDDED_TO_ASSET = ("description", "rights_holder", "usage_terms")

EDITABLE_FIELDS = ("title", "description", "collection", "campaign", "licence", "rights_holder", "usage_terms",
                   "channels", "rights_expire_at", "embargo_until", "metadata")


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


# --- collections ------------------------------------------------------------

@transaction.atomic
def collection_create(*, name: str, actor: User | None, parent: Collection | None = None,
                      description: str = "") -> Collection:
    """Create a folder at the top level (admins) or under one the actor manages."""
    if actor is not None:
        authority.require(actor, "create_child", parent) if parent else authority.require(actor, "create", Collection)
    name = name.strip()
    if not name:
        raise ValidationError({"name": "A collection needs a name."})
    if Collection.objects.filter(parent=parent, name__iexact=name).exists():
        raise ValidationError({"name": "There is already a collection with this name here."})
    collection = Collection.objects.create(name=name, parent=parent, description=description, created_by=actor)
    collection.path = f"{parent.path if parent else '/'}{collection.pk}/"
    collection.save(update_fields=["path"])
    audit.record("assets.collection.created", actor=actor, target=collection, parent=parent.pk if parent else None)
    return collection


def _grantee(user: User | None, group: Group | None) -> User | Group:
    if (user is None) == (group is None):
        raise ValidationError("Grant to exactly one user or one group.")
    return user if user is not None else group  # type: ignore[return-value]


@transaction.atomic
def collection_grant(*, collection: Collection, level: str, actor: User | None, user: User | None = None,
                     group: Group | None = None) -> None:
    """Give view / contribute / manage on a folder (and so on everything below it)."""
    if actor is not None:
        authority.require(actor, "grant", collection)
    if level not in GRANT_LEVELS:
        raise ValidationError({"level": f"Choose one of: {', '.join(GRANT_LEVELS)}."})
    grantee = _grantee(user, group)
    assign_perm(f"assets.{GRANT_LEVELS[level]}", grantee, collection)
    audit.record("assets.collection.granted", actor=actor, target=collection, level=level,
                 grantee=str(grantee), grantee_kind="user" if user else "group")


@transaction.atomic
def collection_revoke(*, collection: Collection, level: str, actor: User | None, user: User | None = None,
                      group: Group | None = None) -> None:
    """Take one grant away again."""
    if actor is not None:
        authority.require(actor, "grant", collection)
    grantee = _grantee(user, group)
    remove_perm(f"assets.{GRANT_LEVELS[level]}", grantee, collection)
    audit.record("assets.collection.revoked", actor=actor, target=collection, level=level,
                 grantee=str(grantee), grantee_kind="user" if user else "group")


# --- assets and versions ----------------------------------------------------

def _find_duplicate(sha256: str, actor: User | None) -> None:
    existing = Asset.objects.filter(versions__sha256=sha256).order_by("pk").first()
    if existing is not None:
        visible = actor is None or authority.visible(actor, Asset.objects.filter(pk=existing.pk)).exists()
        raise DuplicateFile(existing, visible)


def _store(fileobj: IO[bytes]) -> str:
    """Write the original under a generated key and return the key."""
    fileobj.seek(0)
    key = original_upload_to(None, "")  # type: ignore[arg-type]
    if isinstance(fileobj, TemporaryUploadedFile) and isinstance(default_storage, FileSystemStorage):
        # Django spooled the upload to disk already: FileSystemStorage renames it into place
        # instead of copying it chunk by chunk (13 MB: ~10 ms).
        return default_storage.save(key, fileobj)
    # Wrapped, so no client-sent content type (an upload's) reaches an object store's metadata.
    return default_storage.save(key, File(fileobj))


def _probe(fileobj: IO[bytes], info: files.Inspection, extra_keywords: list[str] | None = None) -> Probe:
    found = probe(fileobj, info.mime_type, image_types=files.IMAGE_MIME_TYPES)
    raw = found.extracted.raw
    # Always a list, so the vocabulary's keyword matching never has to guess.
    raw["keywords"] = list(dict.fromkeys([*raw.get("keywords", []), *(extra_keywords or [])]))
    return found


def _new_version(asset: Asset, *, key: str, info: files.Inspection, filename: str, actor: User | None,
                 change_note: str, found: Probe | None = None) -> AssetVersion:
    found = found or Probe()
    number = (asset.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    previous_id = asset.current_version_id
    version = AssetVersion.objects.create(
        asset=asset, number=number, file=key, original_filename=filename, sha256=info.sha256, size=info.size,
        mime_type=info.mime_type, width=info.width or found.width, height=info.height or found.height,
        duration=found.duration, pages=found.pages, embedded_metadata=found.extracted.raw,
        **capture_facts(found.extracted.raw), uploaded_by=actor, change_note=change_note,
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


def asset_create(*, fileobj: IO[bytes], filename: str, actor: User | None, collection: Collection,
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
        _find_duplicate(info.sha256, actor)
    found = _probe(fileobj, info, keywords)
    embedded = found.extracted.fields
    display_name = files.clean_display_name(filename)
    values = {k: v for k, v in fields.items() if k in EDITABLE_FIELDS and v not in (None, "")}
    for name in EMBEDDED_TO_ASSET:
        if not values.get(name) and embedded.get(name):
            values[name] = embedded[name][:200] if name == "rights_holder" else embedded[name]
    description = description or values.pop("description", "")
    metadata = dict(values.pop("metadata", None) or {})
    if creator or embedded.get("creator"):
        metadata.setdefault("creator", creator or embedded["creator"])
    title = title.strip() or (embedded.get("title") or "").strip() or display_name.rsplit(".", 1)[0]
    key = _store(fileobj)
    try:
        # One index write for the asset, its version and its current version, not three.
        with transaction.atomic(), search_index.coalesced():
            asset = Asset.objects.create(
                title=title[:300], description=description, collection=collection, asset_type=info.asset_type,
                owner=actor, metadata=metadata, **values,
            )
            version = _new_version(asset, key=key, info=info, filename=display_name, actor=actor, change_note="",
                                   found=found)
            audit.record("assets.asset.created", actor=actor, target=asset, version=version.number,
                         sha256=info.sha256, filename=display_name, collection=collection.pk)
    except BaseException:
        default_storage.delete(key)  # no orphan object when the rows could not be written
        raise
    return asset


def version_create(*, asset: Asset, fileobj: IO[bytes], filename: str, actor: User | None,
                   change_note: str = "", allow_duplicate: bool = False) -> AssetVersion:
    """Upload a new revision of an asset; it becomes the current version, in draft.

    The same bytes as the current version are refused unless `allow_duplicate`
    (the uploader chose "add as a new revision" for a file already in the DAM).
    """
    if actor is not None:
        authority.require(actor, "add_version", asset)
    info = files.inspect(fileobj, filename)
    current = asset.current_version
    if current is not None and current.sha256 == info.sha256 and not allow_duplicate:
        raise DuplicateFile(asset, True)
    found = _probe(fileobj, info)
    display_name = files.clean_display_name(filename)
    key = _store(fileobj)
    try:
        with transaction.atomic(), search_index.coalesced():
            asset = Asset.objects.select_for_update().get(pk=asset.pk)  # serialises version numbering
            for check in version_checks:
                check(asset, actor)
            version = _new_version(asset, key=key, info=info, filename=display_name, actor=actor,
                                   change_note=change_note, found=found)
            audit.record("assets.version.created", actor=actor, target=asset, version=version.number,
                         sha256=info.sha256, filename=display_name, change_note=change_note)
    except BaseException:
        default_storage.delete(key)
        raise
    return version


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
        locked.full_clean()
        locked.save(update_fields=[*(f for f in diff if f != "terms"), "revision", "updated_at"])
        audit.record("assets.asset.updated", actor=actor, target=locked, changes=diff)
    return locked


def _jsonable(value: Any) -> Any:
    if isinstance(value, Collection):
        return value.pk
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


# --- renditions --------------------------------------------------------------

def queue_renditions(version_ids: list[int]) -> None:
    """Queue one rendition job per version; call only after the version's transaction commits.

    The job makes any rendition row that is missing, so this only queues.
    """
    # In a transaction of its own: outside one, django-q2's ORM broker runs close_old_connections()
    # (meant for its own broker thread) on every enqueue, which closes the caller's connection, so the
    # rest of the upload request reconnected to the database twice.
    with transaction.atomic():
        for version_id in version_ids:
            async_task("assets.tasks.renditions_generate_task", version_id, task_name=f"renditions-{version_id}",
                       group="renditions", timeout=RENDITION_TIMEOUT)


def renditions_generate(*, version_id: int, presets: list[str] | None = None) -> list[Rendition]:
    """Make the version's missing renditions from one decode, the thumbnail first; safe to run twice.

    Each rendition is committed as soon as it is made, so the thumbnail shows while the larger ones
    are still being encoded. A failure is recorded on each rendition not made ("Preview unavailable:
    ..."), never raised, and never touches the original. The perceptual hash comes with the thumbnail.
    """
    from assets import renditions

    version = AssetVersion.objects.filter(pk=version_id).first()
    if version is None:
        return []  # the version was purged after the job was queued
    wanted = presets or list(Rendition.Preset.values)
    rows = _rendition_rows(version, wanted)
    todo = [p for p, r in rows.items() if not (r.status == Rendition.Status.READY and r.file)]
    made: dict[str, Made] = {}
    try:
        for preset, result in renditions.render_each(version, todo):
            _rendition_ready(rows[preset], result, version)
            made[preset] = result
    except renditions.RenditionFailed as exc:
        Rendition.objects.filter(pk__in=[rows[p].pk for p in todo if p not in made]).update(
            status=Rendition.Status.FAILED, error=str(exc)[:500], updated_at=timezone.now())
    if Rendition.Preset.THUMB in made:
        from assets import colors

        colors.record_dominant_colors(version_id=version.pk, rendition_name=made[Rendition.Preset.THUMB].name)
    return list(_rendition_rows(version, wanted).values())


def _rendition_rows(version: AssetVersion, presets: list[str]) -> dict[str, Rendition]:
    """The version's rendition rows for these presets, in that order, read in one query. The upload
    makes them; one missing (a version from before that, a row deleted by hand) is made here."""
    rows = {r.preset: r for r in version.renditions.filter(preset__in=presets)}
    if len(rows) < len(presets):
        # A concurrent run may make the same rows: theirs and ours are equal, so a conflict is no error.
        Rendition.objects.bulk_create([Rendition(version=version, preset=p) for p in presets if p not in rows],
                                      ignore_conflicts=True)
        rows = {r.preset: r for r in version.renditions.filter(preset__in=presets)}
    return {preset: rows[preset] for preset in presets}


@transaction.atomic
def _rendition_ready(row: Rendition, result: Made, version: AssetVersion) -> None:
    # Only a row still unfinished takes the new file: a concurrent run that got there first wins,
    # and our file is removed instead of orphaned.
    updated = Rendition.objects.filter(pk=row.pk).exclude(status=Rendition.Status.READY).update(
        status=Rendition.Status.READY, file=result.name, mime_type=result.mime_type, width=result.width,
        height=result.height, size=result.size, error="", updated_at=timezone.now())
    if not updated:
        transaction.on_commit(partial(default_storage.delete, result.name))
    if result.phash and version.phash != result.phash:
        AssetVersion.objects.filter(pk=version.pk).update(phash=result.phash)


def rendition_generate(*, version_id: int, preset: str) -> Rendition | None:
    """Make (or remake) one rendition; safe to run twice. A failure is recorded, never raised."""
    made = renditions_generate(version_id=version_id, presets=[preset])
    return made[0] if made else None


# --- bulk edit -------------------------------------------------------------------

@transaction.atomic
def assets_bulk_update(*, assets: list[Asset], actor: User | None, add_terms: list[Any] = (),  # type: ignore[assignment]
                       remove_terms: list[Any] = (),  # type: ignore[assignment]
                       collection: Collection | None = None, metadata: dict[str, Any] | None = None) -> int:
    """Add or remove terms, move to a collection and set schema fields on many assets: all or none.

    Every asset's history gets an event carrying the same batch id, so the action reads as one.
    Returns how many assets changed.
    """
    if actor is not None:
        for asset in assets:
            authority.require(actor, "edit", asset)
        if collection is not None:
            authority.require(actor, "contribute", collection)
    added, removed = tagging.resolve_terms(list(add_terms)), list(remove_terms)
    batch = uuid.uuid4().hex[:12]
    errors: list[str] = []
    changed = 0
    for asset in Asset.objects.select_for_update().filter(pk__in=[a.pk for a in assets]).select_related("collection"):
        diff: dict[str, Any] = {}
        for term in added:
            link, made = AssetTerm.objects.get_or_create(asset=asset, term=term, defaults={"added_by": actor})
            if made or link.source != AssetTerm.Source.HUMAN:
                AssetTerm.objects.filter(pk=link.pk).update(source=AssetTerm.Source.HUMAN, confidence=None)
                diff.setdefault("terms_added", []).append(term.uri)
        if removed and AssetTerm.objects.filter(asset=asset, term__in=removed).delete()[0]:
            diff["terms_removed"] = sorted(t.uri for t in removed)
        if collection is not None and collection.pk != asset.collection_id:
            diff["collection"] = [asset.collection_id, collection.pk]
            asset.collection = collection
        if metadata:
            try:
                new = schema.clean_metadata({**(asset.metadata or {}), **metadata}, asset_type=asset.asset_type,
                                            collection=asset.collection)
            except ValidationError as exc:
                errors.append(f"“{asset.title}”: {' '.join(exc.messages)}")
                continue
            new = {k: v for k, v in new.items() if not schema.is_empty(v)}
            if new != asset.metadata:
                diff["metadata"] = [asset.metadata, new]
                asset.metadata = new
        if diff:
            asset.revision += 1
            asset.save(update_fields=["collection", "metadata", "revision", "updated_at"])
            audit.record("assets.asset.bulk_updated", actor=actor, target=asset, batch=batch, changes=diff)
            changed += 1
    if errors:
        raise ValidationError(errors)
    return changed
