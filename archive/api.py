"""Archive and restore over the API."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from archive import services
from assets.api import AssetSerializer
from assets.selectors import access_asset, access_asset_to_serialize
from dam.http import AuthedRequest


class ArchiveRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)


class AssetArchive(APIView):
    @extend_schema(request=ArchiveRequestSerializer, responses=AssetSerializer)
    def post(self, request: AuthedRequest, uid: str) -> Response:
        asset = access_asset(request.user, uid, "archive")
        payload = ArchiveRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.asset_archive(asset=asset, actor=request.user, reason=payload.validated_data.get("reason", ""))
        shown = access_asset_to_serialize(request.user, uid)
        return Response(AssetSerializer(shown, context={"request": request}).data)


class AssetRestore(APIView):
    @extend_schema(request=None, responses=AssetSerializer)
    def post(self, request: AuthedRequest, uid: str) -> Response:
        asset = access_asset(request.user, uid, "restore")
        services.asset_restore(asset=asset, actor=request.user)
        shown = access_asset_to_serialize(request.user, uid)
        return Response(AssetSerializer(shown, context={"request": request}).data)
