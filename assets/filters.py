"""One FilterSet for the asset list, shared by the UI and the API."""
from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet

from assets.models import Asset, AssetType, Collection, ReviewState


class AssetFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    type = django_filters.ChoiceFilter(field_name="asset_type", choices=AssetType.choices, label="Type",
                                       empty_label="Any type")
    collection = django_filters.ModelChoiceFilter(queryset=Collection.objects.none(), method="in_collection",
                                                  label="Collection", empty_label="Anywhere")
    status = django_filters.ChoiceFilter(field_name="current_version__review_state", choices=ReviewState.choices,
                                         label="Review state", empty_label="Any state")
    ordering = django_filters.OrderingFilter(
        fields=(("created_at", "created"), ("title", "title"), ("current_version__size", "size")),
        label="Sort by", empty_label="Newest first",
    )

    class Meta:
        model = Asset
        fields: list[str] = []

    def __init__(self, *args: Any, collections: QuerySet[Collection] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if collections is not None:
            self.filters["collection"].queryset = collections

    def search(self, queryset: QuerySet[Asset], name: str, value: str) -> QuerySet[Asset]:
        # Plain substring matching for now; vocabulary-aware full-text search replaces it.
        for word in value.split()[:10]:
            queryset = queryset.filter(
                Q(title__icontains=word) | Q(description__icontains=word)
                | Q(current_version__original_filename__icontains=word)
            )
        return queryset

    def in_collection(self, queryset: QuerySet[Asset], name: str, value: Collection) -> QuerySet[Asset]:
        return queryset.filter(collection__path__startswith=value.path)
