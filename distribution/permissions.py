"""Who sees and manages share links and webhooks (registered with accounts.permissions)."""
from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from accounts import permissions as authority
from accounts.permissions import Cap, Policy, has_capability, is_admin
from distribution.models import ShareLink, Webhook


class ShareLinkPolicy(Policy):
    model = ShareLink

    def visible(self, user: Any, queryset: QuerySet) -> QuerySet:
        return queryset if is_admin(user) else queryset.filter(created_by=user)

    def can(self, user: Any, action: str, obj: ShareLink | None) -> bool:
        if obj is None:
            return action == "create" and has_capability(user, Cap.SHARE)
        if action in ("view", "revoke"):
            return is_admin(user) or obj.created_by_id == user.pk
        return super().can(user, action, obj)


class WebhookPolicy(Policy):
    """Webhooks send events about every asset to outside addresses: admins only (DESIGN.md: settings)."""

    model = Webhook
    actions = frozenset({"create", "view", "change", "delete", "redeliver", "ping"})

    def visible(self, user: Any, queryset: QuerySet) -> QuerySet:
        return queryset if is_admin(user) else queryset.none()

    def can(self, user: Any, action: str, obj: Webhook | None) -> bool:
        if action not in self.actions:
            return super().can(user, action, obj)
        return is_admin(user)


def register() -> None:
    authority.register(ShareLinkPolicy())
    authority.register(WebhookPolicy())
