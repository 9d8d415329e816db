"""API authentication: hashed, revocable tokens sent as `Authorization: Token <t>`."""
from __future__ import annotations

from typing import Any

from rest_framework import authentication, exceptions, permissions
from rest_framework.request import Request

from accounts.models import ApiToken
from accounts.selectors import token_for_key


class HashedTokenAuthentication(authentication.TokenAuthentication):
    """DRF's header parsing; our own lookup by hash, so secrets are never stored."""

    keyword = "Token"

    def authenticate_credentials(self, key: str) -> tuple[Any, ApiToken]:
        token = token_for_key(key)
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        return token.user, token


class TokenScopePermission(permissions.IsAuthenticated):
    """Signed in, and a read-only token may only read."""

    message = "This token is read-only."

    def has_permission(self, request: Request, view: Any) -> bool:
        if not super().has_permission(request, view):
            return False
        token = request.auth
        if isinstance(token, ApiToken) and token.scope == ApiToken.Scope.READ:
            return request.method in permissions.SAFE_METHODS
        return True
