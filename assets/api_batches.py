"""JSON API for ingest batches: open a batch, send files to it one request each, read every file's outcome."""
from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import permissions as authority
from assets import ingest, selectors
from assets.models import Asset, Collection, IngestBatch, IngestItem, OnDuplicate
from dam.api import Pagination
from dam.http import AuthedRequest


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

    class Meta(IngestBatchSerializer.Meta):
        fields = [*IngestBatchSerializer.Meta.fields, "items"]
        read_only_fields = fields

    @extend_schema_field(IngestItemSerializer(many=True))
    def get_items(self, batch: IngestBatch) -> Any:
        return IngestItemSerializer(selectors.batch_items(batch), many=True, context=self.context).data


class BatchCreateSerializer(serializers.Serializer):
    collection = serializers.PrimaryKeyRelatedField(queryset=Collection.objects.all(), required=False)
    on_duplicate = serializers.ChoiceField(choices=OnDuplicate.choices, default=OnDuplicate.REPORT)


class BatchFileSerializer(serializers.Serializer):
    file = serializers.FileField()
    title = serializers.CharField(required=False, allow_blank=True, max_length=300)
    description = serializers.CharField(required=False, allow_blank=True)


def upload_collection(user: Any, collection: Collection | None) -> Collection:
    """The chosen folder if the user sees it, else the first one they may add to."""
    if collection is not None:
        return authority.access(user, Collection.objects.all(), "view", pk=collection.pk)
    first = selectors.collections_for_upload(user).order_by("path").first()
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
        collection = upload_collection(request.user, payload.validated_data.get("collection"))
        source = IngestBatch.Source.UPLOAD if request.auth is None else IngestBatch.Source.API
        batch = ingest.batch_create(actor=request.user, collection=collection,
                                    on_duplicate=payload.validated_data["on_duplicate"], source=source)
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

    @extend_schema(request=BatchFileSerializer, responses={201: IngestItemSerializer(many=True)})
    def post(self, request: AuthedRequest, pk: int) -> Response:
        batch = selectors.access_batch(request.user, pk, "add_files")
        payload = BatchFileSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        upload = payload.validated_data["file"]
        fields = {k: v for k, v in payload.validated_data.items() if k != "file" and v}
        results = ingest.batch_add_file(batch=batch, fileobj=upload, filename=upload.name, actor=request.user,
                                        fields=fields)
        items = IngestItemSerializer([r.item for r in results], many=True, context={"request": request}).data
        # 201: the file was received and has its outcome(s); each item says created, duplicate or rejected.
        return Response({"batch": batch.pk, "items": items}, status=status.HTTP_201_CREATED)
