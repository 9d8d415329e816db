"""Who sees and decides content analysis's suggestions and records (policies on the one authority)."""
from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from accounts import permissions as authority
from accounts.permissions import Cap, has_capability
from analysis.models import AnalysisRun, TermSuggestion
from assets.models import Asset, AssetVersion


def _curates(user: Any) -> bool:
    return has_capability(user, Cap.EDIT_METADATA) or has_capability(user, Cap.MANAGE_VOCABULARY)


class SuggestionPolicy(authority.Policy):
    """Suggestions are work for those who describe assets: editors and librarians, on the assets they see, and
    an owner on their own drafts. Viewers see the automatic terms on the asset, not the queue."""

    model = TermSuggestion

    def visible(self, user: Any, queryset: QuerySet) -> QuerySet:
        queryset = queryset.filter(asset__in=authority.visible(user, Asset.objects.all()))
        return queryset if _curates(user) else queryset.filter(Q(asset__owner=user))

    def can(self, user: Any, action: str, obj: TermSuggestion | None) -> bool:
        if obj is None:
            return False
        if action == "view":
            return authority.visible(user, TermSuggestion.objects.filter(pk=obj.pk)).exists()
        if action == "decide":
            return (has_capability(user, Cap.MANAGE_VOCABULARY) and authority.can(user, "view", obj.asset)) \
                or authority.can(user, "edit", obj.asset)
        return super().can(user, action, obj)


class RunPolicy(authority.Policy):
    """An analysis record is seen by whoever sees its version."""

    model = AnalysisRun

    def visible(self, user: Any, queryset: QuerySet) -> QuerySet:
        return queryset.filter(version__in=authority.visible(user, AssetVersion.objects.all()))

    def can(self, user: Any, action: str, obj: AnalysisRun | None) -> bool:
        if obj is not None and action == "view":
            return authority.can(user, "view", obj.version)
        return super().can(user, action, obj)


def register() -> None:
    authority.register(SuggestionPolicy())
    authority.register(RunPolicy())
