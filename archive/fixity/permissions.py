"""Who sees fixity runs and starts one: admins (DESIGN.md: settings), registered with accounts.permissions.

The asset page's "Last verified" line is not governed here: whoever sees the asset sees when its file
was last found intact."""
from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from accounts import permissions as authority
from accounts.permissions import Policy, is_admin
from archive.models import FixityRun


class FixityRunPolicy(Policy):
    model = FixityRun
    actions = frozenset({"view", "create"})

    def visible(self, user: Any, queryset: QuerySet) -> QuerySet:
        return queryset if is_admin(user) else queryset.none()

    def can(self, user: Any, action: str, obj: FixityRun | None) -> bool:
        if action not in self.actions:
            return super().can(user, action, obj)
        return is_admin(user)


def register() -> None:
    authority.register(FixityRunPolicy())
