"""BagIt exports over the API: ask for one (202, the job), follow it, download the finished zip."""
from __future__ import annotations

from typing import Any

from django.http.response import HttpResponseBase
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import permissions as authority
from archive.bags import selectors, services
from archive.models import BagExport
from assets.downloads import file_response
from assets.models import Collection
from assets.selectors import access_asset
from dam.errors import Gone, StateConflict
from dam.http import AuthedRequest


class BagExportSerializer(serializers.ModelSerializer):
    asset = serializers.SerializerMethodField()
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    percent = serializers.IntegerField(read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = BagExport
        fields = ["id", "subject", "asset", "collection", "state", "state_label", "done", "total", "percent", "size",
                  "error", "created_at", "started_at", "finished_at", "expires_at", "download_url"]
        read_only_fields = fields

    def get_asset(self, job: BagExport) -> str | None:
        return str(job.asset.uid) if job.asset is not None else None

    def get_download_url(self, job: BagExport) -> str | None:
        if job.state != BagExport.State.READY:
            return None
        url = reverse("api:bag-download", args=[job.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class BagRequestSerializer(serializers.Serializer):
    asset = serializers.UUIDField(required=False)
    collection = serializers.IntegerField(required=False, min_value=1)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("asset" in attrs) == ("collection" in attrs):
            raise serializers.ValidationError("Give either an asset (its uid) or a collection (its id), not both.")
        return attrs


class BagListCreate(GenericAPIView):
    serializer_class = BagExportSerializer

    def get_queryset(self) -> Any:
        return selectors.exports_of(self.request.user)

    @extend_schema(responses=BagExportSerializer(many=True))
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        data = BagExportSerializer(page, many=True, context={"request": request}).data
        return self.get_paginated_response(data)

    @extend_schema(request=BagRequestSerializer, responses={202: BagExportSerializer})
    def post(self, request: AuthedRequest) -> Response:
        payload = BagRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        asset = collection = None
        if "asset" in payload.validated_data:
            asset = access_asset(request.user, payload.validated_data["asset"])
        else:
            collection = authority.access(request.user, Collection.objects.all(),
                                          pk=payload.validated_data["collection"])
        job = services.bag_export_request(actor=request.user, asset=asset, collection=collection)
        job.refresh_from_db()  # the job may have run already (synchronous jobs, in development)
        return Response(BagExportSerializer(job, context={"request": request}).data, status=status.HTTP_202_ACCEPTED)


class BagDetail(APIView):
    @extend_schema(responses=BagExportSerializer)
    def get(self, request: AuthedRequest, pk: int) -> Response:
        job = selectors.access_export(request.user, pk)
        return Response(BagExportSerializer(job, context={"request": request}).data)


class BagDownload(APIView):
    @extend_schema(responses={(200, "application/zip"): bytes})
    def get(self, request: AuthedRequest, pk: int) -> HttpResponseBase:
        job = selectors.access_export(request.user, pk, "download")
        return bag_file(job)


def bag_file(job: BagExport) -> HttpResponseBase:
    """The finished zip (streamed, or a presigned S3 redirect); a clear error while it is not there."""
    if job.state == BagExport.State.EXPIRED:
        raise Gone("This BagIt package expired and its file was removed. Ask for a new export.")
    if job.state == BagExport.State.FAILED:
        raise StateConflict(f"This export failed: {job.error}")
    if job.state != BagExport.State.READY:
        raise StateConflict("This BagIt package is still being made; try again when it is ready.")
    return file_response(job.file, job.download_name, "application/zip")
