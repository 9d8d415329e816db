"""Who may see and change a saved search, registered with the authority in accounts.permissions."""
from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from accounts import permissions as authority
from accounts.permissions import Policy, is_admin
from search.models import SavedSearch


class SavedSearchPolicy(Policy):
    """Its owner and the members of the group it is shared with see it; only the owner (or an admin) changes it.

    Seeing a shared search never widens what its results show: the search runs as
    the person who opens it, through their own asset visibility.
    """

    model = SavedSearch

    def visible(self, user: Any, queryset: QuerySet) -> QuerySet:
        return queryset.filter(Q(owner=user) | Q(shared_with__in=user.groups.all()))

    def can(self, user: Any, action: str, obj: SavedSearch | None) -> bool:
        if obj is None:
            return action == "create"
        if action == "view":
            return authority.visible(user, SavedSearch.objects.filter(pk=obj.pk)).exists()
        if action in ("edit", "delete"):
            return obj.owner_id == user.pk or is_admin(user)
        return super().can(user, action, obj)


def register() -> None:
    authority.register(SavedSearchPolicy())
