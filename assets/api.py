"""JSON API for collections, assets and versions. Views parse, call one service, and render."""
from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group
from django.db.models import QuerySet
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import permissions as authority
from accounts.models import User
from assets import downloads, selectors, services
from assets.models import Asset, AssetVersion, Collection, Rendition
from assets.permissions import GRANT_LEVELS
from dam.api import Conflict
from dam.http import AuthedRequest


class CollectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Collection
        fields = ["id", "name", "description", "parent", "path", "delivery", "created_at"]
        read_only_fields = fields


class CollectionDeliverySerializer(serializers.Serializer):
    delivery = serializers.ChoiceField(choices=Collection.Delivery.choices,
                                       help_text="How outside tools fetch its approved assets' delivery URLs.")


class CollectionCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    # A field named "parent" shadows Serializer.parent for the type checker only; DRF moves it into fields.
    parent = serializers.PrimaryKeyRelatedField(  # type: ignore[assignment]
        queryset=Collection.objects.all(), required=False, allow_null=True)


FORMAT_NAMES = {"image/jpeg": "jpeg", "image/png": "png", "image/webp": "webp", "image/avif": "avif"}


def rendition_links(request: Request, version: AssetVersion) -> dict[str, Any]:
    """Where to fetch the original and each rendition of a version, with each one's state."""
    base = request.build_absolute_uri(f"/api/v1/assets/{version.asset.uid}/download/")
    links: dict[str, Any] = {
        "original": {"status": "ready", "url": f"{base}?rendition=original&version={version.number}", "error": None}
    }
    # The standard renditions, then the download presets' derivatives made so far (the latest recipe of each).
    for r in sorted(version.renditions.all(), key=lambda r: (r.variant != "", r.updated_at)):
        if r.variant and r.preset in links and not links[r.preset].get("preset"):
            continue  # a preset named like a standard rendition: the standard one answers ?rendition=
        ready = r.status == Rendition.Status.READY
        query = f"preset={r.preset}" if r.variant else f"rendition={r.preset}"
        links[r.preset] = {"status": r.status, "url": f"{base}?{query}&version={version.number}" if ready else None,
                           "format": FORMAT_NAMES.get(r.mime_type, r.spec.get("format", "jpeg")),
                           "preset": bool(r.variant), "error": r.error or None, "attempts": r.attempts}
    return links


class VersionSerializer(serializers.ModelSerializer):
    uploaded_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(slug_field="username",
                                                                                    read_only=True)
    renditions = serializers.SerializerMethodField()

    class Meta:
        model = AssetVersion
        fields = ["id", "number", "original_filename", "sha256", "size", "mime_type", "width", "height", "duration",
                  "pages", "review_state", "change_note", "uploaded_by", "created_at", "embedded_metadata",
                  "renditions", "storage_tier", "storage_tier_since"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_renditions(self, version: AssetVersion) -> dict[str, Any]:
        return rendition_links(self.context["request"], version)


class RightsSerializer(serializers.Serializer):
    licence = serializers.CharField(required=False, allow_blank=True, max_length=200)
    rights_holder = serializers.CharField(required=False, allow_blank=True, max_length=200)
    usage_terms = serializers.CharField(required=False, allow_blank=True)
    channels = serializers.ListField(child=serializers.CharField(max_length=100), required=False)
    rights_expire_at = serializers.DateTimeField(required=False, allow_null=True)
    embargo_until = serializers.DateTimeField(required=False, allow_null=True)
    rights_start = serializers.DateTimeField(required=False, allow_null=True)
    credit_line = serializers.CharField(required=False, allow_blank=True, max_length=300)
    regions = serializers.ListField(child=serializers.CharField(max_length=100), required=False,
                                    help_text="Where the asset may be used (e.g. ISO country codes); empty: anywhere.")
    model_release = serializers.BooleanField(read_only=True, help_text="A model release document is on file.")
    property_release = serializers.BooleanField(read_only=True, help_text="A property release document is on file.")


class AssetTermSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="term.id")
    uri = serializers.CharField(source="term.uri")
    # Fields named "label" and "source" shadow Field attributes for the type checker only; DRF moves them into fields.
    label = serializers.CharField(source="term.label")  # type: ignore[assignment]
    vocabulary = serializers.IntegerField(source="term.vocabulary_id")
    source = serializers.CharField()  # type: ignore[assignment]
    confidence = serializers.FloatField(allow_null=True)


class ColorSerializer(serializers.Serializer):
    hex = serializers.CharField(help_text="#rrggbb")
    share = serializers.FloatField(help_text="The part of the picture in this colour, 0 to 1.")
    family = serializers.CharField(help_text="The named colour family (the colour facet's values).")


class AssetSerializer(serializers.ModelSerializer):
    collection: serializers.PrimaryKeyRelatedField[Collection] = serializers.PrimaryKeyRelatedField(read_only=True)
    owner: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(slug_field="username", read_only=True)
    updated_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, help_text="Who made the last edit (null: the system or nobody yet).")
    current_version = serializers.SerializerMethodField()
    approved_version = VersionSerializer(read_only=True)
    rights = serializers.SerializerMethodField()
    renditions = serializers.SerializerMethodField()
    etag = serializers.CharField(read_only=True)
    terms = serializers.SerializerMethodField()
    focal_point = serializers.SerializerMethodField()
    colors = serializers.SerializerMethodField()

    class Meta:
        model = Asset
        fields = ["uid", "title", "description", "asset_type", "collection", "owner", "campaign", "rights",
                  "metadata", "terms", "current_version", "approved_version", "renditions", "focal_point",
                  "colors", "archived_at", "created_at", "updated_at", "updated_by", "etag"]
        read_only_fields = fields

    def _shown(self, asset: Asset) -> AssetVersion | None:
        return selectors.version_shown_to(self.context["request"].user, asset)

    @extend_schema_field(VersionSerializer(allow_null=True))
    def get_current_version(self, asset: Asset) -> dict[str, Any] | None:
        version = self._shown(asset)
        return VersionSerializer(version, context=self.context).data if version else None

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_renditions(self, asset: Asset) -> dict[str, Any]:
        version = self._shown(asset)
        return rendition_links(self.context["request"], version) if version else {}

    @extend_schema_field(AssetTermSerializer(many=True))
    def get_terms(self, asset: Asset) -> list[dict[str, Any]]:
        # term_links (with term) is prefetched for lists (selectors.with_terms), so they make no query per asset.
        links = sorted(asset.term_links.all(), key=lambda link: link.term.label.casefold())
        return list(AssetTermSerializer(links, many=True).data)

    @extend_schema_field(ColorSerializer(many=True))
    def get_colors(self, asset: Asset) -> list[dict[str, Any]]:
        """The shown version's dominant colours, largest first: what "close to" and the colour facet search."""
        version = self._shown(asset)
        return list(ColorSerializer(selectors.colors_of(version), many=True).data)

    def get_focal_point(self, asset: Asset) -> list[float] | None:
        return [asset.focal_x, asset.focal_y] if asset.focal_x is not None and asset.focal_y is not None else None

    @extend_schema_field(RightsSerializer)
    def get_rights(self, asset: Asset) -> dict[str, Any]:
        return RightsSerializer(asset).data


class AssetUpdateSerializer(RightsSerializer):
    title = serializers.CharField(required=False, max_length=300)
    description = serializers.CharField(required=False, allow_blank=True)
    collection = serializers.PrimaryKeyRelatedField(queryset=Collection.objects.all(), required=False)
    campaign = serializers.CharField(required=False, allow_blank=True, max_length=200)
    metadata = serializers.DictField(required=False)
    terms = serializers.ListField(child=serializers.CharField(max_length=500), required=False,
                                  help_text="Term URIs or ids; replaces the asset's human-assigned terms.")
    rights = RightsSerializer(required=False)
    focal_point = serializers.ListField(
        child=serializers.FloatField(min_value=0, max_value=1), min_length=2, max_length=2, required=False,
        allow_null=True, help_text="[x, y] as fractions of the upright picture: crops keep it in frame; null clears.")
    etag = serializers.CharField(required=False)


def _visible_collection(user: User, collection: Collection | None) -> Collection | None:
    if collection is None:
        return None
    return authority.access(user, Collection.objects.all(), "view", pk=collection.pk)


class AssetDetail(APIView):
    @extend_schema(responses=AssetSerializer)
    def get(self, request: AuthedRequest, uid: str) -> Response:
        asset = selectors.access_asset_to_serialize(request.user, uid)
        return Response(AssetSerializer(asset, context={"request": request}).data, headers={"ETag": asset.etag})

    @extend_schema(request=AssetUpdateSerializer, responses=AssetSerializer, description=(
        "Edit the fields sent; the others stay as they are. Send the asset's `etag` (or an `If-Match` header "
        "with its ETag) to be refused with 409 when someone changed the asset since you read it. Without "
        "one the edit is applied over whatever is there now, as DESIGN.md's clients (CMS plugins that set "
        "one field) expect; the answer's `updated_by` and `updated_at` name the last edit."))
    def patch(self, request: AuthedRequest, uid: str) -> Response:
        asset = selectors.access_asset(request.user, uid)
        payload = AssetUpdateSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        changes = dict(payload.validated_data)
        changes.update(changes.pop("rights", {}))
        if "focal_point" in changes:
            focal = changes.pop("focal_point")
            changes["focal_x"], changes["focal_y"] = focal if focal else (None, None)
        etag = changes.pop("etag", None) or request.headers.get("If-Match")
        expected = _revision_from_etag(asset, etag)
        if "collection" in changes:
            changes["collection"] = _visible_collection(request.user, changes["collection"])
        try:
            asset = services.asset_update(asset=asset, actor=request.user, changes=changes,
                                          expected_revision=expected)
        except services.StaleEdit as exc:
            raise Conflict(str(exc)) from exc
        asset = selectors.access_asset_to_serialize(request.user, uid)
        return Response(AssetSerializer(asset, context={"request": request}).data, headers={"ETag": asset.etag})


def _revision_from_etag(asset: Asset, etag: str | None) -> int | None:
    if not etag:
        return None
    value = etag.strip().removeprefix("W/").strip('"')
    uid_hex, _, revision = value.rpartition("-")
    if uid_hex != asset.uid.hex or not revision.isdigit():
        raise Conflict("The ETag does not belong to this asset's current state. Reload and try again.")
    return int(revision)


class VersionList(APIView):
    """GET /api/v1/assets/{uid}/versions/ (POST, a new revision, is ingest's: dam.urls puts the two on one path)."""

    @extend_schema(responses=VersionSerializer(many=True))
    def get(self, request: AuthedRequest, uid: str) -> Response:
        asset = selectors.access_asset(request.user, uid)
        versions = selectors.versions_of(request.user, asset)
        return Response(VersionSerializer(versions, many=True, context={"request": request}).data)


class RenditionsRetry(APIView):
    """POST: make a version's failed renditions again (the shown version, or `?version=N`); 202."""

    @extend_schema(request=None, parameters=[OpenApiParameter("version", int)],
                   responses={202: OpenApiTypes.OBJECT})
    def post(self, request: AuthedRequest, uid: str) -> Response:
        asset = selectors.access_asset(request.user, uid, "retry_renditions")
        number = request.query_params.get("version")
        version = (get_object_or_404(selectors.versions_of(request.user, asset), number=int(number))
                   if number and number.isdigit() else selectors.version_shown_to(request.user, asset))
        if version is None:
            raise serializers.ValidationError({"version": ["This asset has no version you may see."]})
        asked = services.renditions_retry(version=version, actor=request.user)
        version = selectors.versions_of(request.user, asset).get(pk=version.pk)
        return Response({"version": version.number, "asked": sorted(r.preset for r in asked),
                         "renditions": rendition_links(request, version)}, status=status.HTTP_202_ACCEPTED)


class AssetDownload(APIView):
    @extend_schema(parameters=[OpenApiParameter("rendition", str, enum=list(downloads.CHOICES)),
                               OpenApiParameter("version", int)], responses={(200, "application/octet-stream"): bytes})
    def get(self, request: AuthedRequest, uid: str) -> HttpResponseBase:
        asset = selectors.access_asset(request.user, uid, "download")
        version = self.version_asked(request, asset)
        return downloads.version_download(version, request.query_params.get("rendition", downloads.ORIGINAL),
                                          user=request.user)

    @staticmethod
    def version_asked(request: AuthedRequest, asset: Asset) -> AssetVersion:
        """The version `?version=N` names, else the one the user is shown (approved for viewers)."""
        version = selectors.version_shown_to(request.user, asset)
        number = request.query_params.get("version")
        if number:
            if not number.isdigit():
                raise serializers.ValidationError({"version": ["Give a version number."]})
            version = get_object_or_404(selectors.versions_of(request.user, asset), number=int(number))
        if version is None:
            raise serializers.ValidationError({"version": ["This asset has no version you may download."]})
        return version


class CollectionListCreate(generics.ListCreateAPIView):
    serializer_class = CollectionSerializer

    def get_queryset(self) -> QuerySet[Collection]:
        return selectors.collections_visible_to(self.request.user).order_by("path")

    @extend_schema(request=CollectionCreateSerializer, responses={201: CollectionSerializer})
    def create(self, request: AuthedRequest, *args: Any, **kwargs: Any) -> Response:  # type: ignore[override]
        payload = CollectionCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        parent = _visible_collection(request.user, data.get("parent"))
        collection = services.collection_create(name=data["name"], parent=parent, description=data["description"],
                                                actor=request.user)
        return Response(CollectionSerializer(collection).data, status=status.HTTP_201_CREATED)


class CollectionDetail(generics.RetrieveAPIView):
    serializer_class = CollectionSerializer

    def get_queryset(self) -> QuerySet[Collection]:
        return selectors.collections_visible_to(self.request.user)

    @extend_schema(request=CollectionDeliverySerializer, responses=CollectionSerializer)
    def patch(self, request: AuthedRequest, pk: int) -> Response:
        """Change how its approved assets are delivered (admins)."""
        collection = authority.access(request.user, Collection.objects.all(), "set_delivery", pk=pk)
        payload = CollectionDeliverySerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.collection_set_delivery(collection=collection, actor=request.user, **payload.validated_data)
        return Response(CollectionSerializer(collection).data)


class GrantSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=list(GRANT_LEVELS))
    user = serializers.SlugRelatedField(slug_field="username", queryset=User.objects.all(), required=False)
    group = serializers.SlugRelatedField(slug_field="name", queryset=Group.objects.all(), required=False)


class CollectionGrants(APIView):
    @extend_schema(request=GrantSerializer, responses={204: None})
    def post(self, request: AuthedRequest, pk: int) -> Response:
        collection = authority.access(request.user, Collection.objects.all(), "grant", pk=pk)
        payload = GrantSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.collection_grant(collection=collection, actor=request.user, **payload.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=GrantSerializer, responses={204: None})
    def delete(self, request: AuthedRequest, pk: int) -> Response:
        collection = authority.access(request.user, Collection.objects.all(), "grant", pk=pk)
        payload = GrantSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.collection_revoke(collection=collection, actor=request.user, **payload.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)
