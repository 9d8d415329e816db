"""Colour search finds what the colour facet lists: every family's swatch finds the assets its facet counts, a
colour a few steps from an asset's own finds it, the API and the asset page show the dominant colours, and a
search with no result in that colour keeps its facets and names the nearest family that has assets."""
from __future__ import annotations

import pytest

from assets import colors
from tests.factories import make_asset
from tests.search.test_colors_saved import solid_png

# Colours that sit far from their family's swatch (dark, greyish or at a band's edge), as photos have them.
PAINTS = {"Maroon": (120, 20, 25), "Olive drab": (85, 110, 40), "Slate blue": (70, 90, 140),
          "Mustard": (200, 170, 40), "Teal": (20, 120, 130), "Dusty pink": (200, 120, 160)}


@pytest.fixture
def painted(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # renditions (and so colours) are made on commit
        return {name: make_asset(people["brand_manager"], title=name, approved=True, data=solid_png(rgb, i))
                for i, (name, rgb) in enumerate(PAINTS.items())}


def test_each_swatch_belongs_to_its_own_family():
    for family, swatch in colors.FAMILY_SWATCH.items():
        rgb = colors.parse_hex(swatch)
        assert rgb is not None and colors.family_of(rgb) == family


def test_each_swatch_finds_what_its_family_facet_counts(api, painted):
    viewer = api["viewer"]
    facet = {v["value"]: v["count"] for v in viewer.get("/api/v1/assets/").json()["facets"]["color_family"]["values"]}
    assert sum(facet.values()) >= len(PAINTS)
    for family, swatch in colors.FAMILY_SWATCH.items():
        by_family = {r["title"] for r in viewer.get("/api/v1/assets/", {"color_family": family}).json()["results"]}
        close_to = {r["title"] for r in viewer.get("/api/v1/assets/", {"color": swatch}).json()["results"]}
        assert len(by_family) == facet.get(family, 0)
        assert by_family <= close_to, f"close to the {family} swatch misses {by_family - close_to}"


def test_a_colour_a_few_steps_away_finds_the_asset(api, painted):
    version = painted["Slate blue"].current_version
    version.refresh_from_db()
    r, g, b = colors.parse_hex(version.dominant_colors[0]["hex"])
    nudged = f"#{min(r + 12, 255):02x}{max(g - 10, 0):02x}{min(b + 14, 255):02x}"
    titles = [a["title"] for a in api["viewer"].get("/api/v1/assets/", {"color": nudged}).json()["results"]]
    assert titles[0] == "Slate blue"  # the nearest first


def test_the_api_detail_lists_the_dominant_colours(api, painted):
    asset = painted["Teal"]
    body = api["viewer"].get(f"/api/v1/assets/{asset.uid}/").json()
    assert body["colors"], body
    top = body["colors"][0]
    assert set(top) == {"hex", "share", "family"}
    assert top["family"] == "cyan" and top["share"] > 0.9 and top["hex"].startswith("#")


def test_the_asset_page_shows_its_colours_as_links_to_close_to(web, painted):
    asset = painted["Maroon"]
    asset.current_version.refresh_from_db()
    hex_ = asset.current_version.dominant_colors[0]["hex"]
    page = web("viewer").get(asset.get_absolute_url()).content.decode()
    assert "Dominant colours" in page and f"?color=%23{hex_[1:]}" in page


def test_no_result_in_a_colour_keeps_the_facets_and_suggests_the_nearest_family(web, painted):
    page = web("viewer").get("/assets/", {"color_family": "orange"})
    assert page.context["paginator"].count == 0
    nearest = page.context["suggest_colour"]
    assert nearest["value"] == "yellow" and nearest["count"] == 1  # mustard: the family nearest orange with assets
    assert "color_family=yellow" in nearest["href"] and "orange" not in nearest["href"]
    assert page.context["has_facets"]
    families = {v["value"] for v in page.context["facets"]["color_family"]["values"]}
    assert {"red", "blue", "yellow"} <= families
    assert "The nearest colour with assets" in page.content.decode()


def test_a_search_with_results_suggests_no_colour(web, painted):
    page = web("viewer").get("/assets/", {"color_family": "red"})
    assert page.context["paginator"].count == 1 and page.context["suggest_colour"] is None
