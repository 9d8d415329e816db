"""A colour search that found nothing: the facets of the same search without its colour, and the colour
family nearest the one asked for among those that do have assets, so the page offers a way on."""
from __future__ import annotations

from typing import Any

from django.http import QueryDict

from assets import colors
from search import selectors as search_selectors
from search.filters import AssetFilter

COLOUR_PARAMS = ("color", "color_family")


def asked_lab(data: dict[str, Any]) -> tuple[float, float, float] | None:
    """The colour the search asked for, in CIELAB: its hex, else its family's swatch."""
    rgb = colors.parse_hex(data.get("color") or "") or colors.parse_hex(colors.FAMILY_SWATCH.get(
        data.get("color_family") or "", ""))
    return colors.rgb_to_lab(rgb) if rgb else None


def without_colour(filterset: AssetFilter, user: Any) -> tuple[QueryDict, dict[str, Any]] | None:
    """The query string and facets of `filterset`'s search without its colour conditions; None when it has none."""
    params = filterset.data.copy()
    if not any(params.get(name) for name in COLOUR_PARAMS):
        return None
    for name in (*COLOUR_PARAMS, "page"):
        params.pop(name, None)
    if params.get("ordering") == "color":
        params.pop("ordering")
    relaxed = type(filterset)(params, queryset=filterset.queryset, collections=filterset.filters["collection"]
                              .queryset, index_scope=filterset.index_scope, request=filterset.request)
    if not relaxed.is_valid():
        return None
    return params, search_selectors.facets_for(relaxed, user)


def nearest_family(lab: tuple[float, float, float], facet: dict[str, Any] | None) -> dict[str, Any] | None:
    """The value of the colour facet (families with assets) whose swatch is closest to `lab`."""
    values = [v for v in (facet or {}).get("values", []) if v.get("count")]
    if not values:
        return None
    return min(values, key=lambda v: colors.delta_e(lab, colors.rgb_to_lab(colors.parse_hex(v["swatch"]) or (0, 0, 0))))
