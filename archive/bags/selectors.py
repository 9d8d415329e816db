"""Reads for BagIt exports, always through the permission authority."""
from __future__ import annotations

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


def versions_for_export(user: User | None, asset: Asset) -> QuerySet[AssetVersion]:
    """The versions of an asset that go into `user`'s bag: those they may see (a viewer: the approved one)."""
    versions = asset.versions.all() if user is None else authority.visible(user, asset.versions.all())
    return versions.select_related("uploaded_by").order_by("number")


def terms_of(asset: Asset) -> QuerySet[AssetTerm]:
    return AssetTerm.objects.filter(asset=asset).select_related("term__vocabulary").order_by("term__uri")


def ready_renditions(version: AssetVersion) -> QuerySet[Rendition]:
    return version.renditions.filter(status=Rendition.Status.READY, variant="").exclude(file="").order_by("preset")


def may_take_history(user: User | None) -> bool:
    """Review history and audit events go into the bags of the system and of those who archive (admins,
    librarians, brand managers); others' bags carry the asset as they see it, without who-did-what."""
    return user is None or authority.can(user, Cap.ARCHIVE)


def reviews_of(versions: list[AssetVersion]) -> QuerySet[Review]:
    return (Review.objects.filter(version__in=versions).select_related("version", "policy", "submitted_by")
            .prefetch_related("decisions__reviewer").order_by("created_at", "pk"))


def events_of(asset: Asset, versions: list[AssetVersion], reviews: list[Review]) -> QuerySet[AuditEvent]:
    """The audit events about the asset, the exported versions and their reviews, oldest first."""
    kinds = ContentType.objects.get_for_models(Asset, AssetVersion, Review)
    about = (Q(target_type=kinds[Asset], target_id=str(asset.pk))
             | Q(target_type=kinds[AssetVersion], target_id__in=[str(v.pk) for v in versions])
             | Q(target_type=kinds[Review], target_id__in=[str(r.pk) for r in reviews]))
    return AuditEvent.objects.filter(about).select_related("actor", "target_type").order_by("created_at", "pk")


def exports_of(user: Any) -> QuerySet[BagExport]:
    """A person's own export jobs, newest first (admins see everyone's)."""
    return authority.visible(user, BagExport.objects.all()).select_related("requested_by", "asset", "collection")


def access_export(user: Any, pk: int, action: str = "view") -> BagExport:
    return authority.access(user, BagExport.objects.select_related("requested_by"), action, pk=pk)
