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
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import permissions as authority
from accounts.models import User
from assets import downloads, ingest, naming, selectors, services
from assets.files import FileRejected, FileTooLarge
from assets.filters import AssetFilter
from assets.models import Asset, AssetVersion, Collection, IngestBatch, IngestItem, OnDuplicate, Rendition
from assets.permissions import GRANT_LEVELS
from assets.search import selectors as search_selectors
from dam.api import Conflict, Pagination, PayloadTooLarge
from dam.http import AuthedRequest


class CollectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Collection
        fields = ["id", "name", "description", "parent", "path", "created_at"]
        read_only_fields = fields


class CollectionCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    # A field named "parent" shadows Serializer.parent for the type checker only; DRF moves it into fields.
    parent = serializers.PrimaryKeyRelatedField(  # type: ignore[assignment]
        queryset=Collection.objects.all(), required=False, allow_null=True)


def rendition_links(request: Request, version: AssetVersion) -> dict[str, Any]:
    """Where to fetch the original and each rendition of a version, with each one's state."""
    base = request.build_absolute_uri(f"/api/v1/assets/{version.asset.uid}/download/")
    links: dict[str, Any] = {
        "original": {"status": "ready", "url": f"{base}?rendition=original&version={version.number}", "error": None}
    }
    for r in version.renditions.all():
        ready = r.status == Rendition.Status.READY
        links[r.preset] = {"status": r.status, "url": f"{base}?rendition={r.preset}&version={version.number}"
                           if ready else None, "error": r.error or None}
    return links


class VersionSerializer(serializers.ModelSerializer):
    uploaded_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(slug_field="username",
                                                                                    read_only=True)
    renditions = serializers.SerializerMethodField()

    class Meta:
        model = AssetVersion
        fields = ["id", "number", "original_filename", "sha256", "size", "mime_type", "width", "height", "duration",
                  "pages", "review_state", "change_note", "uploaded_by", "created_at", "embedded_metadata",
                  "renditions"]
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


class AssetTermSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="term.id")
    uri = serializers.CharField(source="term.uri")
    # Fields named "label" and "source" shadow Field attributes for the type checker only; DRF moves them into fields.
    label = serializers.CharField(source="term.label")  # type: ignore[assignment]
    vocabulary = serializers.IntegerField(source="term.vocabulary_id")
    source = serializers.CharField()  # type: ignore[assignment]
    confidence = serializers.FloatField(allow_null=True)


class AssetSerializer(serializers.ModelSerializer):
    collection: serializers.PrimaryKeyRelatedField[Collection] = serializers.PrimaryKeyRelatedField(read_only=True)
    owner: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(slug_field="username", read_only=True)
    current_version = serializers.SerializerMethodField()
    approved_version = VersionSerializer(read_only=True)
    rights = serializers.SerializerMethodField()
    renditions = serializers.SerializerMethodField()
    etag = serializers.CharField(read_only=True)
    terms = serializers.SerializerMethodField()

    class Meta:
        model = Asset
        fields = ["uid", "title", "description", "asset_type", "collection", "owner", "campaign", "rights",
                  "metadata", "terms", "current_version", "approved_version", "renditions", "archived_at", "created_at",
                  "updated_at", "etag"]
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

    @extend_schema_field(RightsSerializer)
    def get_rights(self, asset: Asset) -> dict[str, Any]:
        return RightsSerializer(asset).data


class AssetCreateSerializer(serializers.Serializer):
    file = serializers.FileField()
    title = serializers.CharField(required=False, allow_blank=True, max_length=300)
    description = serializers.CharField(required=False, allow_blank=True)
    collection = serializers.PrimaryKeyRelatedField(queryset=Collection.objects.all(), required=False)
    campaign = serializers.CharField(required=False, allow_blank=True, max_length=200)
    licence = serializers.CharField(required=False, allow_blank=True, max_length=200)
    rights_holder = serializers.CharField(required=False, allow_blank=True, max_length=200)
    usage_terms = serializers.CharField(required=False, allow_blank=True)
    on_duplicate = serializers.ChoiceField(choices=OnDuplicate.choices, default=OnDuplicate.REPORT,
                                           help_text="When the same bytes are already in the DAM: report it "
                                                     "(409), add a new revision of that asset, or keep both.")


class AssetUpdateSerializer(RightsSerializer):
    title = serializers.CharField(required=False, max_length=300)
    description = serializers.CharField(required=False, allow_blank=True)
    collection = serializers.PrimaryKeyRelatedField(queryset=Collection.objects.all(), required=False)
    campaign = serializers.CharField(required=False, allow_blank=True, max_length=200)
    metadata = serializers.DictField(required=False)
    terms = serializers.ListField(child=serializers.CharField(max_length=500), required=False,
                                  help_text="Term URIs or ids; replaces the asset's human-assigned terms.")
    rights = RightsSerializer(required=False)
    etag = serializers.CharField(required=False)


class VersionCreateSerializer(serializers.Serializer):
    file = serializers.FileField()
    change_note = serializers.CharField(required=False, allow_blank=True)


def _ingest_errors(exc: Exception) -> Exception:
    """Translate ingest refusals into API errors with the right status."""
    if isinstance(exc, FileTooLarge):
        return PayloadTooLarge({"detail": str(exc), "errors": {"file": [str(exc)]}})
    if isinstance(exc, FileRejected):
        return serializers.ValidationError({"file": [str(exc)]})
    if isinstance(exc, services.VersionRefused):
        return Conflict(str(exc))
    if isinstance(exc, services.DuplicateFile):
        return Conflict({"detail": str(exc), "duplicate_of": str(exc.existing.uid) if exc.visible else None})
    return exc


def _visible_collection(user: User, collection: Collection | None) -> Collection | None:
    if collection is None:
        return None
    return authority.access(user, Collection.objects.all(), "view", pk=collection.pk)


class AssetListCreate(APIView):
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(responses=AssetSerializer(many=True), parameters=[
        OpenApiParameter(name, str if kind is None else kind, many=name == "term")
        for name, kind in (("q", None), ("type", None), ("collection", int), ("status", None), ("term", int),
                           ("rights", None), ("orientation", None), ("uploaded", None),
                           ("uploaded_after", OpenApiTypes.DATE), ("uploaded_before", OpenApiTypes.DATE),
                           ("captured_after", OpenApiTypes.DATE), ("captured_before", OpenApiTypes.DATE),
                           ("make", None), ("camera_model", None), ("file_type", None), ("color", None),
                           ("color_family", None), ("ordering", None), ("facets", None))])
    def get(self, request: AuthedRequest) -> Response:
        """Search: the page of results, plus `facets` (send facets=0 to skip them) and `search` (how q was read)."""
        user = request.user
        filterset = AssetFilter(request.query_params, queryset=search_selectors.assets_for_api_list(user),
                                collections=selectors.collections_visible_to(user), request=request,
                                index_scope=selectors.LIVE)  # assets_for_api_list is the live list
        if not filterset.is_valid():
            raise serializers.ValidationError(filterset.errors)
        want_facets = request.query_params.get("facets", "1") not in ("0", "false", "no")
        found_facets = search_selectors.facets_for(filterset, user) if want_facets else {}
        # The facet statement counted the results.
        paginator = Pagination(count=filterset.matched_count, ids=filterset.result_ids(), rows=filterset.queryset)
        page = paginator.paginate_queryset(filterset.qs, request, view=self)
        data = AssetSerializer(page, many=True, context={"request": request}).data
        response = paginator.get_paginated_response(data)
        response.data["facets"] = found_facets
        response.data["search"] = {"understood": filterset.parsed.understood,
                                   "did_you_mean": filterset.parsed.suggestions}
        return response

    @extend_schema(request=AssetCreateSerializer, responses={201: AssetSerializer})
    def post(self, request: AuthedRequest) -> Response:
        payload = AssetCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        collection = _visible_collection(request.user, data.pop("collection", None))
        if collection is None:
            collection = selectors.collections_for_upload(request.user).order_by("path").first()
            if collection is None:
                authority.require(request.user, "create", Asset)
                raise serializers.ValidationError({"collection": ["There is no collection you may add assets to."]})
        upload = data.pop("file")
        # A batch of one, so an API upload leaves the same per-file record as the upload page.
        batch = ingest.batch_create(actor=request.user, collection=collection, on_duplicate=data.pop("on_duplicate"),
                                    source=IngestBatch.Source.API)
        result = ingest.batch_add_file(batch=batch, fileobj=upload, filename=upload.name, actor=request.user,
                                       fields=data)[0]
        if result.item.outcome not in (IngestItem.Outcome.CREATED, IngestItem.Outcome.NEW_VERSION):
            error = result.error or FileRejected(result.item.reason)
            if isinstance(error, (FileRejected, services.DuplicateFile)):
                raise _ingest_errors(error) from error
            raise error
        asset = selectors.access_asset_to_serialize(request.user, result.item.asset.uid)  # type: ignore[union-attr]
        body = AssetSerializer(asset, context={"request": request}).data
        body["naming_advice"] = naming.ingest_advice(asset)  # None when the name follows the convention
        return Response(body, status=status.HTTP_201_CREATED, headers={"X-Ingest-Batch": str(batch.pk)})


class AssetDetail(APIView):
    @extend_schema(responses=AssetSerializer)
    def get(self, request: AuthedRequest, uid: str) -> Response:
        asset = selectors.access_asset_to_serialize(request.user, uid)
        return Response(AssetSerializer(asset, context={"request": request}).data, headers={"ETag": asset.etag})

    @extend_schema(request=AssetUpdateSerializer, responses=AssetSerializer)
    def patch(self, request: AuthedRequest, uid: str) -> Response:
        asset = selectors.access_asset(request.user, uid)
        payload = AssetUpdateSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        changes = dict(payload.validated_data)
        changes.update(changes.pop("rights", {}))
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


class VersionListCreate(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(responses=VersionSerializer(many=True))
    def get(self, request: AuthedRequest, uid: str) -> Response:
        asset = selectors.access_asset(request.user, uid)
        versions = selectors.versions_of(request.user, asset)
        return Response(VersionSerializer(versions, many=True, context={"request": request}).data)

    @extend_schema(request=VersionCreateSerializer, responses={201: VersionSerializer})
    def post(self, request: AuthedRequest, uid: str) -> Response:
        asset = selectors.access_asset(request.user, uid)
        payload = VersionCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        upload = payload.validated_data["file"]
        try:
            version = services.version_create(asset=asset, fileobj=upload, filename=upload.name, actor=request.user,
                                              change_note=payload.validated_data.get("change_note", ""))
        except (FileRejected, services.DuplicateFile, services.VersionRefused) as exc:
            raise _ingest_errors(exc) from exc
        return Response(VersionSerializer(version, context={"request": request}).data, status=status.HTTP_201_CREATED)


class AssetDownload(APIView):
    @extend_schema(parameters=[OpenApiParameter("rendition", str, enum=list(downloads.CHOICES)),
                               OpenApiParameter("version", int)], responses={(200, "application/octet-stream"): bytes})
    def get(self, request: AuthedRequest, uid: str) -> HttpResponseBase:
        asset = selectors.access_asset(request.user, uid, "download")
        version = selectors.version_shown_to(request.user, asset)
        number = request.query_params.get("version")
        if number:
            if not number.isdigit():
                raise serializers.ValidationError({"version": ["Give a version number."]})
            version = get_object_or_404(selectors.versions_of(request.user, asset), number=int(number))
        if version is None:
            raise serializers.ValidationError({"version": ["This asset has no version you may download."]})
        return downloads.version_download(version, request.query_params.get("rendition", downloads.ORIGINAL),
                                          user=request.user)


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
