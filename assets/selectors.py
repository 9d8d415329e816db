"""Read queries for collections and assets, always through the permission authority."""
from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from accounts import permissions as authority
from accounts.models import AuditEvent
from assets.models import Asset, AssetTerm, AssetVersion, Collection, Rendition, ReviewState
from assets.schema import missing_fields


def assets_visible_to(user: Any) -> QuerySet[Asset]:
    """Every asset the user may see, with what a list row needs (no N+1)."""
    ready_renditions = Rendition.objects.filter(status=Rendition.Status.READY)
    return authority.visible(user, Asset.objects.all()).select_related(
        "collection", "owner", "current_version", "approved_version"
    ).prefetch_related(
        Prefetch("current_version__renditions", queryset=ready_renditions, to_attr="ready_renditions"),
        # Same attribute on the other version (django-stubs files both under Asset).
        Prefetch("approved_version__renditions", queryset=ready_renditions,
                 to_attr="ready_renditions"),  # type: ignore[no-redef]
        Prefetch("term_links", queryset=AssetTerm.objects.select_related("term")),
    )


def access_asset(user: Any, uid: Any, action: str = "view") -> Asset:
    """Fetch one asset by uid and check `action`: 404 if unseen, 403 if not allowed."""
    return authority.access(user, Asset.objects.select_related("collection", "owner", "current_version",
                                                                "approved_version").prefetch_related(
        Prefetch("term_links", queryset=AssetTerm.objects.select_related("term"))), action, uid=uid)


def version_shown_to(user: Any, asset: Asset) -> AssetVersion | None:
    """The version a user works with: the current one if they may see it, else the approved one."""
    if asset.current_version and (
        authority.can(user, authority.Cap.SEE_UNAPPROVED) or asset.owner_id == user.pk
    ):
        return asset.current_version
    return asset.approved_version


def versions_of(user: Any, asset: Asset) -> QuerySet[AssetVersion]:
    return authority.visible(user, asset.versions.all()).select_related("uploaded_by").prefetch_related("renditions")


def rendition_for(version: AssetVersion, preset: str) -> Rendition | None:
    return version.renditions.filter(preset=preset).first()


def collections_visible_to(user: Any) -> QuerySet[Collection]:
    return authority.visible(user, Collection.objects.all())


def collections_for_upload(user: Any) -> QuerySet[Collection]:
    """The folders this user may add assets to."""
    from assets.permissions import collections_with_grant

    if not authority.can(user, authority.Cap.UPLOAD):
        return Collection.objects.none()
    return collections_with_grant(user, "contribute")


def collection_tree(user: Any) -> list[Collection]:
    """Visible folders in tree order, each with its count of visible assets."""
    visible_assets = assets_visible_to(user).values("pk")
    return list(collections_visible_to(user).annotate(
        asset_count=Count("assets", filter=Q(assets__in=visible_assets), distinct=True)
    ).order_by("path"))


def collection_grants(collection: Collection) -> list[dict[str, Any]]:
    """Who holds which grant directly on this folder."""
    from assets.models import CollectionGroupObjectPermission, CollectionUserObjectPermission

    rows = [
        {"kind": "user", "grantee": p.user, "level": p.permission.codename.split("_")[0], "id": p.user_id}
        for p in CollectionUserObjectPermission.objects.filter(content_object=collection)
        .select_related("user", "permission")
    ] + [
        {"kind": "group", "grantee": p.group, "level": p.permission.codename.split("_")[0], "id": p.group_id}
        for p in CollectionGroupObjectPermission.objects.filter(content_object=collection)
        .select_related("group", "permission")
    ]
    return sorted(rows, key=lambda r: (r["kind"], str(r["grantee"]), r["level"]))


def dashboard_counts(user: Any) -> dict[str, int]:
    visible = authority.visible(user, Asset.objects.all())
    return visible.aggregate(
        total=Count("pk"),
        approved=Count("pk", filter=Q(approved_version__isnull=False)),
        drafts=Count("pk", filter=Q(current_version__review_state=ReviewState.DRAFT)),
        in_review=Count("pk", filter=Q(current_version__review_state=ReviewState.IN_REVIEW)),
        mine=Count("pk", filter=Q(owner=user)),
    )


def missing_required_fields(asset: Asset) -> list[str]:
    """Labels of the fields that must be filled before a revision may be submitted for review."""
    missing = []
    if not asset.title.strip():
        missing.append("Title")
    return missing + missing_fields(asset)


def history_of(asset: Asset) -> QuerySet[AuditEvent]:
    from accounts.audit import events_for

    return events_for(asset)
