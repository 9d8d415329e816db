"""Share links over the API: made from `assets` (uids) or a `lightbox`, with presets, watermark, recipients."""
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
from distribution.models import Lightbox, ShareLink, Watermark


class ShareLinkSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    assets = serializers.SlugRelatedField(slug_field="uid", many=True, read_only=True)  # type: ignore[var-annotated]
    has_password = serializers.SerializerMethodField()
    renditions = serializers.SerializerMethodField(help_text="The presets offered, by their older rendition names.")
    watermark = serializers.SlugRelatedField(slug_field="name", read_only=True)  # type: ignore[var-annotated]

    class Meta:
        model = ShareLink
        fields = ["id", "url", "token", "title", "description", "assets", "lightbox", "recipient", "batch",
                  "expires_at", "has_password", "max_downloads", "download_count", "open_count", "presets",
                  "renditions", "watermark", "keep_location", "created_at", "revoked_at"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, link: ShareLink) -> str:
        return self.context["request"].build_absolute_uri(link.get_absolute_url())

    def get_has_password(self, link: ShareLink) -> bool:
        return bool(link.password_hash)

    def get_renditions(self, link: ShareLink) -> list[str]:
        older = {"original": "original", "web": "web", "thumbnail": "thumb"}
        return [older[p] for p in link.presets if p in older]


class ShareLinkCreateSerializer(serializers.Serializer):
    assets = serializers.ListField(child=serializers.UUIDField(), required=False, default=list)
    lightbox = serializers.IntegerField(required=False, allow_null=True, default=None,
                                        help_text="A lightbox's id: its members you may share, at this moment.")
    title = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    description = serializers.CharField(required=False, allow_blank=True, default="")
    expires_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    password = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=False)
    max_downloads = serializers.IntegerField(required=False, allow_null=True, min_value=1, default=None)
    presets = serializers.ListField(child=serializers.CharField(), required=False, default=None, allow_null=True,
                                    help_text="Download presets it offers, by name; web only if not given.")
    renditions = serializers.ListField(child=serializers.ChoiceField(choices=services.RENDITION_CHOICES),
                                       required=False, default=None, allow_null=True,
                                       help_text="The older way to say presets: web, preview, thumb, original.")
    watermark = serializers.SlugRelatedField(slug_field="name", queryset=Watermark.objects.all(), required=False,
                                             allow_null=True, default=None)
    recipients = serializers.ListField(child=serializers.EmailField(), required=False, default=list,
                                       help_text="E-mail addresses: each gets a link (a token) of their own.")
    message = serializers.CharField(required=False, allow_blank=True, default="",
                                    help_text="A message for the recipients' e-mail.")
    keep_location = serializers.BooleanField(
        required=False, default=False,
        help_text="Originals leave without their GPS position and place names unless this is true (audited).")


class ShareLinkCreated(ShareLinkSerializer):
    links = serializers.SerializerMethodField(help_text="Every link made: one per recipient.")

    class Meta(ShareLinkSerializer.Meta):
        fields = [*ShareLinkSerializer.Meta.fields, "links"]
        read_only_fields = fields

    def get_links(self, link: ShareLink) -> list[dict[str, Any]]:
        return [{"id": other.pk, "recipient": other.recipient, "token": other.token,
                 "url": self.context["request"].build_absolute_uri(other.get_absolute_url())}
                for other in self.context["links"]]


class ShareLinkListCreate(APIView):
    @extend_schema(responses=ShareLinkSerializer(many=True))
    def get(self, request: AuthedRequest) -> Response:
        paginator = Pagination()
        page = paginator.paginate_queryset(selectors.share_links_of(request.user).prefetch_related("assets")
                                           .select_related("watermark"), request, view=self)
        return paginator.get_paginated_response(
            ShareLinkSerializer(page, many=True, context={"request": request}).data)

    @extend_schema(request=ShareLinkCreateSerializer, responses={201: ShareLinkCreated})
    def post(self, request: AuthedRequest) -> Response:
        authority.require(request.user, "create", ShareLink)
        payload = ShareLinkCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data: dict[str, Any] = dict(payload.validated_data)
        uids = [str(uid) for uid in data.pop("assets")]
        assets = selectors.shareable_assets(request.user, uids)
        if len(assets) != len(set(uids)):
            raise serializers.ValidationError({"assets": ["Some of these assets do not exist or are not visible."]})
        lightbox_id = data.pop("lightbox")
        lightbox = (authority.access(request.user, Lightbox.objects.all(), "view", pk=lightbox_id)
                    if lightbox_id is not None else None)
        links = services.share_links_create(actor=request.user, assets=assets, lightbox=lightbox, **data)
        return Response(ShareLinkCreated(links[0], context={"request": request, "links": links}).data,
                        status=status.HTTP_201_CREATED)


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


class ShareLinkAnalytics(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: AuthedRequest, pk: int) -> Response:
        """Opens and downloads of the link (with the links made with it for other recipients): per day over the
        last 30 days, by asset, preset and recipient."""
        link = authority.access(request.user, ShareLink.objects.all(), "view", pk=pk)
        data = selectors.link_analytics(link)
        return Response({
            "opens": data.opens, "downloads": data.downloads,
            "days": [{"date": day.isoformat(), "opens": opens, "downloads": downloads}
                     for day, opens, downloads in data.days],
            "by_asset": [{"asset": str(row["asset__uid"]), "title": row["asset__title"], "downloads": row["n"]}
                         for row in data.by_asset],
            "by_preset": [{"preset": row["preset"], "downloads": row["n"]} for row in data.by_preset],
            "by_recipient": [{k: v for k, v in row.items() if k != "token"} for row in data.by_recipient],
        })
