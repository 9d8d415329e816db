"""JSON API for search: GET /api/v1/assets/, the permission-filtered, faceted, paginated search."""
from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from assets import selectors as asset_selectors
from assets.api import AssetSerializer
from dam.api import Pagination
from dam.http import AuthedRequest
from search import selectors, services
from search.filters import AssetFilter
from search.models import SearchEvent


class AssetSearch(APIView):
    """GET /api/v1/assets/ (POST, a new asset, is ingest's: dam.urls puts the two on one path)."""

    @extend_schema(responses=AssetSerializer(many=True), parameters=[
        OpenApiParameter(name, str if kind is None else kind, many=name == "term")
        for name, kind in (("q", None), ("type", None), ("collection", int), ("status", None), ("term", int),
                           ("rights", None), ("orientation", None), ("uploaded", None),
                           ("uploaded_after", OpenApiTypes.DATE), ("uploaded_before", OpenApiTypes.DATE),
                           ("captured_after", OpenApiTypes.DATE), ("captured_before", OpenApiTypes.DATE),
                           ("make", None), ("camera_model", None), ("file_type", None), ("color", None),
                           ("color_family", None), ("ordering", None), ("facets", None))])
    def get(self, request: AuthedRequest) -> Response:
        """Search: the page of results, plus `facets` (send facets=0 to skip them) and `search` (how q was read)."""
        user = request.user
        filterset = AssetFilter(request.query_params, queryset=selectors.assets_for_api_list(user),
                                collections=asset_selectors.collections_visible_to(user), request=request,
                                index_scope=asset_selectors.LIVE)  # assets_for_api_list is the live list
        if not filterset.is_valid():
            raise serializers.ValidationError(filterset.errors)
        want_facets = request.query_params.get("facets", "1") not in ("0", "false", "no")
        found_facets = selectors.facets_for(filterset, user) if want_facets else {}
        # The facet statement counted the results.
        paginator = Pagination(count=filterset.matched_count, ids=filterset.result_ids(), rows=filterset.queryset)
        page = paginator.paginate_queryset(filterset.qs, request, view=self)
        # Recorded like a search on /assets/ (its first page only); API clients follow no result links, so an
        # API search is never marked opened.
        services.search_record(params=request.query_params, filter_names=filterset.filters,
                               result_count=paginator.page.paginator.count if paginator.page else 0,
                               source=SearchEvent.Source.API,
                               user=user)
        data = AssetSerializer(page, many=True, context={"request": request}).data
        response = paginator.get_paginated_response(data)
        response.data["facets"] = found_facets
        response.data["search"] = {"understood": filterset.parsed.understood,
                                   "did_you_mean": filterset.parsed.suggestions}
        return response
