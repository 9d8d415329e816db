"""JSON API for ingest: one file as a new asset or revision, and batches (open one, send files to it one
request each, read every file's outcome)."""
from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import permissions as authority
from assets import selectors as asset_selectors
from assets import services as asset_services
from assets.api import AssetSerializer, VersionSerializer
from assets.models import Asset, Collection
from dam.api import Conflict, Pagination, PayloadTooLarge
from dam.errors import StorageFull, StorageUnavailable
from dam.http import AuthedRequest
from ingest import selectors, services
from ingest.files import FileRejected, FileTooLarge
from ingest.models import ArchiveUnpacking, IngestBatch, IngestItem, OnDuplicate
from taxonomy import naming


class IngestItemSerializer(serializers.ModelSerializer):
    asset = serializers.SerializerMethodField()
    duplicate_of = serializers.SerializerMethodField()
    version = serializers.SerializerMethodField()

    class Meta:
        model = IngestItem
        fields = ["id", "filename", "archive", "entry", "size", "sha256", "outcome", "reason", "asset", "version",
                  "duplicate_of", "created_at"]
        read_only_fields = fields

    @staticmethod
    def _link(request: Request, asset: Asset | None) -> dict[str, Any] | None:
        if asset is None:
            return None
        return {"uid": str(asset.uid), "title": asset.title,
                "url": request.build_absolute_uri(asset.get_absolute_url()),
                "api": request.build_absolute_uri(reverse("api:asset", args=[asset.uid]))}

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_asset(self, item: IngestItem) -> dict[str, Any] | None:
        return self._link(self.context["request"], item.asset)

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_duplicate_of(self, item: IngestItem) -> dict[str, Any] | None:
        return self._link(self.context["request"], item.duplicate_of)

    @extend_schema_field(OpenApiTypes.INT)
    def get_version(self, item: IngestItem) -> int | None:
        return item.version.number if item.version else None


class ArchiveUnpackingSerializer(serializers.ModelSerializer):
    class Meta:
        model = ArchiveUnpacking
        fields = ["id", "filename", "entries", "done", "percent", "state", "error", "created_at", "finished_at"]
        read_only_fields = fields


class BatchFileAnswerSerializer(serializers.Serializer):
    batch = serializers.IntegerField()
    items = IngestItemSerializer(many=True)
    unpacking = ArchiveUnpackingSerializer(allow_null=True)


class IngestBatchSerializer(serializers.ModelSerializer):
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)  # type: ignore[var-annotated]
    summary = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = IngestBatch
        fields = ["id", "collection", "source", "on_duplicate", "created_by", "created_at", "summary", "url"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_summary(self, batch: IngestBatch) -> dict[str, int]:
        return selectors.batch_summary(batch)

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, batch: IngestBatch) -> str:
        return self.context["request"].build_absolute_uri(batch.get_absolute_url())


class IngestBatchDetailSerializer(IngestBatchSerializer):
    items = serializers.SerializerMethodField()
    unpacking = ArchiveUnpackingSerializer(source="unpackings", many=True, read_only=True)

    class Meta(IngestBatchSerializer.Meta):
        fields = [*IngestBatchSerializer.Meta.fields, "unpacking", "items"]
        read_only_fields = fields

    @extend_schema_field(IngestItemSerializer(many=True))
    def get_items(self, batch: IngestBatch) -> Any:
        return IngestItemSerializer(selectors.batch_items(batch), many=True, context=self.context).data


class BatchCreateSerializer(serializers.Serializer):
    collection = serializers.PrimaryKeyRelatedField(queryset=Collection.objects.all(), required=False)
    on_duplicate = serializers.ChoiceField(choices=OnDuplicate.choices, default=OnDuplicate.REPORT)
    # Said once for every file the batch creates (ingest.describe); a file's own fields win.
    title_pattern = serializers.CharField(required=False, allow_blank=True, max_length=300,
                                          help_text="E.g. “Summer shoot {n}”: {n} the file's number, {name} its name.")
    description = serializers.CharField(required=False, allow_blank=True)
    campaign = serializers.CharField(required=False, allow_blank=True, max_length=200)
    licence = serializers.CharField(required=False, allow_blank=True, max_length=200)
    rights_holder = serializers.CharField(required=False, allow_blank=True, max_length=200)
    usage_terms = serializers.CharField(required=False, allow_blank=True)
    terms = serializers.ListField(child=serializers.CharField(), required=False, help_text="Term ids or URIs.")
    metadata = serializers.DictField(required=False, help_text="Schema field key → value.")


class BatchFileSerializer(serializers.Serializer):
    file = serializers.FileField()
    title = serializers.CharField(required=False, allow_blank=True, max_length=300)
    description = serializers.CharField(required=False, allow_blank=True)


def upload_collection(user: Any, collection: Collection | None) -> Collection:
    """The chosen folder if the user sees it, else the first one they may add to."""
    if collection is not None:
        return authority.access(user, Collection.objects.all(), "view", pk=collection.pk)
    first = asset_selectors.collections_for_upload(user).order_by("path").first()
    if first is None:
        authority.require(user, "create", Asset)
        raise serializers.ValidationError({"collection": ["There is no collection you may add assets to."]})
    return first


class BatchListCreate(APIView):
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(responses=IngestBatchSerializer(many=True))
    def get(self, request: AuthedRequest) -> Response:
        paginator = Pagination()
        page = paginator.paginate_queryset(selectors.batches_visible_to(request.user), request, view=self)
        return paginator.get_paginated_response(
            IngestBatchSerializer(page, many=True, context={"request": request}).data)

    @extend_schema(request=BatchCreateSerializer, responses={201: IngestBatchSerializer})
    def post(self, request: AuthedRequest) -> Response:
        payload = BatchCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        collection = upload_collection(request.user, data.pop("collection", None))
        source = IngestBatch.Source.UPLOAD if request.auth is None else IngestBatch.Source.API
        try:
            batch = services.batch_create(actor=request.user, collection=collection,
                                          on_duplicate=data.pop("on_duplicate"), source=source, fields=data)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc
        return Response(IngestBatchSerializer(batch, context={"request": request}).data,
                        status=status.HTTP_201_CREATED)


class BatchDetail(APIView):
    @extend_schema(responses=IngestBatchDetailSerializer)
    def get(self, request: AuthedRequest, pk: int) -> Response:
        batch = selectors.access_batch(request.user, pk)
        return Response(IngestBatchDetailSerializer(batch, context={"request": request}).data)


class BatchItemsQuery(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=IngestItem.Outcome.choices, required=False)


class BatchItems(APIView):
    """A batch's items a page at a time, of one outcome when asked: an archive may hold 10,000 files."""

    @extend_schema(parameters=[BatchItemsQuery], responses=IngestItemSerializer(many=True))
    def get(self, request: AuthedRequest, pk: int) -> Response:
        batch = selectors.access_batch(request.user, pk)
        query = BatchItemsQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        paginator = Pagination()
        page = paginator.paginate_queryset(selectors.batch_items(batch, query.validated_data.get("outcome")),
                                           request, view=self)
        return paginator.get_paginated_response(
            IngestItemSerializer(page, many=True, context={"request": request}).data)


class BatchFiles(APIView):
    """One file per request, so a client shows per-file progress and a dropped connection costs one file."""

    parser_classes = [MultiPartParser]

    @extend_schema(request=BatchFileSerializer, responses={201: BatchFileAnswerSerializer,
                                                           202: BatchFileAnswerSerializer})
    def post(self, request: AuthedRequest, pk: int) -> Response:
        batch = selectors.access_batch(request.user, pk, "add_files")
        payload = BatchFileSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        upload = payload.validated_data["file"]
        fields = {k: v for k, v in payload.validated_data.items() if k != "file" and v}
        added = services.batch_add_file(batch=batch, fileobj=upload, filename=upload.name, actor=request.user,
                                        fields=fields, unpack_later=True)
        storage = [r.error for r in added.results if isinstance(r.error, StorageFull | StorageUnavailable)]
        if storage and len(storage) == len(added.results):
            raise storage[0]  # 507 or 503: nothing of the file was kept (its item says so in the batch)
        items = IngestItemSerializer([r.item for r in added.results], many=True, context={"request": request}).data
        if added.unpacking is not None:
            # 202: a large archive was received and is unpacked by background jobs; the batch shows how far.
            unpacking = ArchiveUnpackingSerializer(added.unpacking).data
            return Response({"batch": batch.pk, "items": items, "unpacking": unpacking},
                            status=status.HTTP_202_ACCEPTED)
        # 201: the file was received and has its outcome(s); each item says created, duplicate or rejected.
        return Response({"batch": batch.pk, "items": items, "unpacking": None}, status=status.HTTP_201_CREATED)


# --- one file as a new asset or a new revision -------------------------------------------------

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


class VersionCreateSerializer(serializers.Serializer):
    file = serializers.FileField()
    change_note = serializers.CharField(required=False, allow_blank=True)


def _ingest_errors(exc: Exception) -> Exception:
    """Translate ingest refusals into API errors with the right status."""
    if isinstance(exc, FileTooLarge):
        return PayloadTooLarge({"detail": str(exc), "errors": {"file": [str(exc)]}})
    if isinstance(exc, FileRejected):
        return serializers.ValidationError({"file": [str(exc)]})
    if isinstance(exc, asset_services.VersionRefused):
        return Conflict(str(exc))
    if isinstance(exc, asset_services.DuplicateFile):
        return Conflict({"detail": str(exc), "duplicate_of": str(exc.existing.uid) if exc.visible else None})
    return exc


class AssetUpload(APIView):
    """POST /api/v1/assets/ (GET, the search, is search's: dam.urls puts the two on one path)."""

    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(request=AssetCreateSerializer, responses={201: AssetSerializer})
    def post(self, request: AuthedRequest) -> Response:
        payload = AssetCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        collection = upload_collection(request.user, data.pop("collection", None))
        upload = data.pop("file")
        # A batch of one, so an API upload leaves the same per-file record as the upload page.
        batch = services.batch_create(actor=request.user, collection=collection,
                                      on_duplicate=data.pop("on_duplicate"), source=IngestBatch.Source.API)
        result = services.batch_add_file(batch=batch, fileobj=upload, filename=upload.name, actor=request.user,
                                         fields=data).results[0]
        if result.item.outcome not in (IngestItem.Outcome.CREATED, IngestItem.Outcome.NEW_VERSION):
            error = result.error or FileRejected(result.item.reason)
            if isinstance(error, (FileRejected, asset_services.DuplicateFile)):
                raise _ingest_errors(error) from error
            raise error
        asset = asset_selectors.access_asset_to_serialize(request.user, result.item.asset.uid)  # type: ignore[union-attr]
        body = AssetSerializer(asset, context={"request": request}).data
        body["naming_advice"] = naming.ingest_advice(asset)  # None when the name follows the convention
        return Response(body, status=status.HTTP_201_CREATED, headers={"X-Ingest-Batch": str(batch.pk)})


class VersionUpload(APIView):
    """POST /api/v1/assets/{uid}/versions/ (GET, the revision history, is the assets app's)."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request=VersionCreateSerializer, responses={201: VersionSerializer})
    def post(self, request: AuthedRequest, uid: str) -> Response:
        asset = asset_selectors.access_asset(request.user, uid)
        payload = VersionCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        upload = payload.validated_data["file"]
        try:
            version = services.version_ingest(asset=asset, fileobj=upload, filename=upload.name, actor=request.user,
                                              change_note=payload.validated_data.get("change_note", ""))
        except (FileRejected, asset_services.DuplicateFile, asset_services.VersionRefused) as exc:
            raise _ingest_errors(exc) from exc
        return Response(VersionSerializer(version, context={"request": request}).data, status=status.HTTP_201_CREATED)

