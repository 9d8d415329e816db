"""What a public link gives away: web-size copies by default; originals without where they were taken unless the
link's maker chose to keep it (audited); pages that no cache keeps; thumbnails only where the link offers pictures."""
from __future__ import annotations

import io
import re

import pyexiv2
import pytest
from PIL import Image

from accounts.models import AuditEvent
from assets.models import AssetVersion
from distribution import location
from tests.factories import CORPUS, make_asset


def create(client, assets, **extra):
    response = client.post("/api/v1/share-links/", {"assets": [str(a.uid) for a in assets], **extra}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def metadata_of(data: bytes) -> dict[str, dict]:
    image = pyexiv2.ImageData(data)
    try:
        return {"exif": image.read_exif(), "iptc": image.read_iptc(), "xmp": image.read_xmp()}
    finally:
        image.close()


def place_keys(found: dict[str, dict]) -> list[str]:
    keys = [*found["exif"], *found["iptc"], *found["xmp"]]
    return [k for k in keys if re.search(r"GPS|City|Country|\.State\b|Location|ProvinceState", k)]


def photo(people, name: str):
    return make_asset(people["editor"], approved=True, data=(CORPUS / "real" / name).read_bytes(), filename=name,
                      title=name)


def download(client, link, asset, rendition="original") -> bytes:
    response = client.get(f"/s/{link['token']}/download/{asset.uid}/?rendition={rendition}")
    assert response.status_code == 200, response.content[:300]
    return b"".join(response.streaming_content)


def test_a_new_link_offers_web_size_copies_not_the_original(api, people):
    link = create(api["editor"], [photo(people, "gps_DSCN0010.jpg")])
    assert link["presets"] == ["web"] and link["renditions"] == ["web"] and link["keep_location"] is False


@pytest.mark.parametrize("name", ["gps_DSCN0010.jpg", "exiftool_GPS.jpg", "exiftool_XMP.jpg", "exiftool_IPTC.jpg",
                                  "exiftool_MWG.jpg"])
def test_a_public_original_leaves_without_where_it_was_taken(client, api, people, name):
    asset = photo(people, name)
    with asset.approved_version.file.open("rb") as fh:
        stored = fh.read()
    assert place_keys(metadata_of(stored)), "the sample must carry a place to remove"
    link = create(api["editor"], [asset], renditions=["original"])
    served = download(client, link, asset)
    found = metadata_of(served)
    assert place_keys(found) == []
    # Only the place went: the pixels are the same and the camera's other facts are still there.
    with Image.open(io.BytesIO(stored)) as before, Image.open(io.BytesIO(served)) as after:
        assert before.tobytes() == after.tobytes()
    kept = {k: v for k, v in metadata_of(stored)["exif"].items() if k.startswith("Exif.Image.Make")}
    assert all(found["exif"].get(k) == v for k, v in kept.items())
    page = client.get(f"/s/{link['token']}/").content.decode()
    assert "without where it was taken (GPS position and place names removed)" in page


def test_keeping_the_location_is_a_choice_recorded_in_the_history(client, api, people):
    asset = photo(people, "gps_DSCN0012.jpg")
    link = create(api["editor"], [asset], renditions=["original"], keep_location=True)
    assert any(k.startswith("Exif.GPSInfo.") for k in metadata_of(download(client, link, asset))["exif"])
    event = AuditEvent.objects.get(verb="distribution.share_link.created")
    assert event.data["keep_location"] is True and event.data["presets"] == ["original"]
    assert "with all its embedded metadata, where it was taken included" in client.get(f"/s/{link['token']}/")\
        .content.decode()


def test_an_original_whose_place_cannot_be_removed_is_not_offered(client, api, people):
    asset = make_asset(people["editor"], approved=True, title="Clip")
    # A kind of file libexiv2 cannot rewrite, that ingest found a place in (a phone video's ISO 6709 tag).
    AssetVersion.objects.filter(pk=asset.approved_version_id).update(
        mime_type="video/mp4", embedded_metadata={"media": {"tags": {"location": "+59.9139+010.7522/"}}})
    link = create(api["editor"], [asset], renditions=["original", "thumb"])
    before = link["download_count"]
    response = client.get(f"/s/{link['token']}/download/{asset.uid}/?rendition=original")
    assert response.status_code == 403 and "cannot be removed from this kind of file" in response.content.decode()
    assert "The original is not offered" in client.get(f"/s/{link['token']}/").content.decode()
    assert api["editor"].get(f"/api/v1/share-links/{link['id']}/").json()["download_count"] == before


def test_the_public_pages_are_never_cached(client, api, people):
    asset = make_asset(people["editor"], approved=True)
    link = create(api["editor"], [asset], renditions=["original"], max_downloads=1)
    page = client.get(f"/s/{link['token']}/")
    assert "no-store" in page["Cache-Control"] and "private" in page["Cache-Control"]
    download(client, link, asset)
    gone = client.get(f"/s/{link['token']}/")
    assert gone.status_code == 410 and "no-store" in gone["Cache-Control"] and "private" in gone["Cache-Control"]


def test_thumbnails_only_where_the_link_offers_pictures(client, api, people):
    asset = make_asset(people["editor"], approved=True)
    originals = create(api["editor"], [asset], renditions=["original"])
    assert client.get(f"/s/{originals['token']}/thumb/{asset.uid}.jpg").status_code == 404
    assert "<img" not in client.get(f"/s/{originals['token']}/").content.decode()
    pictures = create(api["editor"], [asset], renditions=["web"])
    assert "<img" in client.get(f"/s/{pictures['token']}/").content.decode()


def test_location_removal_keeps_files_without_a_place_byte_for_byte_close(tmp_path):
    source = (CORPUS / "real" / "xmp_BlueSquare.jpg").read_bytes()
    path = tmp_path / "blue.jpg"
    path.write_bytes(source)
    assert location.remove_location(str(path)) is False
    assert path.read_bytes() == source  # nothing to remove: the file is not rewritten
