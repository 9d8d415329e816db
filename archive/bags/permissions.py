"""Who sees BagIt export jobs (registered with accounts.permissions from archive's AppConfig)."""
from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from accounts import permissions as authority
from accounts.permissions import Policy, is_admin
from archive.models import BagExport


class BagExportPolicy(Policy):
    """Anyone signed in may ask for a bag of what they may see (the job packs only that); a job and its
    file are seen by the person who asked and by admins."""

    model = BagExport

    def visible(self, user: Any, queryset: QuerySet) -> QuerySet:
        return queryset if is_admin(user) else queryset.filter(requested_by=user)

    def can(self, user: Any, action: str, obj: BagExport | None) -> bool:
        if obj is None:
            return action == "create"
        if action in ("view", "download"):
            return is_admin(user) or obj.requested_by_id == user.pk
        return super().can(user, action, obj)


def register() -> None:
    authority.register(BagExportPolicy())
