"""Reads for BagIt exports, always through the permission authority."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet

from accounts import permissions as authority
from accounts.models import AuditEvent, User
from accounts.permissions import Cap
from archive.models import BagExport
from assets.models import Asset, AssetTerm, AssetVersion, Collection, Rendition
from workflows.models import Review


def assets_for_export(user: User | None, *, asset: Asset | None = None,
                      collection: Collection | None = None) -> QuerySet[Asset]:
    """The assets a bag holds: the one asset, or everything in the folder and its sub-folders, that `user`
    may see (None: the system, everything, archived assets included)."""
    assets = Asset.objects.all() if user is None else authority.visible(user, Asset.objects.all())
    if asset is not None:
        assets = assets.filter(pk=asset.pk)
    elif collection is not None:
        assets = assets.filter(collection__path__startswith=collection.path)
    return assets.select_related("collection", "owner", "team", "current_version", "approved_version").order_by("pk")


@dataclass
class Chunk:
    """What a run of assets brings into the bag, read in a handful of queries for the whole run (not per
    asset): their visible versions, term links, the approved versions' ready renditions and, when the
    requester may take it, review history and audit events."""

    versions: dict[int, list[AssetVersion]] = field(default_factory=lambda: defaultdict(list))
    terms: dict[int, list[AssetTerm]] = field(default_factory=lambda: defaultdict(list))
    renditions: dict[int, list[Rendition]] = field(default_factory=lambda: defaultdict(list))
    reviews: dict[int, list[Review]] = field(default_factory=lambda: defaultdict(list))
    events: dict[int, list[AuditEvent]] = field(default_factory=lambda: defaultdict(list))


def chunk_for_export(user: User | None, assets: list[Asset]) -> Chunk:
    ids = [asset.pk for asset in assets]
    chunk = Chunk()
    versions = AssetVersion.objects.filter(asset_id__in=ids)
    if user is not None:  # a viewer's bag: the approved versions only (VersionPolicy)
        versions = authority.visible(user, versions)
    for version in versions.select_related("uploaded_by").order_by("asset_id", "number"):
        chunk.versions[version.asset_id].append(version)
    for link in AssetTerm.objects.filter(asset_id__in=ids).select_related("term__vocabulary").order_by("term__uri"):
        chunk.terms[link.asset_id].append(link)
    approved = [a.approved_version_id for a in assets if a.approved_version_id]
    for rendition in Rendition.objects.filter(version_id__in=approved, status=Rendition.Status.READY,
                                              variant="").exclude(file="").order_by("preset"):
        chunk.renditions[rendition.version_id].append(rendition)
    if not may_take_history(user):
        return chunk
    version_asset = {v.pk: v.asset_id for vs in chunk.versions.values() for v in vs}
    reviews = (Review.objects.filter(version_id__in=list(version_asset)).select_related("policy", "submitted_by")
               .prefetch_related("decisions__reviewer").order_by("created_at", "pk"))
    review_asset = {}
    for review in reviews:
        chunk.reviews[version_asset[review.version_id]].append(review)
        review_asset[review.pk] = version_asset[review.version_id]
    kinds = ContentType.objects.get_for_models(Asset, AssetVersion, Review)
    about = (Q(target_type=kinds[Asset], target_id__in=[str(pk) for pk in ids])
             | Q(target_type=kinds[AssetVersion], target_id__in=[str(pk) for pk in version_asset])
             | Q(target_type=kinds[Review], target_id__in=[str(pk) for pk in review_asset]))
    owners = {kinds[Asset].pk: {pk: pk for pk in ids}, kinds[AssetVersion].pk: version_asset,
              kinds[Review].pk: review_asset}
    for event in AuditEvent.objects.filter(about).select_related("actor").order_by("created_at", "pk"):
        asset_id = owners.get(event.target_type_id or 0, {}).get(int(event.target_id))
        if asset_id is not None:
            chunk.events[asset_id].append(event)
    return chunk


def may_take_history(user: User | None) -> bool:
    """Review history and audit events go into the bags of the system and of those who archive (admins,
    librarians, brand managers); others' bags carry the asset as they see it, without who-did-what."""
    return user is None or authority.can(user, Cap.ARCHIVE)


def exports_of(user: Any) -> QuerySet[BagExport]:
    """A person's own export jobs, newest first (admins see everyone's)."""
    return authority.visible(user, BagExport.objects.all()).select_related("requested_by", "asset", "collection")


def access_export(user: Any, pk: int, action: str = "view") -> BagExport:
    return authority.access(user, BagExport.objects.select_related("requested_by"), action, pk=pk)
