"""Read queries for search: facets, saved searches and their "new since your last visit" counts."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import QueryDict

from accounts import permissions as authority
from assets import selectors
from assets.models import Asset
from search import facets
from search.filters import AssetFilter
from search.models import SavedSearch, SavedSearchVisit


class _AsUser:
    """The little of a request a FilterSet reads (the user), for searches run outside a request."""

    def __init__(self, user: Any):
        self.user = user


def search_as(user: Any, querystring: str) -> AssetFilter:
    """Run a list query string as `user`, through their own visibility."""
    return AssetFilter(QueryDict(querystring), queryset=selectors.assets_visible_to(user),
                       collections=selectors.collections_visible_to(user), request=_AsUser(user))


def assets_for_api_list(user: Any) -> QuerySet[Asset]:
    """Visible, live assets with everything AssetSerializer touches, so an API page costs the same at any size."""
    return selectors.with_versions_to_serialize(selectors.with_terms(selectors.live_assets_visible_to(user)))


def facets_for(filterset: AssetFilter, user: Any) -> dict[str, Any]:
    filterset.qs  # noqa: B018 -- evaluating qs runs the filters, which sets filterset.matched
    return facets.compute(filterset, selectors.collections_visible_to(user))


def saved_searches_for(user: Any) -> list[SavedSearch]:
    """The user's own saved searches and those shared with their groups, each with `new_count` set."""
    searches = list(authority.visible(user, SavedSearch.objects.all()).select_related("owner", "shared_with")
                    .order_by("name", "pk"))
    seen = dict(SavedSearchVisit.objects.filter(user=user, search__in=[s.pk for s in searches])
                .values_list("search_id", "seen_at"))
    for saved in searches:
        saved.new_count = new_since(user, saved, seen.get(saved.pk))  # type: ignore[attr-defined]
    return searches


def new_since(user: Any, saved: SavedSearch, since: datetime | None) -> int:
    """How many assets matching the search, visible to `user`, arrived after `since` (their last visit)."""
    filterset = search_as(user, saved.query)
    if not filterset.is_valid():
        return 0
    filterset.qs  # noqa: B018 -- runs the filters
    assert filterset.matched is not None
    return filterset.matched.filter(created_at__gt=since or saved.created_at).count()


def access_saved_search(user: Any, pk: int, action: str = "view") -> SavedSearch:
    return authority.access(user, SavedSearch.objects.select_related("owner", "shared_with"), action, pk=pk)
