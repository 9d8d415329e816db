"""Who may see and change automation rules: admins every rule; a collection manager the rules they own,
which act only inside folders they manage. Registered with accounts.permissions."""
from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from accounts import permissions as authority
from accounts.permissions import Policy, is_admin
from assets.models import Collection
from assets.permissions import collections_with_grant, has_collection_grant
from workflows.automation.models import AutomationRule, AutomationRun


def manages_a_folder(user: Any) -> bool:
    return is_admin(user) or collections_with_grant(user, "manage").exists()


def may_scope(user: Any, folders: list[Collection]) -> bool:
    """A non-admin's rule must be limited to folders they manage (and it must name some)."""
    return is_admin(user) or (bool(folders) and all(has_collection_grant(user, f, "manage") for f in folders))


class AutomationRulePolicy(Policy):
    model = AutomationRule

    def visible(self, user: Any, queryset: QuerySet) -> QuerySet:
        if is_admin(user):
            return queryset
        return queryset.filter(owner=user) if manages_a_folder(user) else queryset.none()

    def can(self, user: Any, action: str, obj: AutomationRule | None) -> bool:
        if action == "create" or (action == "view" and obj is None):  # the screens, and writing a rule
            return manages_a_folder(user)
        if obj is None or action not in ("view", "manage"):
            return False
        return is_admin(user) or (obj.owner_id == user.pk and may_scope(user, list(obj.scope.all())))


class AutomationRunPolicy(Policy):
    model = AutomationRun

    def visible(self, user: Any, queryset: QuerySet) -> QuerySet:
        return queryset.filter(rule__in=authority.visible(user, AutomationRule.objects.all()))

    def can(self, user: Any, action: str, obj: AutomationRun | None) -> bool:
        return obj is not None and action == "view" and authority.can(user, "view", obj.rule)


def register() -> None:
    authority.register(AutomationRulePolicy())
    authority.register(AutomationRunPolicy())
