"""Who sees and fills an upload batch, registered with the authority in accounts.permissions."""
from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from accounts import permissions as authority
from accounts.permissions import Cap, Policy, has_capability, is_admin
from ingest.models import IngestBatch


class IngestBatchPolicy(Policy):
    """A batch is its uploader's report: they (and admins) see it; only they add files to it."""

    model = IngestBatch

    def visible(self, user: Any, queryset: QuerySet) -> QuerySet:
        return queryset if is_admin(user) else queryset.filter(created_by=user)

    def can(self, user: Any, action: str, obj: IngestBatch | None) -> bool:
        if obj is None:
            return False
        if not authority.visible(user, IngestBatch.objects.filter(pk=obj.pk)).exists():
            return False
        if action == "view":
            return True
        if action == "add_files":
            return obj.created_by_id == user.pk and has_capability(user, Cap.UPLOAD)
        return super().can(user, action, obj)


def register() -> None:
    authority.register(IngestBatchPolicy())
