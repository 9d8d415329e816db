"""Share links over the API: `assets` (uids), `expires_at`, `password`, `max_downloads`, `renditions`."""
from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import permissions as authority
from dam.api import Pagination
from dam.http import AuthedRequest
from distribution import selectors, services
from distribution.models import ShareLink


class ShareLinkSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    assets = serializers.SlugRelatedField(slug_field="uid", many=True, read_only=True)  # type: ignore[var-annotated]
    has_password = serializers.SerializerMethodField()

    class Meta:
        model = ShareLink
        fields = ["id", "url", "token", "title", "assets", "expires_at", "has_password", "max_downloads",
                  "download_count", "renditions", "keep_location", "created_at", "revoked_at"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, link: ShareLink) -> str:
        return self.context["request"].build_absolute_uri(link.get_absolute_url())

    def get_has_password(self, link: ShareLink) -> bool:
        return bool(link.password_hash)


class ShareLinkCreateSerializer(serializers.Serializer):
    assets = serializers.ListField(child=serializers.UUIDField(), allow_empty=False)
    title = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    expires_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    password = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=False)
    max_downloads = serializers.IntegerField(required=False, allow_null=True, min_value=1, default=None)
    renditions = serializers.ListField(child=serializers.ChoiceField(choices=services.RENDITION_CHOICES),
                                       required=False, default=list(services.DEFAULT_RENDITIONS),
                                       help_text="What the link offers; by default web-size copies, not the original.")
    keep_location = serializers.BooleanField(
        required=False, default=False,
        help_text="Originals leave without their GPS position and place names unless this is true (audited).")


class ShareLinkListCreate(APIView):
    @extend_schema(responses=ShareLinkSerializer(many=True))
    def get(self, request: AuthedRequest) -> Response:
        paginator = Pagination()
        page = paginator.paginate_queryset(selectors.share_links_of(request.user).prefetch_related("assets"),
                                           request, view=self)
        return paginator.get_paginated_response(
            ShareLinkSerializer(page, many=True, context={"request": request}).data)

    @extend_schema(request=ShareLinkCreateSerializer, responses={201: ShareLinkSerializer})
    def post(self, request: AuthedRequest) -> Response:
        authority.require(request.user, "create", ShareLink)
        payload = ShareLinkCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data: dict[str, Any] = dict(payload.validated_data)
        uids = [str(uid) for uid in data.pop("assets")]
        assets = selectors.shareable_assets(request.user, uids)
        if len(assets) != len(set(uids)):
            raise serializers.ValidationError({"assets": ["Some of these assets do not exist or are not visible."]})
        link = services.share_link_create(actor=request.user, assets=assets, **data)
        return Response(ShareLinkSerializer(link, context={"request": request}).data, status=status.HTTP_201_CREATED)


class ShareLinkDetail(APIView):
    @extend_schema(responses=ShareLinkSerializer)
    def get(self, request: AuthedRequest, pk: int) -> Response:
        link = authority.access(request.user, ShareLink.objects.all(), "view", pk=pk)
        return Response(ShareLinkSerializer(link, context={"request": request}).data)

    @extend_schema(responses={204: None})
    def delete(self, request: AuthedRequest, pk: int) -> Response:
        link = authority.access(request.user, ShareLink.objects.all(), "revoke", pk=pk)
        services.share_link_revoke(link=link, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
