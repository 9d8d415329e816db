"""Rights over the API: the expiring report, renewing, licence types, release documents, expiry actions."""
from __future__ import annotations

from typing import Any

from django.http import HttpResponseBase
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import permissions as authority
from archive.models import ReleaseDocument, RightsNotice
from archive.rights import selectors, services
from archive.rights.permissions import may_keep_rights
from assets import downloads
from assets.expiry import expiry_choice, expiry_choices
from assets.models import Collection, LicenceType, RightsOnExpiry
from assets.selectors import access_asset
from dam.http import AuthedRequest


class ExpiringAssetSerializer(serializers.Serializer):
    uid = serializers.UUIDField()
    title = serializers.CharField()
    collection = serializers.IntegerField(source="collection_id")
    owner = serializers.CharField(source="owner.username", allow_null=True, default=None)
    licence = serializers.CharField()
    rights_holder = serializers.CharField()
    rights_expire_at = serializers.DateTimeField()
    expired = serializers.SerializerMethodField()
    on_expiry = serializers.SerializerMethodField(help_text="What its folder does on expiry, its own choice or "
                                                            "the one it inherits: hide, archive or notify.")

    def get_expired(self, asset: Any) -> bool:
        return bool(asset.rights_expire_at <= self.context["now"])

    def get_on_expiry(self, asset: Any) -> str:
        return str(self.context["choices"][asset.collection_id].action)


class Expiring(APIView):
    @extend_schema(parameters=[OpenApiParameter("days", int, description="Period in days (1-365, default 30).")],
                   responses=ExpiringAssetSerializer(many=True))
    def get(self, request: AuthedRequest) -> Response:
        authority.require(request.user, "report", RightsNotice)
        raw = request.query_params.get("days", str(selectors.DEFAULT_PERIOD))
        if not raw.isdigit() or not 1 <= int(raw) <= 365:
            raise serializers.ValidationError({"days": ["Give a number of days from 1 to 365."]})
        from django.utils import timezone

        now = timezone.now()
        assets = list(selectors.expiring(request.user, int(raw), now=now)[:500])
        choices = expiry_choices(asset.collection for asset in assets)
        return Response({"days": int(raw), "count": len(assets),
                         "results": ExpiringAssetSerializer(assets, many=True,
                                                            context={"now": now, "choices": choices}).data})


class RenewSerializer(serializers.Serializer):
    expires_at = serializers.DateTimeField(allow_null=True, help_text="The new expiry; null: never expires.")


class Renew(APIView):
    @extend_schema(request=RenewSerializer, responses=OpenApiTypes.OBJECT)
    def post(self, request: AuthedRequest, uid: str) -> Response:
        asset = access_asset(request.user, uid)
        if not may_keep_rights(request.user, asset):
            authority.require(request.user, "edit", asset)
        payload = RenewSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        asset = services.rights_renew(asset=asset, actor=request.user, expires_at=payload.validated_data["expires_at"])
        return Response({"uid": str(asset.uid), "rights_expire_at": asset.rights_expire_at})


class LicenceTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = LicenceType
        fields = ["id", "name", "url", "description", "active"]


class LicenceTypes(APIView):
    @extend_schema(responses=LicenceTypeSerializer(many=True))
    def get(self, request: AuthedRequest) -> Response:
        """The controlled list an asset's `rights.licence` is chosen from (active ones)."""
        return Response(LicenceTypeSerializer(LicenceType.objects.filter(active=True), many=True).data)


class ReleaseSerializer(serializers.ModelSerializer):
    uploaded_by = serializers.CharField(source="uploaded_by.username", allow_null=True, default=None)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ReleaseDocument
        fields = ["id", "kind", "original_filename", "mime_type", "size", "uploaded_by", "uploaded_at",
                  "download_url"]

    def get_download_url(self, document: ReleaseDocument) -> str:
        from django.urls import reverse

        return reverse("api:rights-release-download", args=[document.pk])


class ReleaseUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ReleaseDocument.Kind.choices)
    file = serializers.FileField()


class Releases(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(responses=ReleaseSerializer(many=True))
    def get(self, request: AuthedRequest, uid: str) -> Response:
        asset = access_asset(request.user, uid, "edit")
        return Response(ReleaseSerializer(selectors.release_documents(request.user, asset), many=True).data)

    @extend_schema(request={"multipart/form-data": ReleaseUploadSerializer}, responses={201: ReleaseSerializer})
    def post(self, request: AuthedRequest, uid: str) -> Response:
        asset = access_asset(request.user, uid, "edit")
        payload = ReleaseUploadSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        upload = payload.validated_data["file"]
        document = services.release_attach(asset=asset, actor=request.user, kind=payload.validated_data["kind"],
                                           fileobj=upload, filename=upload.name)
        return Response(ReleaseSerializer(document).data, status=status.HTTP_201_CREATED)


class ReleaseDetail(APIView):
    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    def get(self, request: AuthedRequest, pk: int) -> HttpResponseBase:
        document = authority.access(request.user, ReleaseDocument.objects.select_related("asset"), "download", pk=pk)
        return downloads.file_response(document.file.name, document.original_filename, document.mime_type)

    @extend_schema(responses={204: None})
    def delete(self, request: AuthedRequest, pk: int) -> Response:
        document = authority.access(request.user, ReleaseDocument.objects.select_related("asset"), "remove", pk=pk)
        services.release_remove(document=document, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ExpiryActionSerializer(serializers.Serializer):
    on_expiry = serializers.ChoiceField(choices=RightsOnExpiry.choices,
                                        help_text="The folder's own choice; inherit: as the parent folder.")


class ExpirySourceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ExpiryStateSerializer(ExpiryActionSerializer):
    effective = serializers.CharField(help_text="What happens here: hide, archive or notify.")
    effective_from = ExpirySourceSerializer(allow_null=True, help_text="The folder whose choice it is; null: "
                                                                       "no folder chose (hide).")


def _expiry_state(collection: Collection) -> dict[str, Any]:
    choice = expiry_choice(collection)
    return {"on_expiry": collection.rights_on_expiry, "effective": choice.action,
            "effective_from": {"id": choice.source_id, "name": choice.source_name} if choice.source_id else None}


class CollectionExpiry(APIView):
    @extend_schema(responses=ExpiryStateSerializer)
    def get(self, request: AuthedRequest, pk: int) -> Response:
        collection = authority.access(request.user, Collection.objects.all(), "view", pk=pk)
        return Response(_expiry_state(collection))

    @extend_schema(request=ExpiryActionSerializer, responses=ExpiryStateSerializer)
    def patch(self, request: AuthedRequest, pk: int) -> Response:
        collection = authority.access(request.user, Collection.objects.all(), "manage", pk=pk)
        payload = ExpiryActionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        collection = services.collection_set_expiry_action(collection=collection, actor=request.user,
                                                           action=payload.validated_data["on_expiry"])
        return Response(_expiry_state(collection))
