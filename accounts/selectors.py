"""Read queries for accounts."""
from __future__ import annotations

from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import ApiToken, User


def token_for_key(key: str) -> ApiToken | None:
    """The active token with this secret, or None."""
    token = ApiToken.objects.active().select_related("user").filter(key_hash=ApiToken.hash_key(key)).first()
    if token is not None and (token.last_used_at is None or timezone.now() - token.last_used_at > timedelta(minutes=1)):
        # Throttled write: remembering "last used" must not turn every API read into a write.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token


def tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)


def users_with_roles() -> QuerySet[User]:
    return User.objects.order_by("username").prefetch_related("groups")
