"""Webhook subscriptions over the API (admins): `url`, `events`, `active`; the secret once, in the create answer."""
from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import permissions as authority
from dam.api import Pagination
from dam.http import AuthedRequest
from distribution.forms_webhooks import DeliveryFilter
from distribution.models import Webhook, WebhookDelivery, WebhookEvent
from distribution.webhooks import selectors, services


class WebhookSerializer(serializers.ModelSerializer):
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)  # type: ignore[var-annotated]
    last_delivery = serializers.SerializerMethodField()

    class Meta:
        model = Webhook
        fields = ["id", "url", "events", "active", "created_by", "created_at", "updated_at", "last_delivery"]
        read_only_fields = fields

    @extend_schema_field(inline_serializer("LastDelivery", {
        "status": serializers.CharField(), "response_code": serializers.IntegerField(allow_null=True),
        "created_at": serializers.DateTimeField()}, allow_null=True))
    def get_last_delivery(self, webhook: Webhook) -> dict[str, Any] | None:
        if getattr(webhook, "last_status", None) is None:
            return None
        return {"status": webhook.last_status, "response_code": webhook.last_response_code,  # type: ignore[attr-defined]
                "created_at": webhook.last_delivery_at}  # type: ignore[attr-defined]


class WebhookCreatedSerializer(WebhookSerializer):
    secret = serializers.CharField(read_only=True, help_text="The signing secret; shown in this answer only.")

    class Meta(WebhookSerializer.Meta):
        fields = [*WebhookSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class WebhookWriteSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=services.MAX_URL_LENGTH, help_text="http(s) address of the receiver.")
    events = serializers.ListField(child=serializers.ChoiceField(choices=WebhookEvent.choices), allow_empty=False)
    active = serializers.BooleanField(default=True)


class DeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookDelivery
        fields = ["id", "event", "status", "attempts", "response_code", "error", "duration_ms", "created_at",
                  "last_attempt_at", "next_attempt_at", "delivered_at", "redelivery_of", "payload"]
        read_only_fields = fields


def _webhook(request: AuthedRequest, pk: int, action: str = "view") -> Webhook:
    return authority.access(request.user, selectors.webhooks_for(request.user), action, pk=pk)


class WebhookListCreate(APIView):
    @extend_schema(responses=WebhookSerializer(many=True))
    def get(self, request: AuthedRequest) -> Response:
        authority.require(request.user, "view", Webhook)
        paginator = Pagination()
        page = paginator.paginate_queryset(selectors.webhooks_for(request.user), request, view=self)
        return paginator.get_paginated_response(WebhookSerializer(page, many=True).data)

    @extend_schema(request=WebhookWriteSerializer, responses={201: WebhookCreatedSerializer})
    def post(self, request: AuthedRequest) -> Response:
        authority.require(request.user, "create", Webhook)
        payload = WebhookWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        webhook, secret = services.webhook_create(actor=request.user, **payload.validated_data)
        webhook.secret = secret  # type: ignore[attr-defined]
        return Response(WebhookCreatedSerializer(webhook).data, status=status.HTTP_201_CREATED)


class WebhookDetail(APIView):
    @extend_schema(responses=WebhookSerializer)
    def get(self, request: AuthedRequest, pk: int) -> Response:
        return Response(WebhookSerializer(_webhook(request, pk)).data)

    @extend_schema(request=WebhookWriteSerializer(partial=True), responses=WebhookSerializer)
    def patch(self, request: AuthedRequest, pk: int) -> Response:
        webhook = _webhook(request, pk, "change")
        payload = WebhookWriteSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        services.webhook_update(webhook=webhook, actor=request.user, **payload.validated_data)
        return Response(WebhookSerializer(_webhook(request, pk)).data)

    @extend_schema(responses={204: None})
    def delete(self, request: AuthedRequest, pk: int) -> Response:
        services.webhook_delete(webhook=_webhook(request, pk, "delete"), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class DeliveryList(APIView):
    @extend_schema(parameters=[OpenApiParameter("status", enum=WebhookDelivery.Status.values),
                               OpenApiParameter("event")], responses=DeliverySerializer(many=True))
    def get(self, request: AuthedRequest, pk: int) -> Response:
        webhook = _webhook(request, pk)
        paginator = Pagination()
        deliveries = DeliveryFilter(request.query_params, queryset=selectors.deliveries_of(webhook))
        if not deliveries.is_valid():
            raise serializers.ValidationError(deliveries.errors)
        page = paginator.paginate_queryset(deliveries.qs, request, view=self)
        return paginator.get_paginated_response(DeliverySerializer(page, many=True).data)


def _queued(made: WebhookDelivery) -> Response:
    made.refresh_from_db()  # the job may have run already (it is queued on commit)
    return Response(DeliverySerializer(made).data, status=status.HTTP_202_ACCEPTED)


class DeliveryRedeliver(APIView):
    @extend_schema(request=None, responses={202: DeliverySerializer})
    def post(self, request: AuthedRequest, pk: int, did: int) -> Response:
        webhook = _webhook(request, pk, "redeliver")
        original = get_object_or_404(WebhookDelivery.objects.select_related("webhook"), webhook=webhook, pk=did)
        return _queued(services.delivery_redeliver(delivery=original, actor=request.user))


class WebhookPing(APIView):
    @extend_schema(request=None, responses={202: DeliverySerializer})
    def post(self, request: AuthedRequest, pk: int) -> Response:
        return _queued(services.webhook_ping(webhook=_webhook(request, pk, "ping"), actor=request.user))
