"""PATCH without a precondition is applied (DESIGN.md's clients send one field) and says who edited last; with a
stale one it is refused."""
from __future__ import annotations

from tests.factories import make_asset


def test_an_edit_without_if_match_names_the_last_editor_and_a_stale_one_is_refused(api, people):
    asset = make_asset(people["editor"], title="Harbour")
    url = f"/api/v1/assets/{asset.uid}/"
    read = api["brand_manager"].get(url)
    etag = read["ETag"]
    first = api["editor"].patch(url, {"title": "Harbour at dusk"}, format="json")
    assert first.status_code == 200 and first.json()["updated_by"] == "editor"
    # The brand manager's copy is stale now: with its ETag the edit is refused, nothing written.
    stale = api["brand_manager"].patch(url, {"title": "Harbour (old read)"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 409
    assert api["brand_manager"].get(url).json()["title"] == "Harbour at dusk"
    # Without a precondition it is applied, and the answer says whose edit came last.
    blind = api["brand_manager"].patch(url, {"description": "Evening light"}, format="json")
    body = blind.json()
    assert blind.status_code == 200 and body["updated_by"] == "brand_manager" and body["title"] == "Harbour at dusk"
