"""Every real-world file ingests with its metadata; every hostile one gets what corpus/README.md says."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from assets.models import Asset, AssetVersion, Rendition
from ingest.models import IngestItem
from tests.ingest.helpers import CORPUS, ingest_corpus_file, stored_files

REAL = sorted(p.name for p in (CORPUS / "real").iterdir())
BAD = sorted(p.name for p in (CORPUS / "bad").iterdir())

# What each real file must yield: facts from its embedded metadata (checked against exiftool's reading).
EXPECTED_REAL = {
    "Canon_40D.jpg": {"camera.Make": "Canon", "camera.Model": "Canon EOS 40D",
                      "camera.DateTimeOriginal": "2008:05:30 15:56:01"},
    "Nikon_D70.jpg": {"camera.Make": "NIKON CORPORATION", "camera.Model": "NIKON D70"},
    "Pentax_K10D.jpg": {"camera.Make": "PENTAX Corporation", "mapped.creator": "Laitche"},
    "Sony_HDR-HC3.jpg": {"camera.Make": "SONY"},
    "Fujifilm_FinePix_E500.jpg": {"camera.Make": "FUJIFILM"},
    "Kodak_CX7530.jpg": {"camera.Make": "EASTMAN KODAK COMPANY"},
    "Olympus_C8080WZ.jpg": {"camera.Make": "OLYMPUS CORPORATION"},
    "Panasonic_DMC-FZ30.jpg": {"camera.Make": "Panasonic"},
    "Reconyx_HC500_Hyperfire.jpg": {"camera.ISOSpeedRatings": 100},  # its make is only in the maker note
    "Canon_PowerShot_S40.jpg": {"camera.Model": "Canon PowerShot S40"},
    "gps_DSCN0010.jpg": {"gps.latitude": 43.4674483, "gps.longitude": 11.8851267},
    "gps_DSCN0012.jpg": {"gps.latitude": 43.4671567, "gps.longitude": 11.885395},
    "exiftool_GPS.jpg": {"gps.latitude": 54.9896667, "gps.longitude": -1.9141667, "mapped.creator": "Ian Britton"},
    "xmp_BlueSquare.jpg": {"mapped.title": "Blue Square Test File - .jpg",
                           "keywords": ["XMP", "Blue Square", "test file", "Photoshop", ".jpg"]},
    "exiftool_IPTC.jpg": {"mapped.title": "Test IPTC picture", "mapped.creator": "Phil Harvey",
                          "mapped.rights_holder": "Copyright 2004 Phil Harvey",
                          "keywords": ["ExifTool", "Test", "IPTC"], "iptc.City": "Kingston"},
    "exiftool_XMP.jpg": {"keywords": ["ExifTool", "Test", "XMP"], "mapped.creator": "Phil Harvey"},
    # ExifTool's MWG test image: every value marked RIGHT must win over the WRONG ones.
    "exiftool_MWG.jpg": {"mapped.description": "RIGHT-EXIF-Description", "mapped.rights_holder": "RIGHT-XMP-Copyright",
                         "mapped.creator": "RIGHT1of2-EXIF-Creator; RIGHT2of2-EXIF-Creator",
                         "mapped.city": "RIGHT-XMP-City", "mapped.state": "RIGHT-IPTC-State",
                         "keywords": ["RIGHT1of2-XMP-Keywords", "RIGHT2of2-XMP-Keywords"]},
    "long_description.jpg": {"mapped.creator": "SSG KYLE DAVIS"},
    "BSG1.tiff": {"exif.ImageWidth": 635},
    "samplefilehub.heif": {"exif.Orientation": 1},
}


def lookup(data: dict, dotted: str):
    for part in dotted.split("."):
        data = data[part]
    return data


@pytest.mark.parametrize("name", REAL)
def test_every_real_file_ingests_with_its_metadata_and_previews(name, api, django_capture_on_commit_callbacks):
    item = ingest_corpus_file(api["editor"], f"real/{name}", django_capture_on_commit_callbacks)
    assert item["outcome"] == "created", item
    version = AssetVersion.objects.get(asset__uid=item["asset"]["uid"])
    meta = version.embedded_metadata
    json.dumps(meta)  # JSON only: no bytes anywhere
    assert isinstance(meta["keywords"], list) and {"exif", "iptc", "xmp"} <= set(meta)
    assert version.width and version.height
    for dotted, expected in EXPECTED_REAL.get(name, {}).items():
        assert lookup(meta, dotted) == expected, dotted
    if "camera.Make" in EXPECTED_REAL.get(name, {}):  # copied to the columns the camera facet filters on
        assert version.camera_make == EXPECTED_REAL[name]["camera.Make"]
    if name == "Canon_40D.jpg":
        assert (version.camera_model, str(version.captured_on)) == ("Canon EOS 40D", "2008-05-30")
    renditions = {r.preset: r for r in version.renditions.all()}
    assert set(renditions) == {"thumb", "preview", "web"}
    assert all(r.status == Rendition.Status.READY for r in renditions.values()), [r.error for r in renditions.values()]
    with renditions["thumb"].file.open("rb") as fh, Image.open(fh) as thumb:
        assert thumb.format == "JPEG" and max(thumb.size) <= 400
        assert not thumb.getexif() and "icc_profile" not in thumb.info and "xmp" not in thumb.info
    assert len(version.phash) == 16


def test_embedded_fields_fill_the_asset_unless_the_uploader_gave_them(api, django_capture_on_commit_callbacks):
    item = ingest_corpus_file(api["editor"], "real/exiftool_IPTC.jpg", django_capture_on_commit_callbacks)
    asset = Asset.objects.get(uid=item["asset"]["uid"])
    assert asset.title == "Test IPTC picture" and asset.description == "A witty caption"
    assert asset.rights_holder == "Copyright 2004 Phil Harvey" and asset.metadata["creator"] == "Phil Harvey"
    page = api["editor"].get(f"/api/v1/assets/{asset.uid}/").json()
    assert page["current_version"]["embedded_metadata"]["keywords"] == ["ExifTool", "Test", "IPTC"]


def test_the_asset_page_shows_embedded_metadata(api, web, django_capture_on_commit_callbacks):
    item = ingest_corpus_file(api["editor"], "real/xmp_BlueSquare.jpg", django_capture_on_commit_callbacks)
    page = web("editor").get(f"/assets/{item['asset']['uid']}/").content.decode()
    assert "Embedded metadata" in page and "Blue Square" in page and "XMP (" in page


# What corpus/README.md says each hostile file must get. "created" files must keep their original;
# "rejected" ones leave no asset row and no stored object.
EXPECTED_BAD = {
    "pillow_decompression_bomb.gif": ("rejected", "too large"),
    "pillow_reallybig.bmp": ("rejected", "too large"),
    "pillow_decompression_bomb_extents.gif": ("created", None),
    "pillow_png_decompression_dos.png": ("rejected", "not a readable image"),
    "pillow_truncated_jpeg.jpg": ("created", None),
    "pillow_truncated_image.png": ("created", None),
    "pillow_broken.png": ("rejected", "named like a PNG"),
    "pillow_crash-0c7e0e8e11ce787078f00b5b0ca409a167f070e0.tif": ("created", None),  # header fine; decoder fails
    "pillow_crash-465703f71a0f0094873a3e0e82c9f798161171b8.sgi": ("rejected", "named like a SGI"),
    "pillow_invalid-exif.jpg": ("created", None),
    "pillow_hopper_bad_exif.jpg": ("created", None),
    "pillow_exif-dpi-zerodivision.jpg": ("created", None),
    "pillow_icc_profile_big.jpg": ("created", None),
    "exiftool_HTML.html": ("created", None),
    "exiftool_EXE.exe": ("rejected", "not accepted"),
    "exiftool_XMP.svg": ("created", None),
    "exiftool_PostScript.eps": ("created", None),
}


@pytest.mark.parametrize("name", [n for n in BAD if not n.startswith("zip-slip")])
def test_every_hostile_file_gets_a_clear_outcome(name, api, media_in_tmp, django_capture_on_commit_callbacks):
    outcome, reason = EXPECTED_BAD[name]
    item = ingest_corpus_file(api["editor"], f"bad/{name}", django_capture_on_commit_callbacks)
    assert item["outcome"] == outcome, item
    if outcome == "rejected":
        assert reason in item["reason"], item["reason"]
        assert Asset.objects.count() == 0 and AssetVersion.objects.count() == 0
        assert stored_files(media_in_tmp) == []
        assert IngestItem.objects.get(pk=item["id"]).reason == item["reason"]  # the refusal is on record
        return
    version = AssetVersion.objects.get(asset__uid=item["asset"]["uid"])
    json.dumps(version.embedded_metadata)
    assert default_storage.exists(version.file.name)  # the original is kept whatever happens to previews
    for rendition in version.renditions.all():
        if rendition.status == Rendition.Status.READY:
            with rendition.file.open("rb") as fh, Image.open(fh) as im:
                im.load()  # a complete JPEG, never a partial thumbnail
        else:
            assert rendition.status == Rendition.Status.FAILED and rendition.error.startswith("Preview unavailable")


@pytest.mark.parametrize("name", ["pillow_truncated_jpeg.jpg", "pillow_truncated_image.png",
                                  "pillow_crash-0c7e0e8e11ce787078f00b5b0ca409a167f070e0.tif"])
def test_broken_pixel_data_gets_no_preview_rather_than_a_partial_one(name, api, django_capture_on_commit_callbacks):
    item = ingest_corpus_file(api["editor"], f"bad/{name}", django_capture_on_commit_callbacks)
    statuses = set(Rendition.objects.filter(version__asset__uid=item["asset"]["uid"]).values_list("status", flat=True))
    assert statuses == {Rendition.Status.FAILED}


@pytest.mark.parametrize("name", ["pillow_invalid-exif.jpg", "pillow_hopper_bad_exif.jpg",
                                  "pillow_exif-dpi-zerodivision.jpg"])
def test_malformed_metadata_is_skipped_and_the_rest_kept(name, api, django_capture_on_commit_callbacks):
    item = ingest_corpus_file(api["editor"], f"bad/{name}", django_capture_on_commit_callbacks)
    meta = AssetVersion.objects.get(asset__uid=item["asset"]["uid"]).embedded_metadata
    assert meta["exif"] or meta["xmp"]  # something readable survived next to the broken fields
    assert all(value is not None for value in meta["exif"].values())


@pytest.mark.parametrize("name,mime", [("exiftool_HTML.html", "text/xml"), ("exiftool_XMP.svg", "image/svg+xml"),
                                       ("exiftool_PostScript.eps", "application/postscript")])
def test_active_content_is_stored_as_an_opaque_download(name, mime, api, web, django_capture_on_commit_callbacks):
    item = ingest_corpus_file(api["editor"], f"bad/{name}", django_capture_on_commit_callbacks)
    version = AssetVersion.objects.get(asset__uid=item["asset"]["uid"])
    assert version.mime_type == mime
    assert not version.renditions.exists()  # never opened by Pillow or Ghostscript, never rasterised
    download = api["editor"].get(f"/api/v1/assets/{item['asset']['uid']}/download/")
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert web("editor").get(f"/assets/{item['asset']['uid']}/v1/thumb.jpg").status_code == 404


def test_an_exe_renamed_jpg_is_refused_as_a_jpeg(api, django_capture_on_commit_callbacks):
    item = ingest_corpus_file(api["editor"], "bad/exiftool_EXE.exe", django_capture_on_commit_callbacks)
    assert item["outcome"] == "rejected"
    from tests.ingest.helpers import open_batch, send
    renamed = send(api["editor"], open_batch(api["editor"])["id"], (CORPUS / "bad/exiftool_EXE.exe").read_bytes(),
                   "holiday.jpg")[0]
    assert renamed["outcome"] == "rejected" and "named like a JPG file" in renamed["reason"]


@pytest.mark.parametrize("name", ["zip-slip.zip", "zip-slip.tar"])
def test_zip_slip_entries_are_refused_and_nothing_is_written_outside(name, api, tmp_path,
                                                                     django_capture_on_commit_callbacks):
    evil = Path("/tmp/evil.txt")
    before = evil.stat().st_mtime_ns if evil.exists() else None
    from tests.ingest.helpers import open_batch, send
    with django_capture_on_commit_callbacks(execute=True):
        items = send(api["editor"], open_batch(api["editor"])["id"], (CORPUS / "bad" / name).read_bytes(), name)
    by_outcome = {i["outcome"]: i for i in items}
    assert by_outcome["rejected"]["entry"].endswith("tmp/evil.txt")
    assert "zip slip" in by_outcome["rejected"]["reason"]
    assert by_outcome["created"]["entry"] == "good.txt" and by_outcome["created"]["archive"] == name
    assert (evil.stat().st_mtime_ns if evil.exists() else None) == before
