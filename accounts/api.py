"""API for signing in with a token, and listing or revoking one's tokens."""
from __future__ import annotations

from django.contrib.auth import authenticate
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts import selectors, services
from accounts.models import ApiToken
from dam.http import AuthedRequest


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    scope = serializers.ChoiceField(choices=ApiToken.Scope.choices, default=ApiToken.Scope.WRITE)
    name = serializers.CharField(required=False, allow_blank=True, max_length=100)


class TokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "scope", "created_at", "last_used_at", "revoked_at"]
        read_only_fields = fields


class TokenCreate(APIView):
    """Exchange a username and password for a token (shown once)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"

    @extend_schema(request=TokenRequestSerializer, responses={201: inline_serializer(
        "TokenCreated", {"token": serializers.CharField(), "scope": serializers.CharField(),
                         "id": serializers.IntegerField()})})
    def post(self, request: AuthedRequest) -> Response:
        payload = TokenRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        user = authenticate(request._request, username=data["username"], password=data["password"])
        if user is None:
            raise serializers.ValidationError({"detail": "Wrong username or password, or the account is disabled."})
        token, key = services.token_create(user=user, scope=data["scope"], name=data.get("name", ""), actor=user)
        return Response({"token": key, "scope": token.scope, "id": token.pk}, status=status.HTTP_201_CREATED)


class TokenList(APIView):
    @extend_schema(responses=TokenSerializer(many=True))
    def get(self, request: AuthedRequest) -> Response:
        return Response(TokenSerializer(selectors.tokens_of(request.user), many=True).data)


class TokenRevoke(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request: AuthedRequest, pk: int) -> Response:
        token = get_object_or_404(selectors.tokens_of(request.user), pk=pk)
        services.token_revoke(token=token, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
