"""Throwing away what was never in use: a person's own draft nobody was asked to review, an empty folder.

Everything that ever went to review is archived instead (archive app), a decision made in the UI. These
exist for the WebDAV drive, where a desktop app deletes the file it just created, and a person tidies the
folders they made.
"""
from __future__ import annotations

import logging
from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.db import transaction

from accounts import audit
from accounts import permissions as authority
from accounts.models import User
from assets.models import Asset, AssetVersion, Collection, Rendition, StorageTier
from assets.originals import tier_storage

logger = logging.getLogger(__name__)

# Apps above assets whose rows point at folders and must outlive them (ingest's upload history) register here:
# each is called with the folders about to go and the folder that stays above them (None at the top), inside
# the deleting transaction, and re-points its rows or raises ValidationError to refuse.
before_collection_delete: list[Callable[[list[Collection], Collection | None], None]] = []


def _stored_files(assets: list[Asset]) -> list[tuple[str, str]]:
    versions = AssetVersion.objects.filter(asset__in=assets)
    stored = {(version.storage_tier, version.file.name) for version in versions.exclude(file="")}
    stored |= {(StorageTier.PRIMARY, name) for name in
               Rendition.objects.filter(version__in=versions).exclude(file="").values_list("file", flat=True)}
    return sorted(stored)


def _delete_rows_then_files(assets: list[Asset]) -> None:
    stored = _stored_files(assets)
    ids = [asset.pk for asset in assets]
    # current_version / approved_version point into the versions being deleted: cleared first, so the delete
    # does not trip over its own foreign keys on databases that check them at once.
    Asset.objects.filter(pk__in=ids).update(current_version=None, approved_version=None)
    Asset.objects.filter(pk__in=ids).delete()
    keys = {name for _, name in stored}
    shared = set(AssetVersion.objects.filter(file__in=keys).values_list("file", flat=True))
    doomed = [(tier, name) for tier, name in stored if name not in shared]
    transaction.on_commit(lambda: _delete_files(doomed))


def _delete_files(stored: list[tuple[str, str]]) -> None:
    for tier, key in stored:
        try:
            tier_storage(tier).delete(key)
        except Exception:  # the rows are gone: the storage sweep removes what is left
            logger.exception("Could not delete %s after a discard; the storage sweep will remove it", key)


@transaction.atomic
def asset_discard(*, asset: Asset, actor: User | None) -> None:
    """Delete one's own never-submitted draft for good: its versions, renditions and files."""
    asset = Asset.objects.select_for_update().get(pk=asset.pk)
    if actor is not None:
        authority.require(actor, "discard", asset)
    audit.record("assets.asset.discarded", actor=actor, target=asset, uid=str(asset.uid), title=asset.title,
                 collection=asset.collection_id)
    _delete_rows_then_files([asset])


@transaction.atomic
def collection_delete(*, collection: Collection, actor: User | None) -> None:
    """Delete a folder and its sub-folders: for one who manages it, when every asset under it (archived ones
    too) is one they may discard, which are discarded with it."""
    if actor is not None:
        authority.require(actor, "manage", collection)
    folders = list(Collection.objects.select_for_update().filter(path__startswith=collection.path))
    assets = list(Asset.objects.select_for_update().filter(collection__in=folders))
    if actor is not None and any(not authority.can(actor, "discard", asset) for asset in assets):
        raise PermissionDenied("This folder holds assets that are in use or not yours: archive them in the "
                               "DAM first.")
    for hook in before_collection_delete:
        hook(folders, collection.parent)
    for asset in assets:
        audit.record("assets.asset.discarded", actor=actor, target=asset, uid=str(asset.uid), title=asset.title,
                     collection=asset.collection_id)
    _delete_rows_then_files(assets)
    audit.record("assets.collection.deleted", actor=actor, target=collection, name=collection.name,
                 path=collection.path, folders=len(folders), assets=len(assets))
    # Deepest first: each folder's parent is PROTECTed while it has children.
    for folder in sorted(folders, key=lambda f: f.path.count("/"), reverse=True):
        folder.delete()
