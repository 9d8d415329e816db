"""Actions on collections, assets and versions.

Each takes a keyword-only `actor` (None = the system), checks it with the
permission authority, runs in a transaction and writes one audit event.
"""
from __future__ import annotations

from typing import IO, Any

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django_q.tasks import async_task
from guardian.shortcuts import assign_perm, remove_perm

from accounts import audit
from accounts import permissions as authority
from accounts.models import User
from assets import files, signals
from assets.models import Asset, AssetVersion, Collection, Rendition, original_upload_to
from assets.permissions import GRANT_LEVELS

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
    return default_storage.save(original_upload_to(None, ""), File(fileobj))  # type: ignore[arg-type]


def _new_version(asset: Asset, *, key: str, info: files.Inspection, filename: str, actor: User | None,
                 change_note: str) -> AssetVersion:
    number = (asset.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    previous_id = asset.current_version_id
    version = AssetVersion.objects.create(
        asset=asset, number=number, file=key, original_filename=filename, sha256=info.sha256, size=info.size,
        mime_type=info.mime_type, width=info.width, height=info.height, uploaded_by=actor, change_note=change_note,
    )
    asset.current_version = version
    asset.save(update_fields=["current_version", "updated_at"])
    if version.is_image:
        version_ids = [version.pk]
        transaction.on_commit(lambda: queue_renditions(version_ids))
    news = {"version_id": version.pk, "previous_version_id": previous_id, "actor_id": actor.pk if actor else None}
    transaction.on_commit(lambda: signals.version_created.send(sender=AssetVersion, **news))
    return version


def asset_create(*, fileobj: IO[bytes], filename: str, actor: User | None, collection: Collection,
                 title: str = "", description: str = "", allow_duplicate: bool = False,
                 **fields: Any) -> Asset:
    """Ingest one file as a new asset with version 1."""
    if actor is not None:
        authority.require(actor, "contribute", collection)
    info = files.inspect(fileobj, filename)
    if not allow_duplicate:
        _find_duplicate(info.sha256, actor)
    display_name = files.clean_display_name(filename)
    key = _store(fileobj)
    try:
        with transaction.atomic():
            asset = Asset.objects.create(
                title=(title.strip() or display_name.rsplit(".", 1)[0])[:300], description=description,
                collection=collection, asset_type=info.asset_type, owner=actor,
                **{k: v for k, v in fields.items() if k in EDITABLE_FIELDS and v is not None},
            )
            version = _new_version(asset, key=key, info=info, filename=display_name, actor=actor, change_note="")
            audit.record("assets.asset.created", actor=actor, target=asset, version=version.number,
                         sha256=info.sha256, filename=display_name, collection=collection.pk)
    except BaseException:
        default_storage.delete(key)  # no orphan object when the rows could not be written
        raise
    return asset


def version_create(*, asset: Asset, fileobj: IO[bytes], filename: str, actor: User | None,
                   change_note: str = "") -> AssetVersion:
    """Upload a new revision of an asset; it becomes the current version, in draft."""
    if actor is not None:
        authority.require(actor, "add_version", asset)
    info = files.inspect(fileobj, filename)
    current = asset.current_version
    if current is not None and current.sha256 == info.sha256:
        raise DuplicateFile(asset, True)
    display_name = files.clean_display_name(filename)
    key = _store(fileobj)
    try:
        with transaction.atomic():
            asset = Asset.objects.select_for_update().get(pk=asset.pk)  # serialises version numbering
            version = _new_version(asset, key=key, info=info, filename=display_name, actor=actor,
                                   change_note=change_note)
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
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({field: "This field cannot be edited." for field in unknown})
    new_collection = changes.get("collection")
    if new_collection is not None and new_collection.pk != locked.collection_id and actor is not None:
        authority.require(actor, "contribute", new_collection)
    diff = {}
    for field, value in changes.items():
        old = getattr(locked, field)
        if old != value:
            setattr(locked, field, value)
            diff[field] = [_jsonable(old), _jsonable(value)]
    if diff:
        locked.revision += 1
        locked.full_clean()
        locked.save(update_fields=[*diff, "revision", "updated_at"])
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
    """Queue rendition jobs; call only after the version's transaction commits."""
    for version_id in version_ids:
        for preset in Rendition.Preset:
            Rendition.objects.get_or_create(version_id=version_id, preset=preset)
            async_task("assets.tasks.rendition_generate_task", version_id, preset.value,
                       task_name=f"rendition-{version_id}-{preset.value}", group="renditions")


def rendition_generate(*, version_id: int, preset: str) -> Rendition | None:
    """Make (or remake) one rendition; safe to run twice. A failure is recorded, never raised."""
    from assets import renditions

    version = AssetVersion.objects.filter(pk=version_id).first()
    if version is None:
        return None  # the version was purged after the job was queued
    rendition, _ = Rendition.objects.get_or_create(version=version, preset=preset)
    if rendition.status == Rendition.Status.READY and rendition.file:
        return rendition
    try:
        made = renditions.render(version, preset)
    except renditions.RenditionFailed as exc:
        Rendition.objects.filter(pk=rendition.pk).update(status=Rendition.Status.FAILED, error=str(exc)[:500],
                                                        updated_at=timezone.now())
        return rendition
    old_name = rendition.file.name if rendition.file else ""
    Rendition.objects.filter(pk=rendition.pk).update(
        status=Rendition.Status.READY, file=made.name, mime_type=made.mime_type, width=made.width,
        height=made.height, size=made.size, error="", updated_at=timezone.now())
    if old_name and old_name != made.name:
        default_storage.delete(old_name)
    if preset == Rendition.Preset.THUMB:
        from assets import colors

        colors.record_dominant_colors(version_id=version.pk, rendition_name=made.name)
    rendition.refresh_from_db()
    return rendition
