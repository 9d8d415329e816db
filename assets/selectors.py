"""Read queries for collections and assets, always through the permission authority."""
from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from accounts import permissions as authority
from accounts.audit import events_for
from accounts.models import AuditEvent
from assets import colors, similarity
from assets.models import (
    Asset,
    AssetTerm,
    AssetVersion,
    Collection,
    CollectionGroupObjectPermission,
    CollectionUserObjectPermission,
    Rendition,
    ReviewState,
    StorageSweep,
)
from assets.permissions import collections_with_grant
from taxonomy.schema import missing_fields


def assets_visible_to(user: Any) -> QuerySet[Asset]:
    """Every asset the user may see, with what a list row needs (no N+1)."""
    # The thumbnail made, or the one that could not be (the card says "preview unavailable", not "processing").
    thumbs = Rendition.objects.filter(preset=Rendition.Preset.THUMB, variant="",
                                      status__in=[Rendition.Status.READY, Rendition.Status.FAILED])
    return authority.visible(user, Asset.objects.all()).select_related(
        "collection", "owner", "current_version", "approved_version"
    ).prefetch_related(
        Prefetch("current_version__renditions", queryset=thumbs, to_attr="thumbs"),
        # Same attribute on the other version (django-stubs files both under Asset).
        Prefetch("approved_version__renditions", queryset=thumbs, to_attr="thumbs"),  # type: ignore[no-redef]
    )


def with_terms(assets: QuerySet[Asset]) -> QuerySet[Asset]:
    """Assets with their term links and terms, for readers that show or export them (the API, CSV).

    Not in assets_visible_to: the list page's cards show no terms, and their links were
    ~700 model instances per page of 48 (one search page at 200,000 assets: 115-117 ->
    104-106 ms without them).
    """
    return assets.prefetch_related(Prefetch("term_links", queryset=AssetTerm.objects.select_related("term")))


# What lists and search show of what a user may see: not archived (the archive has its own screen). On a
# column SearchDocument copies too, so a search can apply it to index rows (AssetFilter index_scope).
LIVE = Q(archived_at__isnull=True)


def live_assets_visible_to(user: Any) -> QuerySet[Asset]:
    """What lists and search show: visible and not archived."""
    return assets_visible_to(user).filter(LIVE)


# What no card or list row shows, and what can be large: the asset's free metadata and channels, and each
# version's embedded metadata (a camera file's whole EXIF, IPTC and XMP) and colours. At 1,000,000 assets,
# decoding them took ~8 ms of a search page's 48 cards.
CARD_DEFERRED = ("metadata", "channels", *(f"{version}__{field}" for version in ("current_version", "approved_version")
                                           for field in ("embedded_metadata", "dominant_colors")))


def live_cards_visible_to(user: Any) -> QuerySet[Asset]:
    """What lists and search show, as cards and list rows read it (assets/_card.html, the table view):
    live_assets_visible_to without CARD_DEFERRED."""
    return live_assets_visible_to(user).defer(*CARD_DEFERRED)


def _one_asset() -> QuerySet[Asset]:
    return with_terms(Asset.objects.select_related("collection", "owner", "current_version", "approved_version"))


def access_asset(user: Any, uid: Any, action: str = "view") -> Asset:
    """Fetch one asset by uid and check `action`: 404 if unseen, 403 if not allowed."""
    return authority.access(user, _one_asset(), action, uid=uid)


def with_versions_to_serialize(assets: QuerySet[Asset]) -> QuerySet[Asset]:
    """Assets with what the API's AssetSerializer reads of both versions (their asset, uploader and
    renditions), so that one asset, or a page of them, costs the same queries whatever they hold."""
    return assets.select_related(
        "updated_by", "current_version__asset", "approved_version__asset", "current_version__uploaded_by",
        "approved_version__uploaded_by",
    ).prefetch_related("current_version__renditions", "approved_version__renditions")


def access_asset_to_serialize(user: Any, uid: Any, action: str = "view") -> Asset:
    """access_asset, for an API answer that serializes the asset (with_versions_to_serialize)."""
    return authority.access(user, with_versions_to_serialize(_one_asset()), action, uid=uid)


def version_shown_to(user: Any, asset: Asset) -> AssetVersion | None:
    """The version a user works with: the current one if they may see it, else the approved one."""
    if asset.current_version and (
        authority.can(user, authority.Cap.SEE_UNAPPROVED) or asset.owner_id == user.pk
    ):
        return asset.current_version
    return asset.approved_version


def with_shown_versions(user: Any, assets: Any) -> Any:
    """Set `asset.shown` (the version this user sees) on each asset of a fetched page, for templates."""
    for asset in assets:
        asset.shown = version_shown_to(user, asset)
    return assets


def versions_of(user: Any, asset: Asset) -> QuerySet[AssetVersion]:
    return authority.visible(user, asset.versions.all()).select_related("uploaded_by").prefetch_related("renditions")


def rendition_for(version: AssetVersion, preset: str) -> Rendition | None:
    """One of the version's standard renditions (thumb, preview, web)."""
    return version.renditions.filter(preset=preset, variant="").first()


def collections_visible_to(user: Any) -> QuerySet[Collection]:
    return authority.visible(user, Collection.objects.all())


def collections_for_upload(user: Any) -> QuerySet[Collection]:
    """The folders this user may add assets to."""
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


def dashboard_counts(user: Any) -> dict[str, int | None]:
    """The dashboard's numbers over the assets the user sees; drafts and in review (None otherwise) for
    those who see unapproved work or make their own.

    The review states are counted apart, from the versions in those states, and only for whom they
    are shown: in one statement with the rest, every visible asset was joined to its current version
    (at 1,000,000 assets, 6 % of them in those states: 0.54-0.95 s a dashboard, against 0.11-0.22 s
    now for a viewer and 0.42-0.47 s for an editor).
    """
    visible = authority.visible(user, Asset.objects.all())
    counts: dict[str, int | None] = visible.aggregate(
        total=Count("pk"), approved=Count("pk", filter=Q(approved_version__isnull=False)),
        mine=Count("pk", filter=Q(owner=user)))
    counts["drafts"] = counts["in_review"] = None
    if authority.can(user, authority.Cap.SEE_UNAPPROVED) or authority.can(user, authority.Cap.UPLOAD):
        states = dict(visible.filter(current_version__review_state__in=[ReviewState.DRAFT, ReviewState.IN_REVIEW])
                      .values_list("current_version__review_state").annotate(n=Count("pk")).order_by())
        counts["drafts"], counts["in_review"] = states.get(ReviewState.DRAFT, 0), states.get(ReviewState.IN_REVIEW, 0)
    return counts


def missing_required_fields(asset: Asset) -> list[str]:
    """Labels of the fields that must be filled before a revision may be submitted for review."""
    missing = []
    if not asset.title.strip():
        missing.append("Title")
    return missing + missing_fields(asset)


def history_of(user: Any, asset: Asset) -> QuerySet[AuditEvent]:
    """The asset's audit trail as this user may read it, newest first."""
    events = events_for(asset)
    if not authority.can(user, authority.Cap.SEE_UNAPPROVED) and asset.owner_id != user.pk:
        # Those who see only approved revisions must not learn of the others from the trail either.
        numbers = list(versions_of(user, asset).values_list("number", flat=True))
        events = events.filter(Q(data__version__in=numbers) | Q(data__version__isnull=True))
    return events


# --- near-duplicates ----------------------------------------------------------------

def versions_near(phash: str) -> list[tuple[int, int]]:
    """(distance, version id) of every version within similarity.THRESHOLD of `phash`, closest first.

    The candidates come from the hash's bands (assets.similarity) and are measured here, before
    any join: at 1,000,000 versions a band lookup lets in ~8,000, of which a handful are close.
    """
    mine = similarity.parse(phash)
    if mine is None:
        return []
    close = []
    for version_id, theirs in dict(similarity.candidates(AssetVersion.objects.all(), phash)).items():
        value = similarity.parse(theirs)
        if value is not None and (apart := similarity.distance(mine, value)) <= similarity.THRESHOLD:
            close.append((apart, version_id))
    return sorted(close)


# Versions looked up at once among the assets a user sees: a bound on the query's parameters (SQLite
# takes 32,766), reached only by pictures with thousands of near-twins (blank skies, white cards).
SIMILAR_CHUNK = 1000


def visually_similar(user: Any, asset: Asset, limit: int = 12) -> list[tuple[Asset, int]]:
    """Other visible assets whose picture is within similarity.THRESHOLD of this one's, closest first.

    Pictures are compared as this user sees them (approved versions for those who see only
    approved work), so nobody learns what an unseen revision looks like.
    """
    version = version_shown_to(user, asset)
    if version is None:
        return []
    seen = "current_version" if authority.can(user, authority.Cap.SEE_UNAPPROVED) else "approved_version"
    others = assets_visible_to(user).exclude(pk=asset.pk).order_by()
    close = versions_near(version.phash)
    found: list[tuple[int, int]] = []  # (distance, asset id), closest first
    for start in range(0, len(close), SIMILAR_CHUNK):
        chunk = dict((version_id, apart) for apart, version_id in close[start:start + SIMILAR_CHUNK])
        if len(found) >= limit and min(chunk.values()) > found[limit - 1][0]:
            break  # every version left is further away than the last asset kept
        shown = others.filter(**{f"{seen}_id__in": list(chunk)}).values_list("pk", f"{seen}_id")
        found = sorted(found + [(chunk[version_id], pk) for pk, version_id in shown])
    found = found[:limit]
    shown_assets = with_shown_versions(user, assets_visible_to(user).filter(pk__in=[pk for _, pk in found]))
    assets = {a.pk: a for a in shown_assets}
    return [(assets[pk], apart) for apart, pk in found if pk in assets]


def latest_storage_sweep(user: Any) -> StorageSweep | None:
    """The last comparison of the store with the database, for those who run the system (admins)."""
    if not authority.can(user, authority.Cap.ADMINISTER):
        return None
    return StorageSweep.objects.first()


def rights_holds(asset: Asset) -> list[str]:
    """Sentences for the asset page on what keeps the asset out of use for now (only those who may still see
    it read them): its rights have not started, or it is under embargo. Empty when nothing holds it back."""
    now = timezone.now()
    holds = []
    if asset.rights_start is not None and asset.rights_start > now:
        holds.append(f"Rights start on {timezone.localtime(asset.rights_start):%Y-%m-%d %H:%M}: until then it is "
                     "held back from viewers, share links, delivery URLs, the picker and pushes.")
    if asset.embargo_until is not None and asset.embargo_until > now:
        holds.append(f"Under embargo until {timezone.localtime(asset.embargo_until):%Y-%m-%d %H:%M}: until then it "
                     "is held back from viewers, share links, delivery URLs, the picker and pushes.")
    return holds


def colors_of(version: AssetVersion | None) -> list[dict[str, Any]]:
    """A version's dominant colours that count for colour search (share >= colors.MIN_SHARE), largest first,
    each with hex, share (0-1), percent (a whole number) and family, for the asset page and the API."""
    found = [c for c in (version.dominant_colors if version else None) or []
             if float(c.get("share", 0)) >= colors.MIN_SHARE]
    return [{"hex": str(c["hex"]), "share": float(c["share"]), "percent": round(float(c["share"]) * 100),
             "family": str(c["family"])} for c in sorted(found, key=lambda c: -float(c["share"]))]
