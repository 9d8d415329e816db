"""DESIGN.md's role matrix for distribution's endpoints: presets, watermarks, integrations, download events,
delivery URLs, share links and their analytics, preset downloads, lightbox zips, the settings pages."""
from __future__ import annotations

import pytest

from tests.factories import make_asset, png_bytes

ROLES = ["admin", "librarian", "brand_manager", "editor", "contributor", "viewer", "outsider"]
SHARERS = {"admin", "brand_manager", "editor"}


@pytest.fixture
def approved(people):
    return make_asset(people["editor"], approved=True, data=png_bytes(size=(120, 90)))


def admin_only(role: str, allowed: int = 200) -> int:
    return allowed if role == "admin" else 403


@pytest.mark.parametrize("role", ROLES)
def test_presets_and_watermarks(api, role):
    assert api[role].get("/api/v1/presets/").status_code == 200  # everyone chooses among them
    made = api[role].post("/api/v1/presets/", {"name": f"p-{role}", "format": "png"}, format="json")
    assert made.status_code == admin_only(role, 201)
    assert api[role].patch("/api/v1/presets/web/", {"quality": 80}, format="json").status_code == admin_only(role)
    assert api[role].delete("/api/v1/presets/thumbnail/").status_code == (400 if role == "admin" else 403)
    mark = api[role].post("/api/v1/watermarks/", {"name": f"w-{role}", "kind": "text", "text": "x"}, format="json")
    assert mark.status_code == admin_only(role, 201)
    api["admin"].post("/api/v1/watermarks/", {"name": "Everyone's", "kind": "text", "text": "x"}, format="json")
    listing = api[role].get("/api/v1/watermarks/")
    # Those who make share links see the watermarks, to choose one; the others see none.
    assert listing.status_code == 200
    assert bool(listing.json()["results"]) == (role in SHARERS)


@pytest.mark.parametrize("role", ROLES)
def test_integrations_and_download_events(api, role):
    made = api[role].post("/api/v1/integrations/", {"name": f"i-{role}", "allowed_origins": ["https://cms.example"]},
                          format="json")
    assert made.status_code == admin_only(role, 201)
    assert api[role].get("/api/v1/integrations/").status_code == admin_only(role)
    assert api[role].get("/api/v1/download-events/").status_code == admin_only(role)


@pytest.mark.parametrize("role", ROLES)
def test_downloads_delivery_and_share_links(api, web, people, approved, role):
    sees = role != "outsider"
    assert api[role].get(f"/api/v1/assets/{approved.uid}/download/?preset=thumbnail").status_code in (
        (200, 202) if sees else (404,))
    assert api[role].get(f"/api/v1/assets/{approved.uid}/delivery/").status_code == (200 if sees else 404)
    link = api[role].post("/api/v1/share-links/", {"assets": [str(approved.uid)]}, format="json")
    assert link.status_code == (201 if role in SHARERS else 403)
    others = api["admin"].post("/api/v1/share-links/", {"assets": [str(approved.uid)]}, format="json").json()
    analytics = api[role].get(f"/api/v1/share-links/{others['id']}/analytics/").status_code
    assert analytics == (200 if role == "admin" else 404)
    page = web(role).get(f"/assets/{approved.uid}/presets/original/")
    assert page.status_code == (200 if sees else 404)


@pytest.mark.parametrize("role", ROLES)
def test_settings_pages(web, role):
    for path in ("/settings/presets/", "/settings/presets/new/", "/settings/presets/watermarks/new/"):
        assert web(role).get(path).status_code == admin_only(role), path


@pytest.mark.parametrize("role", ROLES)
def test_lightbox_zips(api, people, approved, role):
    own = api[role].post("/api/v1/lightboxes/", {"name": "Mine", "assets": []}, format="json")
    assert own.status_code == 201
    api[role].post(f"/api/v1/lightboxes/{own.json()['id']}/assets/", {"assets": [str(approved.uid)]}, format="json")
    zipped = api[role].get(f"/api/v1/lightboxes/{own.json()['id']}/zip/")
    assert zipped.status_code == (200 if role != "outsider" else 409)  # an outsider's lightbox holds nothing
    others = api["admin"].post("/api/v1/lightboxes/", {"name": "Admin's", "assets": [str(approved.uid)]},
                               format="json").json()
    assert api[role].get(f"/api/v1/lightboxes/{others['id']}/zip/").status_code == (200 if role == "admin" else 404)
