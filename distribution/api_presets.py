"""Presets, watermarks, delivery URLs, integrations and download events over the API."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import permissions as authority
from accounts.permissions import is_admin
from assets import api as assets_api
from assets import downloads as assets_downloads
from assets import selectors as asset_selectors
from dam.api import Pagination
from dam.errors import StateConflict
from dam.http import AuthedRequest
from distribution import delivery, derivatives, download_views, downloads, integrations, presets
from distribution.models import DownloadEvent, Integration, Lightbox, Preset, Watermark


class PresetSerializer(serializers.ModelSerializer):
    watermark = serializers.SlugRelatedField(slug_field="name", queryset=Watermark.objects.all(), required=False,
                                             allow_null=True)
    name = serializers.CharField(max_length=50)
    # The older yes/no field, kept for clients written against it: true is `metadata: strip`, false `keep`.
    strip_metadata = serializers.BooleanField(required=False)

    class Meta:
        model = Preset
        fields = ["name", "label", "description", "max_width", "max_height", "fit", "format", "quality",
                  "color_profile", "metadata", "strip_metadata", "watermark", "restricted", "builtin", "position"]
        read_only_fields = ["builtin"]
        # The services check the values and name the field at fault (distribution.presets).
        extra_kwargs = {"fit": {"required": False}, "format": {"required": False}, "label": {"required": False}}

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        strip = attrs.pop("strip_metadata", None)
        if strip is not None and "metadata" not in attrs:
            attrs["metadata"] = Preset.Metadata.STRIP if strip else Preset.Metadata.KEEP
        return attrs

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        for name in ("max_width", "max_height", "quality", "position"):
            fields[name].validators = []  # numbers out of range get the service's sentence
        return fields


class PresetList(APIView):
    @extend_schema(responses=PresetSerializer(many=True))
    def get(self, request: AuthedRequest) -> Response:
        shown = Preset.objects.select_related("watermark")
        if not is_admin(request.user):
            shown = shown.filter(restricted=False) if not request.query_params.get("all") else shown
        return Response({"results": PresetSerializer(shown, many=True).data})

    @extend_schema(request=PresetSerializer, responses={201: PresetSerializer})
    def post(self, request: AuthedRequest) -> Response:
        authority.require(request.user, "create", Preset)
        payload = PresetSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        data.pop("builtin", None)
        preset = presets.preset_create(actor=request.user, **data)
        return Response(PresetSerializer(preset).data, status=status.HTTP_201_CREATED)


class PresetDetail(APIView):
    def _preset(self, request: AuthedRequest, name: str, action: str) -> Preset:
        return authority.access(request.user, Preset.objects.select_related("watermark"), action, name=name)

    @extend_schema(responses=PresetSerializer)
    def get(self, request: AuthedRequest, name: str) -> Response:
        return Response(PresetSerializer(self._preset(request, name, "view")).data)

    @extend_schema(request=PresetSerializer, responses=PresetSerializer)
    def patch(self, request: AuthedRequest, name: str) -> Response:
        preset = self._preset(request, name, "change")
        payload = PresetSerializer(preset, data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        data = {k: v for k, v in payload.validated_data.items() if k not in ("name", "builtin")}
        if "name" in payload.validated_data and payload.validated_data["name"] != preset.name:
            raise serializers.ValidationError({"name": ["A preset's name is part of its URLs and cannot change; "
                                                        "make a new preset instead."]})
        return Response(PresetSerializer(presets.preset_update(preset=preset, actor=request.user, **data)).data)

    @extend_schema(responses={204: None})
    def delete(self, request: AuthedRequest, name: str) -> Response:
        presets.preset_delete(preset=self._preset(request, name, "delete"), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class WatermarkSerializer(serializers.ModelSerializer):
    image = serializers.FileField(required=False, write_only=True, help_text="A PNG, at most 2 MB.")
    has_image = serializers.SerializerMethodField()

    class Meta:
        model = Watermark
        fields = ["id", "name", "kind", "text", "position", "scale", "opacity", "image", "has_image"]
        # The service checks these and names the field at fault (distribution.presets).
        extra_kwargs: dict[str, dict[str, Any]] = {
            "scale": {"validators": []}, "opacity": {"validators": []}, "name": {"validators": []}}

    def get_has_image(self, mark: Watermark) -> bool:
        return bool(mark.image)


class WatermarkList(APIView):
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(responses=WatermarkSerializer(many=True))
    def get(self, request: AuthedRequest) -> Response:
        shown = authority.visible(request.user, Watermark.objects.all())
        return Response({"results": WatermarkSerializer(shown, many=True).data})

    @extend_schema(request=WatermarkSerializer, responses={201: WatermarkSerializer})
    def post(self, request: AuthedRequest) -> Response:
        authority.require(request.user, "create", Watermark)
        payload = WatermarkSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        mark = presets.watermark_save(actor=request.user, **payload.validated_data)
        return Response(WatermarkSerializer(mark).data, status=status.HTTP_201_CREATED)


class WatermarkDetail(APIView):
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(request=WatermarkSerializer, responses=WatermarkSerializer)
    def patch(self, request: AuthedRequest, pk: int) -> Response:
        mark = authority.access(request.user, Watermark.objects.all(), "change", pk=pk)
        payload = WatermarkSerializer(mark, data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        return Response(WatermarkSerializer(presets.watermark_save(actor=request.user, watermark=mark,
                                                                   **payload.validated_data)).data)

    @extend_schema(responses={204: None})
    def delete(self, request: AuthedRequest, pk: int) -> Response:
        mark = authority.access(request.user, Watermark.objects.all(), "delete", pk=pk)
        presets.watermark_delete(watermark=mark, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AssetDownload(assets_api.AssetDownload):
    """`?preset=NAME` (a download preset), else the standard `?rendition=` of the assets app."""

    @extend_schema(parameters=[OpenApiParameter("preset", str, description="A download preset's name."),
                               OpenApiParameter("rendition", str), OpenApiParameter("version", int)],
                   responses={(200, "application/octet-stream"): bytes, 202: OpenApiTypes.OBJECT})
    def get(self, request: AuthedRequest, uid: str) -> HttpResponseBase:
        name = request.query_params.get("preset")
        if not name and request.query_params.get("rendition", assets_downloads.ORIGINAL) == assets_downloads.ORIGINAL:
            asset = asset_selectors.access_asset(request.user, uid, "download")
            return downloads.original_download(self.version_asked(request, asset), user=request.user)
        if not name:
            return super().get(request, uid)
        asset = asset_selectors.access_asset(request.user, uid, "download")
        version = self.version_asked(request, asset)
        try:
            preset = derivatives.preset_named(request.user, asset, name)
        except Preset.DoesNotExist:
            raise serializers.ValidationError({"preset": [f"There is no preset “{name}” you may use."]}) from None
        try:
            derivative = derivatives.derivative_for(version, preset)
        except derivatives.PresetUnavailable as exc:
            raise StateConflict(str(exc)) from None
        if derivative.failed:
            raise StateConflict(f"{preset.label} could not be made from this file: "
                                f"{derivative.rendition.error if derivative.rendition else ''}".rstrip(": "))
        if not derivative.ready:
            return downloads.preparing(derivative, api=True)
        response = downloads.attachment(derivative, public=False)
        downloads.record(asset=asset, version=version, sent=preset.name, preset=preset.name, user=request.user,
                         channel=DownloadEvent.Channel.API)
        return response


class DeliveryUrlSerializer(serializers.Serializer):
    preset = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a JSON key here, not DRF's Field.label
    url = serializers.URLField()
    format = serializers.CharField()
    mode = serializers.ChoiceField(choices=["public", "signed", "token"])
    expires_at = serializers.DateTimeField(allow_null=True)


class AssetDelivery(APIView):
    @extend_schema(parameters=[OpenApiParameter("expires_in", int, description="Seconds a signed URL stays valid "
                                                "(60 to a year; 7 days if not given).")],
                   responses=inline_serializer("DeliveryUrls", {"results": DeliveryUrlSerializer(many=True)}))
    def get(self, request: AuthedRequest, uid: str) -> Response:
        asset = asset_selectors.access_asset(request.user, uid, "download")
        if not delivery.is_deliverable(asset):
            raise StateConflict("This asset has no approved version that may be published (it is a draft, "
                                "archived, out of its rights period or under embargo).")
        expires_in = request.query_params.get("expires_in", "")
        if expires_in and not expires_in.isdigit():
            raise serializers.ValidationError({"expires_in": ["Give a number of seconds."]})
        asset = delivery.delivered_asset(asset.uid) or asset
        results = []
        for preset in derivatives.presets_for(request.user, asset).filter(restricted=False):
            url = delivery.url_for(asset, preset, expires_in=int(expires_in or delivery.SIGNED_FOR))
            results.append({
                "preset": preset.name, "label": preset.label, "url": request.build_absolute_uri(url.path),
                "format": preset.format, "mode": url.mode,
                "expires_at": datetime.fromtimestamp(url.expires_at, tz=timezone.get_current_timezone())
                if url.expires_at else None})
        return Response({"results": DeliveryUrlSerializer(results, many=True).data})


class DownloadEventSerializer(serializers.ModelSerializer):
    asset = serializers.SlugRelatedField(slug_field="uid", read_only=True)  # type: ignore[var-annotated]
    version = serializers.SerializerMethodField()
    user = serializers.SlugRelatedField(slug_field="username", read_only=True)  # type: ignore[var-annotated]
    integration = serializers.SlugRelatedField(slug_field="name", read_only=True)  # type: ignore[var-annotated]
    share_link = serializers.PrimaryKeyRelatedField(read_only=True)  # type: ignore[var-annotated]

    class Meta:
        model = DownloadEvent
        fields = ["id", "asset", "version", "rendition", "preset", "channel", "user", "integration", "share_link",
                  "recipient", "created_at"]
        read_only_fields = fields

    def get_version(self, event: DownloadEvent) -> int | None:
        return event.version.number if event.version else None


class DownloadEventList(APIView):
    @extend_schema(parameters=[OpenApiParameter("asset", str), OpenApiParameter("since", str),
                               OpenApiParameter("channel", str)],
                   responses=DownloadEventSerializer(many=True))
    def get(self, request: AuthedRequest) -> Response:
        if not is_admin(request.user):
            raise PermissionDenied("Only administrators see download events.")
        events = DownloadEvent.objects.select_related("asset", "version", "user", "integration")
        if (uid := request.query_params.get("asset")):
            try:
                events = events.filter(asset__uid=uid)
            except Exception:
                raise serializers.ValidationError({"asset": ["Give an asset's uid."]}) from None
        if (since := request.query_params.get("since")):
            moment = parse_datetime(since)  # a date alone is midnight of that day
            if not moment:
                raise serializers.ValidationError({"since": ["Give a date (2026-12-01) or a date and time."]})
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
            events = events.filter(created_at__gte=moment)
        if (channel := request.query_params.get("channel")):
            if channel not in DownloadEvent.Channel.values:
                choices = ", ".join(DownloadEvent.Channel.values)
                raise serializers.ValidationError({"channel": [f"Choose one of: {choices}."]})
            events = events.filter(channel=channel)
        paginator = Pagination()
        page = paginator.paginate_queryset(events.order_by("-created_at", "-id"), request, view=self)
        return paginator.get_paginated_response(DownloadEventSerializer(page, many=True).data)


class IntegrationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Integration
        fields = ["id", "name", "prefix", "allowed_origins", "created_at", "last_used_at", "revoked_at"]
        read_only_fields = ["id", "prefix", "created_at", "last_used_at", "revoked_at"]


class IntegrationList(APIView):
    @extend_schema(responses=IntegrationSerializer(many=True))
    def get(self, request: AuthedRequest) -> Response:
        authority.require(request.user, "create", Integration)
        return Response({"results": IntegrationSerializer(
            authority.visible(request.user, Integration.objects.all()), many=True).data})

    @extend_schema(request=IntegrationSerializer, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: AuthedRequest) -> Response:
        authority.require(request.user, "create", Integration)
        payload = IntegrationSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        integration, key = integrations.integration_create(actor=request.user, **payload.validated_data)
        # The key is shown this once; only its hash is kept.
        return Response({**IntegrationSerializer(integration).data, "key": key}, status=status.HTTP_201_CREATED)


class IntegrationDetail(APIView):
    @extend_schema(request=IntegrationSerializer, responses=IntegrationSerializer)
    def patch(self, request: AuthedRequest, pk: int) -> Response:
        integration = authority.access(request.user, Integration.objects.all(), "change", pk=pk)
        payload = IntegrationSerializer(integration, data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        return Response(IntegrationSerializer(integrations.integration_update(
            integration=integration, actor=request.user, **payload.validated_data)).data)

    @extend_schema(responses={204: None})
    def delete(self, request: AuthedRequest, pk: int) -> Response:
        integration = authority.access(request.user, Integration.objects.all(), "revoke", pk=pk)
        integrations.integration_revoke(integration=integration, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)



class LightboxZip(APIView):
    @extend_schema(parameters=[OpenApiParameter("preset", str, description="A download preset's name; the "
                                                "original by default.")],
                   responses={(200, "application/zip"): bytes, 202: OpenApiTypes.OBJECT})
    def get(self, request: AuthedRequest, pk: int) -> HttpResponseBase:
        """The lightbox's members the caller may see, in one preset, streamed as one zip (202 with Retry-After while
        some of the files are still being made)."""
        lightbox = authority.access(request.user, Lightbox.objects.all(), "view", pk=pk)
        try:
            chosen, plan = download_views.lightbox_zip_plan(request.user, lightbox,
                                                            request.query_params.get("preset") or "original")
        except Preset.DoesNotExist as exc:
            raise serializers.ValidationError({"preset": [str(exc)]}) from None
        if plan.pending:
            ready, total = len(plan.ready), len(plan.ready) + len(plan.pending)
            return Response({"detail": f"{ready} of {total} files are ready; the others are being made.",
                             "status": "pending", "ready": ready, "total": total},
                            status=status.HTTP_202_ACCEPTED, headers={"Retry-After": str(derivatives.RETRY_AFTER)})
        if not plan.ready:
            raise StateConflict(f"None of the lightbox's assets you may see can be had as {chosen.label}.")
        return download_views.lightbox_zip_response(request.user, lightbox, chosen, plan)
