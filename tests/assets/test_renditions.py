"""Renditions: queued after commit, made upright and without metadata; failures recorded."""
from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageChops, ImageStat

from assets.models import Rendition
from ingest.services import asset_ingest
from tests.factories import CORPUS, library


def ingest(name, people, captured):
    data = (CORPUS / name).read_bytes()
    with captured(execute=True):
        asset = asset_ingest(fileobj=SimpleUploadedFile(name, data), filename=Path(name).name,
                             actor=people["editor"], collection=library())
    return asset


def thumb_image(asset) -> Image.Image:
    rendition = asset.current_version.renditions.get(preset="thumb")
    assert rendition.status == Rendition.Status.READY, rendition.error
    with rendition.file.open("rb") as fh:
        return Image.open(io.BytesIO(fh.read()))


def test_renditions_are_made_after_commit(people, django_capture_on_commit_callbacks):
    asset = ingest("real/gps_DSCN0010.jpg", people, django_capture_on_commit_callbacks)
    renditions = {r.preset: r for r in asset.current_version.renditions.all()}
    assert set(renditions) == {"thumb", "preview", "web"}
    thumb = thumb_image(asset)
    assert max(thumb.size) == 400 and thumb.format == "JPEG"
    assert not thumb.getexif() and "icc_profile" not in thumb.info  # no GPS or camera data in renditions
    with asset.current_version.file.open("rb") as fh:
        assert Image.open(fh).getexif()  # the original keeps its metadata


def test_large_presets_are_progressive_and_the_thumbnail_baseline(people, django_capture_on_commit_callbacks):
    asset = ingest("real/Reconyx_HC500_Hyperfire.jpg", people, django_capture_on_commit_callbacks)
    progressive = {}
    for rendition in asset.current_version.renditions.all():
        with rendition.file.open("rb") as fh, Image.open(fh) as im:
            progressive[rendition.preset] = bool(im.info.get("progressive"))
    assert progressive == {"web": True, "preview": True, "thumb": False}


@pytest.mark.parametrize("n", range(2, 9))
def test_every_exif_orientation_comes_out_upright(people, django_capture_on_commit_callbacks, n):
    reference = thumb_image(ingest("real/orientation_landscape_1.jpg", people, django_capture_on_commit_callbacks))
    turned = thumb_image(ingest(f"real/orientation_landscape_{n}.jpg", people, django_capture_on_commit_callbacks))
    assert turned.size == reference.size
    def distance(a, b):
        return ImageStat.Stat(ImageChops.difference(a.convert("L"), b.convert("L"))).mean[0]

    # The test images differ in a printed digit and JPEG noise (~14); a wrongly turned one is ~67 away.
    upright = distance(reference, turned)
    assert upright < 30, f"orientation {n} differs from upright by {upright:.1f}"
    assert distance(reference, turned.rotate(180)) > 2 * upright


def test_a_preview_that_cannot_be_made_is_recorded_and_the_original_kept(people, django_capture_on_commit_callbacks):
    asset = ingest("bad/pillow_decompression_bomb_extents.gif", people, django_capture_on_commit_callbacks)
    version = asset.current_version
    states = {r.preset: r.status for r in version.renditions.all()}
    assert set(states) == {"thumb", "preview", "web"}
    assert version.file.storage.exists(version.file.name)
    failed = [r for r in version.renditions.all() if r.status == Rendition.Status.FAILED]
    assert all(r.error for r in failed)


def test_running_a_rendition_job_twice_is_harmless(people, django_capture_on_commit_callbacks):
    from assets.services import rendition_generate

    asset = ingest("real/Canon_40D.jpg", people, django_capture_on_commit_callbacks)
    first = asset.current_version.renditions.get(preset="thumb")
    again = rendition_generate(version_id=asset.current_version.pk, preset="thumb")
    assert again.pk == first.pk and again.file.name == first.file.name
    assert rendition_generate(version_id=999_999, preset="thumb") is None


def test_a_rendition_job_reads_its_rows_together_and_makes_a_missing_one(
        people, django_capture_on_commit_callbacks):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from assets.services import renditions_generate

    asset = ingest_bytes(made_image("RGB", "JPEG"), "photo.jpg", people, django_capture_on_commit_callbacks,
                         execute=False)
    version = asset.current_version
    version.renditions.filter(preset="web").delete()  # as for a version from before the upload made its rows
    with CaptureQueriesContext(connection) as captured:
        made = renditions_generate(version_id=version.pk)
    assert [r.preset for r in made] == ["thumb", "preview", "web"]
    assert {r.status for r in made} == {Rendition.Status.READY}
    reads = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT") and
             'FROM "assets_rendition"' in q["sql"]]
    # The rows, once more after making the missing one, once locked to count the attempt, and as they ended.
    assert len(reads) == 4, reads
    assert version.renditions.count() == 3


def test_thumbnail_is_served_inline_only_through_the_permission_check(people, web, django_capture_on_commit_callbacks):
    asset = ingest("real/Canon_40D.jpg", people, django_capture_on_commit_callbacks)
    url = f"/assets/{asset.uid}/v1/thumb.jpg"
    assert web("editor").get(url).status_code == 200
    assert web("viewer").get(url).status_code == 404  # a draft: viewers do not see it


def made_image(mode: str, fmt: str, **save) -> bytes:
    """A 900x600 picture with a gradient and shapes, in the given mode and format."""
    rgb = Image.linear_gradient("L").resize((900, 600)).convert("RGB")
    rgb.paste((200, 40, 40), (100, 100, 400, 300))
    rgb.paste((30, 60, 220), (500, 250, 800, 500))
    if mode == "I;16":
        im = Image.fromarray(np.asarray(rgb.convert("L")).astype(np.uint16) * 257)
    elif mode == "RGBA":
        im = rgb.convert("RGBA")
        im.putalpha(Image.new("L", rgb.size, 255))
        im.paste((0, 0, 0, 0), (0, 0, 450, 600))  # left half fully transparent
    else:
        im = rgb.convert(mode)
    out = io.BytesIO()
    im.save(out, fmt, **save)
    return out.getvalue()


def ingest_bytes(data: bytes, name: str, people, captured, execute: bool = True):
    with captured(execute=execute):
        return asset_ingest(fileobj=SimpleUploadedFile(name, data), filename=name, actor=people["editor"],
                            collection=library())


@pytest.mark.parametrize("mode,fmt,name", [("CMYK", "JPEG", "cmyk.jpg"), ("I;16", "PNG", "grey16.png"),
                                           ("RGBA", "PNG", "alpha.png"), ("L", "TIFF", "grey.tif"),
                                           ("RGB", "WEBP", "photo.webp"), ("P", "GIF", "palette.gif")])
def test_every_colour_mode_comes_out_as_8_bit_srgb(mode, fmt, name, people, django_capture_on_commit_callbacks):
    source = made_image(mode, fmt)
    asset = ingest_bytes(source, name, people, django_capture_on_commit_callbacks)
    thumb = thumb_image(asset)
    assert thumb.mode == "RGB" and thumb.size == (400, 267)
    reference = Image.open(io.BytesIO(made_image("RGB", "PNG"))).resize(thumb.size)
    if mode == "RGBA":
        reference.paste((255, 255, 255), (0, 0, 200, 267))  # transparency is flattened onto white
    # A wrong conversion (16-bit grey clipped to white, CMYK numbers read as RGB) is more than 100 away.
    distance = ImageStat.Stat(ImageChops.difference(reference.convert("L"), thumb.convert("L"))).mean[0]
    assert distance < 25, f"{name} is {distance:.1f} away from the picture it shows"


def test_the_pixel_limit_is_checked_before_a_rendition_decodes(people, settings, django_capture_on_commit_callbacks):
    from assets.services import renditions_generate

    asset = ingest_bytes(made_image("RGB", "JPEG"), "photo.jpg", people, django_capture_on_commit_callbacks,
                         execute=False)
    settings.DAM_MAX_IMAGE_PIXELS = 900 * 600 - 1  # lowered after ingest: only the rendition job can refuse it
    made = renditions_generate(version_id=asset.current_version.pk)
    assert {r.status for r in made} == {Rendition.Status.FAILED}
    assert all("more pixels than this DAM accepts" in r.error for r in made)


def test_a_decoder_error_names_no_server_path(people, settings, media_in_tmp, django_capture_on_commit_callbacks):
    asset = ingest("bad/pillow_crash-0c7e0e8e11ce787078f00b5b0ca409a167f070e0.tif", people,
                   django_capture_on_commit_callbacks)
    errors = [r.error for r in asset.current_version.renditions.all()]
    assert all(e.startswith("Preview unavailable: ") for e in errors)
    assert not any(str(media_in_tmp) in e or "/" in e.removeprefix("Preview unavailable: ") for e in errors)


def test_the_thumbnail_is_recorded_before_the_larger_presets(people, monkeypatch,
                                                              django_capture_on_commit_callbacks):
    from assets.services import renditions as services

    asset = ingest_bytes(made_image("RGB", "JPEG"), "photo.jpg", people, django_capture_on_commit_callbacks,
                         execute=False)
    version = asset.current_version
    seen = []
    record = services._rendition_ready

    def recorded(row, result, version):
        record(row, result, version)
        seen.append(dict(version.renditions.values_list("preset", "status")))

    monkeypatch.setattr(services, "_rendition_ready", recorded)
    services.renditions_generate(version_id=version.pk)
    assert seen[0] == {"thumb": "ready", "web": "pending", "preview": "pending"}
    assert seen[-1] == {"thumb": "ready", "web": "ready", "preview": "ready"}
    version.refresh_from_db()
    assert len(version.phash) == 16  # taken from the thumbnail


def test_the_thumbnail_is_encoded_alone_then_web_and_preview_at_once(people, monkeypatch,
                                                                     django_capture_on_commit_callbacks):
    import threading

    from assets import renditions, services

    asset = ingest_bytes(made_image("RGB", "JPEG"), "photo.jpg", people, django_capture_on_commit_callbacks,
                         execute=False)
    # The two large encodes wait for each other: done one after the other, the barrier breaks.
    both = threading.Barrier(2, timeout=10)
    encode = renditions._jpeg
    events = []

    def meeting(picture, preset):
        events.append(f"{preset.value} begins")
        if preset != Rendition.Preset.THUMB:
            both.wait()
        data = encode(picture, preset)
        events.append(f"{preset.value} ends")
        return data

    monkeypatch.setattr(renditions, "_jpeg", meeting)
    made = services.renditions_generate(version_id=asset.current_version.pk)
    assert {r.preset: r.status for r in made} == {"thumb": "ready", "web": "ready", "preview": "ready"}
    assert not both.broken
    assert events[:2] == ["thumb begins", "thumb ends"]


def test_a_failed_encode_leaves_no_file_that_no_rendition_records(people, monkeypatch, media_in_tmp,
                                                                   django_capture_on_commit_callbacks):
    from assets import renditions, services

    asset = ingest_bytes(made_image("RGB", "JPEG"), "photo.jpg", people, django_capture_on_commit_callbacks,
                         execute=False)
    encode = renditions._jpeg

    def failing_web(picture, preset):
        if preset == Rendition.Preset.WEB:
            raise OSError("encoder out of memory")
        return encode(picture, preset)

    monkeypatch.setattr(renditions, "_jpeg", failing_web)
    made = {r.preset: r for r in services.renditions_generate(version_id=asset.current_version.pk)}
    assert made["thumb"].status == Rendition.Status.READY
    # The preview may well have been encoded beside the web JPEG, but once web failed it is not stored.
    assert {made["web"].status, made["preview"].status} == {Rendition.Status.FAILED}
    assert made["web"].error == "Preview unavailable: encoder out of memory"
    stored = {str(p.relative_to(media_in_tmp)) for p in (media_in_tmp / "renditions").rglob("*") if p.is_file()}
    assert stored == {made["thumb"].file.name}
