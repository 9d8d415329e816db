"""Regions and channels are shown wherever a person decides on a use: the asset page's rights panel, the share
page, the picker's `dam:picked`, the API's `rights`, and the usage terms written into downloaded files."""
from __future__ import annotations

import pytest

from assets import services as asset_services
from distribution import integrations
from distribution.embedding import rights_for
from tests.factories import make_asset, png_bytes

CMS = "https://cms.example.net"


@pytest.fixture
def limited(people):
    asset = make_asset(people["editor"], approved=True, title="Harbour at dawn", data=png_bytes(size=(120, 90)))
    return asset_services.asset_update(asset=asset, actor=None, changes={
        "regions": ["FR", "DE"], "channels": ["web", "print"], "usage_terms": "Tourism campaign only."})


def test_the_asset_page_says_what_is_checked_and_what_is_for_people_to_respect(limited, web):
    page = web("viewer").get(limited.get_absolute_url()).content.decode()
    assert "<dt>Regions allowed</dt><dd>FR, DE" in page and "Not checked by the DAM" in page
    assert "<dt>Channels allowed</dt><dd>web, print" in page and "outside these are refused" in page


def test_an_asset_without_limits_says_anywhere(people, web):
    asset = make_asset(people["editor"], approved=True, title="Open harbour")
    page = web("viewer").get(asset.get_absolute_url()).content.decode()
    assert "<dt>Regions allowed</dt><dd>anywhere</dd>" in page and "<dt>Channels allowed</dt><dd>any</dd>" in page


def test_the_share_page_shows_regions_and_channels(limited, api, client):
    link = api["brand_manager"].post("/api/v1/share-links/", {"assets": [str(limited.uid)]}, format="json")
    assert link.status_code == 201, link.json()
    client.logout()
    page = client.get(f"/s/{link.json()['token']}/").content.decode()
    assert "May be used in: FR, DE. Channels: web, print." in page


def test_the_picker_and_the_api_hand_them_over(limited, web, api):
    integrations.integration_create(actor=None, name="CMS", allowed_origins=[CMS])
    picked = web("viewer").post("/picker/pick/", {"origin": CMS, "uids": [str(limited.uid)], "preset": "web"},
                                content_type="application/json")
    assert picked.status_code == 200
    row = picked.json()["assets"][0]
    assert (row["regions"], row["channels"]) == (["FR", "DE"], ["web", "print"])
    rights = api["viewer"].get(f"/api/v1/assets/{limited.uid}/").json()["rights"]
    assert (rights["regions"], rights["channels"]) == (["FR", "DE"], ["web", "print"])


def test_downloaded_files_carry_them_in_the_usage_terms(limited):
    assert rights_for(limited).usage_terms == "Tourism campaign only. Channels: web, print. Regions: FR, DE."
