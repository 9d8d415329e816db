"""Connections, pushes and usages over the API (/api/v1/connections/, /api/v1/assets/{uid}/push/ and usages/)."""
from __future__ import annotations

from typing import Any
from uuid import UUID

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, NotFound, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import permissions as authority
from assets import selectors as asset_selectors
from assets.models import Collection
from dam.errors import StateConflict
from dam.http import AuthedRequest
from distribution.connections import selectors as usage_selectors
from distribution.connections import services
from distribution.connections.clients import Problem
from distribution.models import Connection, Usage
from distribution.permissions import shows_share_address


class ConnectionSerializer(serializers.ModelSerializer):
    secret = serializers.CharField(write_only=True, required=False, allow_blank=True, trim_whitespace=False,
                                   help_text="Postiz: the API key; WordPress: user:application password. "
                                             "Accepted, never returned.")
    collections = serializers.PrimaryKeyRelatedField(many=True, required=False, queryset=Collection.objects.all(),
                                                     help_text="Folders it may receive; empty: all.")
    has_secret = serializers.SerializerMethodField()
    # The services check these and name the field at fault.
    kind = serializers.CharField()
    name = serializers.CharField(max_length=100)
    base_url = serializers.CharField(max_length=500)

    class Meta:
        model = Connection
        fields = ["id", "kind", "name", "base_url", "secret", "has_secret", "collections", "last_test",
                  "last_test_ok", "last_tested_at", "created_at", "updated_at"]
        read_only_fields = ["last_test", "last_test_ok", "last_tested_at", "created_at", "updated_at"]

    def get_has_secret(self, connection: Connection) -> bool:
        return bool(connection.secret_sealed)


class UsageSerializer(serializers.ModelSerializer):
    connection = serializers.SerializerMethodField()
    system = serializers.CharField()
    version = serializers.IntegerField(source="version.number")
    by = serializers.SerializerMethodField()
    at = serializers.DateTimeField(source="created_at")
    remote_url = serializers.SerializerMethodField()
    place = serializers.CharField()

    class Meta:
        model = Usage
        fields = ["id", "connection", "system", "place", "channel", "channel_name", "remote_id", "remote_url",
                  "version", "preset", "by", "at", "state", "reason", "outdated_at", "sent"]

    def get_connection(self, usage: Usage) -> dict[str, Any] | None:
        c = usage.connection
        return {"id": c.pk, "name": c.name, "kind": c.kind} if c is not None else None

    def get_by(self, usage: Usage) -> str | None:
        return usage.by.username if usage.by is not None else None

    def get_remote_url(self, usage: Usage) -> str:
        return usage.remote_url if shows_share_address(self.context["request"].user, usage) else ""


def _connection(request: AuthedRequest, pk: int, action: str) -> Connection:
    return authority.access(request.user, Connection.objects.prefetch_related("collections"), action, pk=pk)


def _save(request: AuthedRequest, connection: Connection | None) -> Connection:
    payload = ConnectionSerializer(connection, data=request.data, partial=connection is not None)
    payload.is_valid(raise_exception=True)
    data = payload.validated_data
    return services.connection_save(
        actor=request.user, connection=connection,
        kind=data.get("kind", getattr(connection, "kind", "")), name=data.get("name", getattr(connection, "name", "")),
        base_url=data.get("base_url", getattr(connection, "base_url", "")), secret=data.get("secret"),
        collections=data.get("collections"))


class ConnectionList(APIView):
    @extend_schema(responses=ConnectionSerializer(many=True))
    def get(self, request: AuthedRequest) -> Response:
        shown = authority.visible(request.user, Connection.objects.prefetch_related("collections"))
        return Response({"results": ConnectionSerializer(shown, many=True).data})

    @extend_schema(request=ConnectionSerializer, responses={201: ConnectionSerializer})
    def post(self, request: AuthedRequest) -> Response:
        authority.require(request.user, "create", Connection)
        return Response(ConnectionSerializer(_save(request, None)).data, status=status.HTTP_201_CREATED)


class ConnectionDetail(APIView):
    @extend_schema(responses=ConnectionSerializer)
    def get(self, request: AuthedRequest, pk: int) -> Response:
        return Response(ConnectionSerializer(_connection(request, pk, "view")).data)

    @extend_schema(request=ConnectionSerializer, responses=ConnectionSerializer)
    def patch(self, request: AuthedRequest, pk: int) -> Response:
        return Response(ConnectionSerializer(_save(request, _connection(request, pk, "change"))).data)

    @extend_schema(responses={204: None})
    def delete(self, request: AuthedRequest, pk: int) -> Response:
        services.connection_delete(actor=request.user, connection=_connection(request, pk, "delete"))
        return Response(status=status.HTTP_204_NO_CONTENT)


class TargetUnavailable(APIException):
    status_code = 502
    default_detail = "The other system could not be asked."


class ConnectionTest(APIView):
    @extend_schema(request=None, responses=inline_serializer("ConnectionTestResult", {
        "ok": serializers.BooleanField(), "message": serializers.CharField()}))
    def post(self, request: AuthedRequest, pk: int) -> Response:
        outcome = services.connection_test(actor=request.user, connection=_connection(request, pk, "test"))
        return Response({"ok": outcome.ok, "message": outcome.message})


class ConnectionChannels(APIView):
    @extend_schema(responses=inline_serializer("ConnectionChannels", {"results": serializers.ListField(
        child=inline_serializer("Channel", {"id": serializers.CharField(), "name": serializers.CharField(),
                                            "identifier": serializers.CharField()}))}))
    def get(self, request: AuthedRequest, pk: int) -> Response:
        connection = _connection(request, pk, "push")
        try:
            channels = services.connection_channels(actor=request.user, connection=connection)
        except Problem as exc:
            raise TargetUnavailable(exc.message) from None
        return Response({"results": [{"id": c.id, "name": c.name, "identifier": c.identifier} for c in channels]})


class AssetPush(APIView):
    @extend_schema(
        request=inline_serializer("PushRequest", {
            "connection": serializers.IntegerField(), "preset": serializers.CharField(),
            "channels": serializers.ListField(child=serializers.CharField(), required=False),
            "text": serializers.CharField(required=False)}),
        responses={202: inline_serializer("PushAccepted", {
            "usage": serializers.IntegerField(), "usages": serializers.ListField(child=serializers.IntegerField())})})
    def post(self, request: AuthedRequest, uid: UUID) -> Response:
        if not authority.can(request.user, "push", Connection):
            raise PermissionDenied("You may not push assets to other systems.")
        asset = asset_selectors.access_asset(request.user, uid)
        raw = request.data.get("connection")
        try:
            connection = authority.access(request.user, Connection.objects.all(), "view", pk=int(str(raw)))
        except ValueError:
            raise serializers.ValidationError({"connection": ["Give the connection's id."]}) from None
        channels = request.data.get("channels") or []
        if not isinstance(channels, list):
            raise serializers.ValidationError({"channels": ["Give a list of channel ids."]})
        text = request.data.get("text")
        try:
            made = services.asset_push(actor=request.user, asset=asset, connection=connection,
                                       preset=str(request.data.get("preset") or ""), channels=channels,
                                       text=str(text) if text is not None else None)
        except services.PushRefused as exc:
            if exc.status == 409:
                raise StateConflict(exc.message) from None
            if exc.status == 403:
                raise PermissionDenied(exc.message) from None
            if exc.status == 404:
                raise NotFound(exc.message) from None
            raise serializers.ValidationError({exc.field or "non_field_errors": [exc.message]}) from None
        ids = [u.pk for u in made]
        return Response({"usage": ids[0], "usages": ids}, status=status.HTTP_202_ACCEPTED)


class AssetUsages(APIView):
    @extend_schema(responses=UsageSerializer(many=True))
    def get(self, request: AuthedRequest, uid: UUID) -> Response:
        asset = asset_selectors.access_asset(request.user, uid)
        shown = authority.visible(request.user, Usage.objects.filter(asset=asset)).select_related(
            "connection", "version", "by", "integration")
        return Response({"results": UsageSerializer(shown, many=True, context={"request": request}).data})


class UsedAssetSerializer(serializers.Serializer):
    uid = serializers.UUIDField(source="asset.uid")
    title = serializers.CharField(source="asset.title")
    count = serializers.IntegerField()
    latest = serializers.DateTimeField()


class UsageReportSerializer(serializers.Serializer):
    outdated = UsedAssetSerializer(many=True)
    outdated_assets = serializers.IntegerField()
    outdated_places = serializers.IntegerField()
    most_used = UsedAssetSerializer(many=True)


class UsageReport(APIView):
    @extend_schema(responses=UsageReportSerializer,
                   parameters=[OpenApiParameter("limit", int, description="Rows per list (1-200, default 20).")])
    def get(self, request: AuthedRequest) -> Response:
        """Where used: assets in use with an outdated version, and assets used in most places."""
        authority.require(request.user, "list", Usage)
        try:
            limit = int(request.query_params.get("limit", 20))
        except ValueError:
            limit = 0
        if not 1 <= limit <= 200:
            raise serializers.ValidationError({"limit": ["Give a whole number from 1 to 200."]})
        report = usage_selectors.usage_report(request.user, limit=limit)
        return Response(UsageReportSerializer(report).data)
