"""Rights written into downloads: every file that leaves carries the asset's current rights (EXIF, IPTC and XMP
kept consistent, MWG), read back with libexiv2 and through the ingest reader; the stored original never changes."""
from __future__ import annotations

import hashlib
import io
import json
import shutil
import subprocess
import zipfile

import pyexiv2
import pytest
from PIL import Image

from assets.models import Asset
from assets.services import renditions_generate
from distribution import embedding
from distribution.models import Preset
from ingest.metadata import read_image
from tests.factories import CORPUS, make_asset, png_bytes

HOLDER = "Hélène Fjord AS"
TERMS = "Editorial use only; no advertising."
LICENCE = "CC BY 4.0"  # from the licence list, whose address is its web statement
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def webp_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 80), (30, 90, 160)).save(out, "WEBP", quality=90)
    return out.getvalue()


FILES = {
    "jpeg": lambda: ((CORPUS / "real" / "exiftool_MWG.jpg").read_bytes(), "mwg.jpg"),
    "png": lambda: (png_bytes(size=(120, 80)), "scan.png"),
    "tiff": lambda: ((CORPUS / "real" / "BSG1.tiff").read_bytes(), "scan.tiff"),
    "webp": lambda: (webp_bytes(), "web.webp"),
}


def described(api, asset: Asset, **rights) -> Asset:
    """The asset's title, description and rights, set as a person sets them (the API's PATCH)."""
    answer = api["editor"].patch(f"/api/v1/assets/{asset.uid}/", {
        "title": "Harbour at dawn", "description": "Boats in Ålesund harbour at first light.",
        "metadata": {"creator": "Ann Berg"},
        "rights": {"rights_holder": HOLDER, "usage_terms": TERMS, "licence": LICENCE, **rights}}, format="json")
    assert answer.status_code == 200, answer.content
    return Asset.objects.select_related("approved_version").get(pk=asset.pk)


def metadata(data: bytes) -> dict[str, dict]:
    image = pyexiv2.ImageData(data)
    try:
        return {"exif": image.read_exif(), "iptc": image.read_iptc(), "xmp": image.read_xmp()}
    finally:
        image.close()


def assert_carries_rights(data: bytes, *, iptc: bool = True) -> None:
    found = metadata(data)
    exif, xmp = found["exif"], found["xmp"]
    assert exif["Exif.Image.Copyright"] == HOLDER and exif["Exif.Image.Artist"] == "Ann Berg"
    assert exif["Exif.Image.ImageDescription"] == "Boats in Ålesund harbour at first light."
    assert xmp["Xmp.dc.rights"] == {'lang="x-default"': HOLDER}
    assert xmp["Xmp.dc.title"] == {'lang="x-default"': "Harbour at dawn"}
    assert xmp["Xmp.dc.creator"] == ["Ann Berg"]
    assert xmp["Xmp.xmpRights.UsageTerms"] == {'lang="x-default"': TERMS}
    assert xmp["Xmp.xmpRights.WebStatement"] == LICENCE_URL and xmp["Xmp.xmpRights.Marked"] == "True"
    assert xmp["Xmp.photoshop.Credit"] == HOLDER  # the credit line: the rights holder when none is set
    assert "Xmp.photoshop.LegacyIPTCDigest" not in xmp
    if iptc:  # libexiv2 keeps no IPTC-IIM block in WebP: EXIF and XMP say it there
        assert found["iptc"]["Iptc.Application2.Copyright"] == HOLDER
        assert found["iptc"]["Iptc.Application2.ObjectName"] == "Harbour at dawn"
        assert found["iptc"]["Iptc.Application2.Credit"] == HOLDER
        assert found["iptc"]["Iptc.Application2.Byline"] == ["Ann Berg"]


def assert_reads_back(data: bytes, asset: Asset) -> None:
    """The ingest reader (MWG reconciliation) gives back the asset's own fields."""
    read = read_image(io.BytesIO(data))
    assert {k: read.fields.get(k) for k in ("title", "description", "creator", "rights_holder", "usage_terms")} == {
        "title": asset.title, "description": asset.description, "creator": "Ann Berg",
        "rights_holder": asset.rights_holder, "usage_terms": asset.usage_terms}
    assert read.raw.get("iptc_in_sync") is not False  # no stale digest left to make a reader distrust IPTC


def stored_sha256(asset: Asset) -> str:
    with asset.approved_version.file.open("rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()


def same_pixels(a: bytes, b: bytes) -> bool:
    with Image.open(io.BytesIO(a)) as one, Image.open(io.BytesIO(b)) as two:
        return one.tobytes() == two.tobytes()


@pytest.mark.parametrize("kind", sorted(FILES))
def test_downloads_of_each_format_carry_the_rights_and_the_original_stays(kind, api, web, people):
    data, name = FILES[kind]()
    asset = described(api, make_asset(people["editor"], approved=True, data=data, filename=name))
    version = asset.approved_version
    before = stored_sha256(asset)
    assert before == version.sha256
    # The signed-in download of the original (the asset page's button) and the API's.
    original = body(web("viewer").get(f"/assets/{asset.uid}/download/"))
    assert_carries_rights(original, iptc=kind != "webp")
    assert_reads_back(original, asset)
    assert same_pixels(original, data)
    assert body(api["viewer"].get(f"/api/v1/assets/{asset.uid}/download/?rendition=original")) == original
    # A preset made from it.
    Preset.objects.create(name="small", label="Small", max_width=60, max_height=60, format="jpeg")
    small = body(api["viewer"].get(f"/api/v1/assets/{asset.uid}/download/?preset=small"))
    assert Image.open(io.BytesIO(small)).format == "JPEG"
    assert_carries_rights(small)
    assert_reads_back(small, asset)
    # A preset that strips everything carries nothing, not even the rights.
    Preset.objects.create(name="bare", label="Bare", max_width=60, max_height=60, format="png",
                          metadata=Preset.Metadata.STRIP)
    bare = metadata(body(api["viewer"].get(f"/api/v1/assets/{asset.uid}/download/?preset=bare")))
    assert not bare["exif"] and not bare["iptc"] and not any(k.startswith(("Xmp.dc", "Xmp.xmpRights"))
                                                              for k in bare["xmp"])
    # The stored original never changed.
    assert stored_sha256(asset) == before


def test_the_rights_replace_what_the_original_said_and_blank_ones_are_removed(api, web, people):
    data = (CORPUS / "real" / "exiftool_MWG.jpg").read_bytes()
    asset = make_asset(people["editor"], approved=True, data=data, filename="mwg.jpg")
    assert metadata(data)["iptc"]["Iptc.Application2.Copyright"] == "WRONG-IPTC-Copyright"
    asset = described(api, asset, rights_holder="", licence="", usage_terms="")
    sent = metadata(body(web("viewer").get(f"/assets/{asset.uid}/download/")))
    assert "Exif.Image.Copyright" not in sent["exif"] and "Iptc.Application2.Copyright" not in sent["iptc"]
    assert "Xmp.dc.rights" not in sent["xmp"] and "Xmp.xmpRights.Marked" not in sent["xmp"]
    # With no licence URL, the web statement is the asset's page.
    assert sent["xmp"]["Xmp.xmpRights.WebStatement"].endswith(f"/assets/{asset.uid}/")
    # The original's place names stay for people signed in: they were there, nothing new is written.
    assert sent["iptc"]["Iptc.Application2.ProvinceState"] == "RIGHT-IPTC-State"


def test_a_share_link_download_carries_the_rights_without_the_location(api, client, people):
    data = (CORPUS / "real" / "gps_DSCN0010.jpg").read_bytes()
    asset = described(api, make_asset(people["editor"], approved=True, data=data, filename="gps.jpg"))
    before = stored_sha256(asset)
    link = api["editor"].post("/api/v1/share-links/", {"assets": [str(asset.uid)], "renditions": ["original"]},
                              format="json").json()
    sent = body(client.get(f"/s/{link['token']}/download/{asset.uid}/?rendition=original"))
    assert_carries_rights(sent)
    assert not any(key.startswith("Exif.GPSInfo") for key in metadata(sent)["exif"])
    assert stored_sha256(asset) == before


def test_delivery_urls_carry_the_rights_and_their_etag_follows_a_rights_edit(api, client, people):
    asset = described(api, make_asset(people["editor"], approved=True, data=png_bytes(size=(320, 240))))
    renditions_generate(version_id=asset.approved_version_id)
    rows = {row["preset"]: row["url"] for row in api["viewer"].get(
        f"/api/v1/assets/{asset.uid}/delivery/").json()["results"]}
    paths = {name: rows[name].split("testserver", 1)[1] for name in ("original", "web")}
    first = {name: client.get(path) for name, path in paths.items()}
    for name, response in first.items():
        assert response.status_code == 200, name
        assert_carries_rights(body(response))
        assert client.get(paths[name], HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    described(api, asset, rights_holder="Fjord Images")
    for name, path in paths.items():
        again = client.get(path, HTTP_IF_NONE_MATCH=first[name]["ETag"])
        assert again.status_code == 200 and again["ETag"] != first[name]["ETag"], name
        assert metadata(body(again))["xmp"]["Xmp.dc.rights"] == {'lang="x-default"': "Fjord Images"}


def test_a_lightbox_zip_carries_the_rights_in_each_original(api, people):
    asset = described(api, make_asset(people["editor"], approved=True, data=png_bytes(size=(64, 48))))
    box = api["viewer"].post("/api/v1/lightboxes/", {"name": "Press", "assets": [str(asset.uid)]},
                             format="json").json()
    answer = api["viewer"].get(f"/api/v1/lightboxes/{box['id']}/zip/?preset=original")
    assert answer.status_code == 200
    with zipfile.ZipFile(io.BytesIO(body(answer))) as archive:
        (member,) = archive.namelist()
        assert_carries_rights(archive.read(member))


def test_files_the_rights_cannot_go_into_leave_as_they_are(api, web, people, monkeypatch):
    asset = described(api, make_asset(people["editor"], approved=True, data=png_bytes(size=(64, 48))))
    with asset.approved_version.file.open("rb") as fh:
        stored = fh.read()
    # Above the size libexiv2 is trusted to rewrite in memory, the original goes unchanged.
    monkeypatch.setattr(embedding, "WRITE_LIMIT_DEFAULT", 10)
    assert body(web("viewer").get(f"/assets/{asset.uid}/download/")) == stored


def test_a_rights_edit_makes_a_new_derivative_and_a_strip_preset_reuses_the_rendition(api, people):
    asset = described(api, make_asset(people["editor"], approved=True, data=png_bytes(size=(320, 240))))
    Preset.objects.create(name="small", label="Small", max_width=60, max_height=60, format="webp")
    first = body(api["viewer"].get(f"/api/v1/assets/{asset.uid}/download/?preset=small"))
    described(api, asset, usage_terms="Any use.", channels=["web", "print"])
    second = body(api["viewer"].get(f"/api/v1/assets/{asset.uid}/download/?preset=small"))
    assert metadata(first)["xmp"]["Xmp.xmpRights.UsageTerms"] == {'lang="x-default"': TERMS}
    assert metadata(second)["xmp"]["Xmp.xmpRights.UsageTerms"] == {
        'lang="x-default"': "Any use. Channels: web, print."}
    assert asset.approved_version.renditions.filter(preset="small").count() == 2


def test_presets_choose_what_metadata_they_carry_in_the_api(api):
    made = api["admin"].post("/api/v1/presets/", {"name": "press", "max_width": 900}, format="json").json()
    assert made["metadata"] == "rights" and made["strip_metadata"] is False
    old = api["admin"].post("/api/v1/presets/", {"name": "old", "max_width": 900, "strip_metadata": True},
                            format="json").json()
    assert old["metadata"] == "strip" and old["strip_metadata"] is True
    wrong = api["admin"].patch("/api/v1/presets/press/", {"metadata": "some"}, format="json")
    assert wrong.status_code == 400 and "metadata" in wrong.json()["errors"]


def test_the_rights_say_marked_and_where_to_read_the_licence():
    from assets.embedding import Rights

    assert Rights(copyright="A").marked == "True"
    assert Rights(licence="https://creativecommons.org/publicdomain/zero/1.0/").marked == "False"
    assert Rights().marked == ""


@pytest.mark.skipif(not shutil.which("exiftool"), reason="ExifTool is not installed (Debian: libimage-exiftool-perl)")
@pytest.mark.parametrize("kind", sorted(FILES))
def test_exiftools_mwg_reading_of_a_download_gives_the_assets_fields(kind, api, web, people, tmp_path):
    data, name = FILES[kind]()
    asset = described(api, make_asset(people["editor"], approved=True, data=data, filename=name))
    path = tmp_path / name
    path.write_bytes(body(web("viewer").get(f"/assets/{asset.uid}/download/")))
    exiftool = shutil.which("exiftool") or "exiftool"
    read = json.loads(subprocess.run(  # noqa: S603  (our own file name, no shell)
        [exiftool, "-use", "MWG", "-json", "-G1", "-MWG:Description", "-MWG:Creator", "-MWG:Copyright",
         "-XMP-dc:Title", "-XMP-photoshop:Credit", "-XMP-xmpRights:UsageTerms", "-IPTCDigest", "-Warning",
         str(path)], capture_output=True, text=True, check=True).stdout)[0]
    assert read["MWG:Description"] == asset.description and read["MWG:Copyright"] == HOLDER
    assert read["MWG:Creator"] == "Ann Berg" and read["XMP-dc:Title"] == asset.title
    assert read["XMP-photoshop:Credit"] == HOLDER and read["XMP-xmpRights:UsageTerms"] == TERMS
    assert "Photoshop:IPTCDigest" not in read and "ExifTool:Warning" not in read


def test_the_asset_page_says_downloads_carry_the_rights(api, web, people):
    asset = described(api, make_asset(people["editor"], approved=True))
    page = web("viewer").get(f"/assets/{asset.uid}/").content.decode()
    assert HOLDER in page and "carry the title, description and these rights in their embedded metadata" in page


def test_the_recipe_carries_the_rights_only_where_they_can_be_written(api, people):
    from distribution.derivatives import spec_for

    asset = described(api, make_asset(people["editor"], approved=True))
    avif = Preset(name="avif", label="AVIF", format="avif")
    jpeg = Preset(name="jpeg", label="JPEG", format="jpeg")
    stripped = Preset(name="bare", label="Bare", format="jpeg", metadata=Preset.Metadata.STRIP)
    assert dict(spec_for(jpeg, asset).rights or ())["copyright"] == HOLDER
    # libexiv2 writes no AVIF here, and a stripped preset takes none: a rights edit makes no new file for them.
    assert spec_for(avif, asset).rights is None and spec_for(stripped, asset).rights is None


def test_a_share_link_zip_carries_the_rights_in_originals_and_presets(api, client, people):
    data = (CORPUS / "real" / "gps_DSCN0010.jpg").read_bytes()
    asset = described(api, make_asset(people["editor"], approved=True, data=data, filename="gps.jpg"))
    Preset.objects.create(name="small", label="Small", max_width=80, max_height=80, format="webp")
    link = api["editor"].post("/api/v1/share-links/", {"assets": [str(asset.uid)], "presets": ["original", "small"]},
                              format="json").json()
    for preset, iptc in (("original", True), ("small", False)):
        answer = client.get(f"/s/{link['token']}/zip/?preset={preset}")
        assert answer.status_code == 200, preset
        with zipfile.ZipFile(io.BytesIO(body(answer))) as archive:
            (member,) = [name for name in archive.namelist() if name != "README.txt"]
            sent = archive.read(member)
        assert_carries_rights(sent, iptc=iptc)
        assert not any(key.startswith("Exif.GPSInfo") for key in metadata(sent)["exif"])
