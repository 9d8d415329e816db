"""Renditions: queued after commit, made upright and without metadata; failures recorded."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageChops, ImageStat

from assets.models import Rendition
from assets.services import asset_create
from tests.factories import library

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"


def ingest(name, people, captured):
    data = (CORPUS / name).read_bytes()
    with captured(execute=True):
        asset = asset_create(fileobj=SimpleUploadedFile(name, data), filename=Path(name).name,
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


def test_thumbnail_is_served_inline_only_through_the_permission_check(people, web, django_capture_on_commit_callbacks):
    asset = ingest("real/Canon_40D.jpg", people, django_capture_on_commit_callbacks)
    url = f"/assets/{asset.uid}/v1/thumb.jpg"
    assert web("editor").get(url).status_code == 200
    assert web("viewer").get(url).status_code == 404  # a draft: viewers do not see it
