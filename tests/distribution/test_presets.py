"""Download presets: admins define them; derivatives come in the size, shape, format and metadata asked for."""
from __future__ import annotations

import io
import wave

import pyexiv2
import pytest
from PIL import Image

from assets.models import Rendition
from assets.services import renditions_generate
from distribution.models import DownloadEvent, Preset
from tests.factories import CORPUS, make_asset, png_bytes


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def picture(response) -> Image.Image:
    return Image.open(io.BytesIO(body(response)))


def jpeg(size=(1200, 800)) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, (200, 30, 30))
    for x in range(size[0] // 2):  # a left half of another colour: crops can be told apart
        for y in range(0, size[1], 50):
            image.putpixel((x, y), (0, 0, 255))
    image.paste((20, 20, 220), (0, 0, size[0] // 4, size[1]))
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def test_built_in_presets_exist_and_cannot_be_deleted(api):
    names = [p["name"] for p in api["viewer"].get("/api/v1/presets/").json()["results"]]
    assert names == ["original", "web", "print", "social-square", "thumbnail"]
    response = api["admin"].delete("/api/v1/presets/print/")
    assert response.status_code == 400 and "not deleted" in response.json()["errors"]["name"][0]


@pytest.mark.parametrize("role", ["librarian", "brand_manager", "editor", "contributor", "viewer"])
def test_only_admins_define_presets(api, role):
    response = api[role].post("/api/v1/presets/", {"name": "x", "format": "png"}, format="json")
    assert response.status_code == 403
    assert api[role].patch("/api/v1/presets/web/", {"quality": 50}, format="json").status_code == 403


@pytest.mark.parametrize(("values", "field"), [
    ({"max_width": 0}, "max_width"),
    ({"max_width": 50000}, "max_width"),
    ({"format": "bmp"}, "format"),
    ({"quality": 101}, "quality"),
    ({"fit": "cover", "max_width": 100}, "max_height"),
    ({"fit": "stretch"}, "fit"),
    ({"format": "original", "max_width": 100}, "max_width"),
])
def test_impossible_presets_are_refused_naming_the_field(api, values, field):
    response = api["admin"].post("/api/v1/presets/", {"name": "bad", **values}, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()["errors"]
    assert not Preset.objects.filter(name="bad").exists()


def test_a_png_preset_is_made_on_first_request_and_reused(api, people):
    asset = make_asset(people["editor"], approved=True, data=png_bytes(size=(640, 480)))
    created = api["admin"].post("/api/v1/presets/", {"name": "tiny-png", "max_width": 48, "max_height": 48,
                                                     "format": "png"}, format="json")
    assert created.status_code == 201, created.json()
    first = api["viewer"].get(f"/api/v1/assets/{asset.uid}/download/?preset=tiny-png")
    assert first.status_code == 200
    made = picture(first)
    assert made.format == "PNG" and made.size == (48, 36)
    assert first["Content-Disposition"].endswith("-tiny-png.png")
    rows = Rendition.objects.filter(version=asset.approved_version, preset="tiny-png")
    assert rows.count() == 1 and rows.get().status == Rendition.Status.READY
    second = api["viewer"].get(f"/api/v1/assets/{asset.uid}/download/?preset=tiny-png")
    assert body(second) == body(api["viewer"].get(f"/api/v1/assets/{asset.uid}/download/?preset=tiny-png"))
    assert rows.count() == 1  # cached per (version, recipe)
    event = DownloadEvent.objects.filter(preset="tiny-png").first()
    assert event.channel == "api" and event.user == people["viewer"]
    # A changed recipe is a new derivative; the old file is not served for it.
    api["admin"].patch("/api/v1/presets/tiny-png/", {"max_width": 32, "max_height": 32}, format="json")
    assert picture(api["viewer"].get(f"/api/v1/assets/{asset.uid}/download/?preset=tiny-png")).size == (32, 24)


@pytest.mark.parametrize(("fmt", "pillow"), [("jpeg", "JPEG"), ("png", "PNG"), ("webp", "WEBP"), ("avif", "AVIF")])
def test_each_format(api, people, fmt, pillow):
    asset = make_asset(people["editor"], approved=True, data=jpeg((800, 600)), filename="red.jpg")
    api["admin"].post("/api/v1/presets/", {"name": f"small-{fmt}", "max_width": 200, "max_height": 200,
                                           "format": fmt, "quality": 70}, format="json")
    response = api["viewer"].get(f"/api/v1/assets/{asset.uid}/download/?preset=small-{fmt}")
    assert response.status_code == 200
    made = picture(response)
    assert made.format == pillow and made.size == (200, 150)


def test_cover_crops_to_the_focal_point(api, people):
    asset = make_asset(people["editor"], approved=True, data=jpeg((1200, 600)), filename="wide.jpg")
    api["admin"].post("/api/v1/presets/", {"name": "square", "max_width": 300, "max_height": 300, "fit": "cover",
                                           "format": "png"}, format="json")
    centred = picture(api["viewer"].get(f"/api/v1/assets/{asset.uid}/download/?preset=square"))
    assert centred.size == (300, 300)
    asset.focal_x, asset.focal_y = 0.05, 0.5  # the blue band at the left edge
    asset.save(update_fields=["focal_x", "focal_y"])
    left = picture(api["viewer"].get(f"/api/v1/assets/{asset.uid}/download/?preset=square")).convert("RGB")
    assert left.size == (300, 300)
    r, g, b = left.getpixel((10, 150))
    assert b > 150 and r < 80  # the crop moved to the focal point
    r, g, b = centred.convert("RGB").getpixel((150, 150))
    assert r > 150  # the centre is red


def test_metadata_is_stripped_or_kept_without_location(api, people):
    data = (CORPUS / "real" / "gps_DSCN0010.jpg").read_bytes()
    asset = make_asset(people["editor"], approved=True, data=data, filename="gps.jpg")
    api["admin"].post("/api/v1/presets/", {"name": "kept", "max_width": 300, "max_height": 300,
                                           "strip_metadata": False}, format="json")
    api["admin"].post("/api/v1/presets/", {"name": "stripped", "max_width": 300, "max_height": 300,
                                           "metadata": "strip"}, format="json")
    kept = pyexiv2.ImageData(body(api["viewer"].get(f"/api/v1/assets/{asset.uid}/download/?preset=kept")))
    exif = kept.read_exif()
    kept.close()
    assert exif.get("Exif.Image.Make") and not any(key.startswith("Exif.GPSInfo") for key in exif)
    assert exif.get("Exif.Image.Orientation") in (None, "1")
    stripped = pyexiv2.ImageData(body(api["viewer"].get(f"/api/v1/assets/{asset.uid}/download/?preset=stripped")))
    assert not stripped.read_exif()
    stripped.close()


def test_the_built_in_web_preset_is_the_web_rendition_with_the_rights(api, people):
    asset = make_asset(people["editor"], approved=True, data=jpeg((800, 600)), filename="a.jpg")
    assert api["viewer"].get(f"/api/v1/assets/{asset.uid}/download/?preset=web").status_code == 202  # still made
    renditions_generate(version_id=asset.approved_version_id)
    response = api["viewer"].get(f"/api/v1/assets/{asset.uid}/download/?preset=web")
    assert response.status_code == 200
    # Not decoded again: the web rendition's own pixels, copied once with the asset's rights written in.
    standard = Rendition.objects.get(version=asset.approved_version, preset="web", variant="")
    copy = Rendition.objects.get(version=asset.approved_version, preset="web", variant__gt="")
    data = body(response)
    with Image.open(standard.file) as a, Image.open(io.BytesIO(data)) as b:
        assert a.tobytes() == b.tobytes() and (copy.width, copy.height) == (standard.width, standard.height)
    assert "Xmp.dc.title" in pyexiv2.ImageData(data).read_xmp()


def test_restricted_presets_are_for_editors(api, people, django_capture_on_commit_callbacks):
    asset = make_asset(people["editor"], approved=True)
    api["admin"].post("/api/v1/presets/", {"name": "master", "format": "png", "restricted": True}, format="json")
    assert api["viewer"].get(f"/api/v1/assets/{asset.uid}/download/?preset=master").status_code == 400
    # Full size is made by the job: 202 with Retry-After until it is there.
    with django_capture_on_commit_callbacks(execute=True):
        pending = api["editor"].get(f"/api/v1/assets/{asset.uid}/download/?preset=master")
    assert pending.status_code == 202 and pending["Retry-After"] == "5"
    assert pending.json()["status"] == "pending"
    response = api["editor"].get(f"/api/v1/assets/{asset.uid}/download/?preset=master")
    assert response.status_code == 200 and picture(response).format == "PNG"


def wav() -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(2)
        sound.setframerate(8000)
        sound.writeframes(b"\0\0" * 8000)
    return out.getvalue()


def test_a_picture_preset_of_a_file_without_pictures_is_a_conflict(api, people):
    asset = make_asset(people["editor"], approved=True, data=wav(), filename="jingle.wav")
    response = api["viewer"].get(f"/api/v1/assets/{asset.uid}/download/?preset=social-square")
    assert response.status_code == 409 and "original instead" in response.json()["detail"]
    assert api["viewer"].get(f"/api/v1/assets/{asset.uid}/download/?preset=original").status_code == 200


def test_admins_manage_presets_and_watermarks_in_the_ui(web, people):
    client = web("admin")
    assert b"Social square" in client.get("/settings/presets/").content
    bad = client.post("/settings/presets/new/", {"name": "huge", "max_width": "90000", "fit": "contain",
                                                  "format": "jpeg", "quality": "80", "color_profile": "srgb",
                                                  "position": "100"})
    assert bad.status_code == 400 and b"20000" in bad.content.replace(b",", b"")
    assert not Preset.objects.filter(name="huge").exists()
    ok = client.post("/settings/presets/new/", {"name": "banner", "max_width": "1600", "max_height": "400",
                                                 "fit": "cover", "format": "webp", "quality": "80",
                                                 "color_profile": "srgb", "metadata": "strip", "position": "50"})
    assert ok.status_code == 302 and Preset.objects.get(name="banner").format == "webp"
    text = client.post("/settings/presets/watermarks/new/", {"name": "Draft", "kind": "text", "text": "",
                                                             "position": "center", "scale": "50", "opacity": "40"})
    assert text.status_code == 400 and b"Give the text" in text.content
    assert client.post("/settings/presets/watermarks/new/", {"name": "Draft", "kind": "text", "text": "DRAFT",
                                                             "position": "center", "scale": "50",
                                                             "opacity": "40"}).status_code == 302
    assert client.post("/settings/presets/print/delete/").status_code == 302 and Preset.objects.filter(name="print")
    assert web("editor").get("/settings/presets/").status_code == 403


def test_presets_on_the_asset_page_and_their_downloads(web, people):
    asset = make_asset(people["editor"], approved=True, data=png_bytes(size=(640, 480)))
    page = web("viewer").get(asset.get_absolute_url()).content.decode()
    for label in ("Original", "Web", "Print", "Social square", "Thumbnail"):
        assert f">{label}</a>" in page
    assert "about" in page and "Delivery URLs" in page
    response = web("viewer").get(f"/assets/{asset.uid}/presets/thumbnail/")
    assert response.status_code in (200, 202)
    assert web("viewer").get(f"/assets/{asset.uid}/presets/nope/").status_code == 404


def test_the_focal_point_is_set_on_the_asset_page_and_the_api(web, api, people):
    asset = make_asset(people["editor"], approved=True)
    client = web("editor")
    assert client.post(f"/assets/{asset.uid}/focal-point/", {"x": "0.25", "y": "0.75"}).status_code == 302
    asset.refresh_from_db()
    assert (asset.focal_x, asset.focal_y) == (0.25, 0.75)
    assert api["editor"].get(f"/api/v1/assets/{asset.uid}/").json()["focal_point"] == [0.25, 0.75]
    refused = api["editor"].patch(f"/api/v1/assets/{asset.uid}/", {"focal_point": [2, 0.5]}, format="json")
    assert refused.status_code == 400
    assert api["editor"].patch(f"/api/v1/assets/{asset.uid}/", {"focal_point": None}, format="json").json()[
        "focal_point"] is None
    assert web("viewer").post(f"/assets/{asset.uid}/focal-point/", {"x": "0.5", "y": "0.5"}).status_code in (403, 404)
